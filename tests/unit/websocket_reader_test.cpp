#include "engineio/websocket_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engineio/websocket_handshake.hpp"

using sio::engineio::WebSocketReader;
using sio::engineio::WsOpcode;

namespace {

// Builds a masked client frame.
std::string client_frame(uint8_t opcode, std::string_view payload, bool fin = true,
                         bool masked = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | opcode);
  const uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      f += static_cast<char>((uint64_t(payload.size()) >> (8 * i)) & 0xFF);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += masked ? static_cast<char>(payload[i] ^ key[i & 3]) : payload[i];
  return f;
}

struct Recorder : WebSocketReader::Handler {
  std::vector<std::pair<std::string, bool>> messages;
  std::vector<std::pair<WsOpcode, std::string>> controls;
  bool stop_after_message = false;
  bool on_message(std::string_view data, bool binary) override {
    messages.emplace_back(std::string(data), binary);
    return !stop_after_message;
  }
  bool on_control(WsOpcode opcode, std::string_view payload) override {
    controls.emplace_back(opcode, std::string(payload));
    return true;
  }
};

uint16_t feed(WebSocketReader& reader, std::string bytes, Recorder& rec) {
  return reader.consume(bytes.data(), bytes.size(), rec);
}

}  // namespace

TEST(WebSocketReader, unmasks_text_and_binary_messages) {
  WebSocketReader reader(1000);
  Recorder rec;
  EXPECT_EQ(
      feed(reader, client_frame(1, "4hello") + client_frame(2, std::string("\0\1\2", 3)), rec), 0);
  ASSERT_EQ(rec.messages.size(), 2u);
  EXPECT_EQ(rec.messages[0], std::make_pair(std::string("4hello"), false));
  EXPECT_EQ(rec.messages[1], std::make_pair(std::string("\0\1\2", 3), true));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(WebSocketReader, reassembles_a_frame_split_at_every_byte) {
  const std::string payload(300, 'x');  // 16-bit length form
  const auto frame = client_frame(1, payload) + client_frame(1, "2");
  WebSocketReader reader(1000);
  Recorder rec;
  for (char c : frame) ASSERT_EQ(feed(reader, std::string(1, c), rec), 0);
  ASSERT_EQ(rec.messages.size(), 2u);
  EXPECT_EQ(rec.messages[0].first, payload);
  EXPECT_EQ(rec.messages[1].first, "2");
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(WebSocketReader, joins_fragments_around_interleaved_control_frames) {
  WebSocketReader reader(1000);
  Recorder rec;
  const auto bytes = client_frame(1, "4he", false) + client_frame(9, "ping!") +
                     client_frame(0, "ll", false) + client_frame(0, "o", true);
  EXPECT_EQ(feed(reader, bytes, rec), 0);
  ASSERT_EQ(rec.messages.size(), 1u);
  EXPECT_EQ(rec.messages[0].first, "4hello");
  ASSERT_EQ(rec.controls.size(), 1u);
  EXPECT_EQ(rec.controls[0], std::make_pair(WsOpcode::ping, std::string("ping!")));
}

TEST(WebSocketReader, large_message_with_64_bit_length) {
  const std::string payload(70000, 'y');
  WebSocketReader reader(100000);
  Recorder rec;
  const auto frame = client_frame(2, payload);
  // Arrives in three reads.
  EXPECT_EQ(feed(reader, frame.substr(0, 5), rec), 0);
  EXPECT_EQ(feed(reader, frame.substr(5, 40000), rec), 0);
  EXPECT_TRUE(rec.messages.empty());
  EXPECT_EQ(feed(reader, frame.substr(40005), rec), 0);
  ASSERT_EQ(rec.messages.size(), 1u);
  EXPECT_EQ(rec.messages[0].first, payload);
}

TEST(WebSocketReader, refuses_a_message_over_the_limit_from_its_header) {
  WebSocketReader reader(100);
  Recorder rec;
  // Only the header of a 1 GB frame: refused before any payload is buffered.
  auto frame = client_frame(2, std::string(70000, 'z')).substr(0, 14);
  frame[2] = 0;
  frame[3] = 0;
  frame[4] = 0;
  frame[5] = 0;
  frame[6] = 0x40;
  EXPECT_EQ(feed(reader, frame, rec), WebSocketReader::kMessageTooBig);
  // Fragments count together.
  WebSocketReader second(100);
  EXPECT_EQ(feed(second,
                 client_frame(1, std::string(60, 'a'), false) +
                     client_frame(0, std::string(60, 'a'), true),
                 rec),
            WebSocketReader::kMessageTooBig);
}

TEST(WebSocketReader, protocol_violations) {
  Recorder rec;
  const std::vector<std::string> bad = {
      client_frame(1, "4x", true, false),      // unmasked
      client_frame(0, "4x"),                   // continuation with nothing to continue
      client_frame(3, "4x"),                   // reserved opcode
      client_frame(9, std::string(126, 'p')),  // control frame too long
      client_frame(9, "p", false),             // fragmented control frame
      client_frame(1, "4a", false) + client_frame(1, "4b"),  // new message inside a message
      std::string("\xC1\x80\0\0\0\0", 6),                    // RSV1 set (no extension negotiated)
  };
  for (const auto& bytes : bad) {
    WebSocketReader reader(1000);
    EXPECT_EQ(feed(reader, bytes, rec), WebSocketReader::kProtocolError);
  }
}

TEST(WebSocketReader, stops_when_the_handler_asks) {
  WebSocketReader reader(1000);
  Recorder rec;
  rec.stop_after_message = true;
  EXPECT_EQ(feed(reader, client_frame(1, "4a") + client_frame(1, "4b"), rec), 0);
  EXPECT_EQ(rec.messages.size(), 1u);
}

TEST(WebSocketHandshake, accept_key_matches_rfc_6455_example) {
  EXPECT_EQ(sio::engineio::websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, answers_and_refuses) {
  namespace http = boost::beast::http;
  sio::http::Request req{http::verb::get, "/engine.io/?EIO=4&transport=websocket", 11};
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  auto ok = sio::engineio::answer_websocket_handshake(req);
  EXPECT_TRUE(ok.accepted);
  EXPECT_NE(ok.response.find("101 Switching Protocols"), std::string::npos);
  EXPECT_NE(ok.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            std::string::npos);

  auto old_version = req;
  old_version.set(http::field::sec_websocket_version, "8");
  auto refused = sio::engineio::answer_websocket_handshake(old_version);
  EXPECT_FALSE(refused.accepted);
  EXPECT_NE(refused.response.find("426"), std::string::npos);
  EXPECT_NE(refused.response.find("Sec-WebSocket-Version: 13"), std::string::npos);

  auto bad_key = req;
  bad_key.set(http::field::sec_websocket_key, "short");
  EXPECT_FALSE(sio::engineio::answer_websocket_handshake(bad_key).accepted);
}
