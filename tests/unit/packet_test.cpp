#include "engineio/packet.hpp"

#include <gtest/gtest.h>

#include "engineio/frame.hpp"

using namespace sio::engineio;

TEST(TextPacket, decodes_type_and_data) {
  auto packet = decode_text_packet("4hello");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, PacketType::message);
  EXPECT_EQ(packet->data, "hello");
}

TEST(TextPacket, decodes_packet_without_data) {
  auto packet = decode_text_packet("3");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, PacketType::pong);
  EXPECT_TRUE(packet->data.empty());
}

TEST(TextPacket, rejects_empty_frame_and_unknown_types) {
  EXPECT_FALSE(decode_text_packet(""));
  EXPECT_FALSE(decode_text_packet("7"));
  EXPECT_FALSE(decode_text_packet("abc"));
  EXPECT_FALSE(decode_text_packet("b4"));
}

TEST(TextPacket, rejects_invalid_utf8) { EXPECT_FALSE(decode_text_packet("4\xff\xfe")); }

TEST(Payload, decodes_several_text_packets) {
  auto packets = decode_payload("4test1\x1e" "4test2\x1e" "2");
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 3u);
  EXPECT_EQ((*packets)[0], (Packet{PacketType::message, "test1", false}));
  EXPECT_EQ((*packets)[1], (Packet{PacketType::message, "test2", false}));
  EXPECT_EQ((*packets)[2], (Packet{PacketType::ping, "", false}));
}

TEST(Payload, decodes_base64_binary_packets) {
  auto packets = decode_payload("4hello\x1e" "bAQIDBA==");
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 2u);
  EXPECT_EQ((*packets)[1], (Packet{PacketType::message, std::string("\x01\x02\x03\x04", 4), true}));
}

TEST(Payload, keeps_multibyte_utf8_intact) {
  auto packets = decode_payload("4€\x1e" "4😀");
  ASSERT_TRUE(packets);
  EXPECT_EQ((*packets)[0].data, "€");
  EXPECT_EQ((*packets)[1].data, "😀");
}

TEST(Payload, rejects_a_payload_with_one_broken_record) {
  EXPECT_FALSE(decode_payload(""));
  EXPECT_FALSE(decode_payload("abc"));
  EXPECT_FALSE(decode_payload("4a\x1e"));
  EXPECT_FALSE(decode_payload("4a\x1e\x1e" "4b"));
  EXPECT_FALSE(decode_payload("4a\x1e" "b!!!"));
  EXPECT_FALSE(decode_payload("4\xc3\x28"));
}

TEST(Payload, encodes_text_and_binary_records) {
  std::vector<Packet> packets{{PacketType::message, "hello", false},
                              {PacketType::message, std::string("\x01\x02\x03\x04", 4), true},
                              {PacketType::noop, "", false}};
  EXPECT_EQ(encode_payload(packets), "4hello\x1e" "bAQIDBA==\x1e" "6");
}

TEST(Payload, round_trips_through_encode_and_decode) {
  std::vector<Packet> packets{{PacketType::message, "a", false},
                              {PacketType::message, std::string("\0\xff", 2), true},
                              {PacketType::pong, "probe", false}};
  EXPECT_EQ(decode_payload(encode_payload(packets)), packets);
}

TEST(Frame, text_frame_is_the_same_bytes_for_both_transports) {
  auto frame = Frame::text(PacketType::message, "hi");
  EXPECT_EQ(frame->websocket_bytes(), "4hi");
  EXPECT_EQ(frame->polling_bytes(), "4hi");
  EXPECT_FALSE(frame->is_binary());
}

TEST(Frame, binary_frame_is_raw_on_websocket_and_base64_on_polling) {
  auto frame = Frame::binary(std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(frame->websocket_bytes(), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(frame->polling_bytes(), "bAQIDBA==");
  EXPECT_TRUE(frame->is_binary());
}
