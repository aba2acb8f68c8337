// The forms a Frame takes besides the plain one, each built once and shared by every recipient:
// Engine.IO v3's, and permessage-deflate's.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "engineio/deflate.hpp"
#include "engineio/frame.hpp"

using namespace sio::engineio;

TEST(FrameV3, forms_as_the_v3_client_reads_them) {
  auto text = Frame::text(PacketType::message, "é😀");
  EXPECT_EQ(text->polling_v3_text(), "4:4é😀");
  EXPECT_EQ(text->websocket_v3_bytes(), "4é😀");
  EXPECT_EQ(text->polling_v3_binary(), std::string("\x00\x07\xff", 3) + "4é😀");  // 7 bytes
  auto binary = Frame::binary(std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(binary->polling_v3_text(), "10:b4AQIDBA==");
  EXPECT_EQ(binary->websocket_v3_bytes(), std::string("\x04\x01\x02\x03\x04", 5));
  EXPECT_EQ(binary->polling_v3_binary(), std::string("\x01\x05\xff\x04\x01\x02\x03\x04", 8));
  auto close = Frame::websocket_control(WsOpcode::close, std::string("\x03\xe8", 2));
  EXPECT_EQ(close->websocket_v3_bytes(), close->websocket_bytes());
}

TEST(FrameDeflate, compresses_once_for_every_recipient_and_inflates_back) {
  const std::string text(5000, 'x');
  auto frame = Frame::text(PacketType::message, text);
  const auto first = frame->websocket_deflated_bytes();
  EXPECT_EQ(first.data(), frame->websocket_deflated_bytes().data());  // built once, shared
  EXPECT_LT(first.size(), 100u);
  EXPECT_EQ(static_cast<unsigned char>(frame->websocket_deflated_header()[0]), 0x80 | 0x40 | 0x1);
  bool too_big = false;
  auto inflated = inflate_message(first, 10000, too_big);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, "4" + text);
  EXPECT_FALSE(inflate_message(first, 100, too_big));
  EXPECT_TRUE(too_big);
}

TEST(FrameDeflate, keeps_what_does_not_shrink_plain) {
  auto frame = Frame::binary(std::string("\x01\x02\x03", 3));
  EXPECT_EQ(frame->websocket_deflated_bytes(), frame->websocket_bytes());
  EXPECT_EQ(frame->websocket_deflated_header(), frame->websocket_header());
}

TEST(FrameForms, each_built_once_when_several_threads_ask_for_them_first) {
  // Recipients on several reactors may be the first to need a form of the same frame.
  for (int round = 0; round < 20; ++round) {
    auto frame = Frame::binary(std::string(300, '\x07'));
    std::vector<std::string_view> polling(4), v3(4), deflated(4);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        // Each thread asks in another order.
        for (int step = 0; step < 3; ++step) {
          switch ((i + step) % 3) {
            case 0:
              polling[i] = frame->polling_bytes();
              break;
            case 1:
              v3[i] = frame->polling_v3_text();
              break;
            default:
              deflated[i] = frame->websocket_deflated_bytes();
              break;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (std::size_t i = 1; i < 4; ++i) {
      EXPECT_EQ(polling[i].data(), polling[0].data());
      EXPECT_EQ(v3[i].data(), v3[0].data());
      EXPECT_EQ(deflated[i].data(), deflated[0].data());
    }
    EXPECT_EQ(polling[0].substr(0, 5), "bBwcH");
    EXPECT_EQ(v3[0].substr(0, 6), "402:b4");
    EXPECT_LT(deflated[0].size(), 100u);
  }
}
