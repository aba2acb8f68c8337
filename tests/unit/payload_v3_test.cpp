#include "engineio/payload_v3.hpp"

#include <gtest/gtest.h>

using namespace sio::engineio;

TEST(PayloadV3, text_payload_lengths_count_utf16_units) {
  // "4é😀": 4 UTF-16 units (the emoji takes two), 7 bytes of UTF-8.
  auto packets = decode_payload_v3_text("4:4é😀2:4x1:2");
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 3u);
  EXPECT_EQ((*packets)[0], (Packet{PacketType::message, "é😀", false}));
  EXPECT_EQ((*packets)[1], (Packet{PacketType::message, "x", false}));
  EXPECT_EQ((*packets)[2], (Packet{PacketType::ping, "", false}));
}

TEST(PayloadV3, text_payload_carries_binary_as_b4_base64) {
  auto packets = decode_payload_v3_text("10:b4AQIDBA==");
  ASSERT_TRUE(packets);
  EXPECT_EQ((*packets)[0], (Packet{PacketType::message, std::string("\x01\x02\x03\x04", 4), true}));
}

TEST(PayloadV3, text_payload_refuses_bad_lengths_and_cut_characters) {
  EXPECT_FALSE(decode_payload_v3_text("9:4hello"));
  EXPECT_FALSE(decode_payload_v3_text("2:4😀"));  // the length cuts the surrogate pair
  EXPECT_FALSE(decode_payload_v3_text(":4x"));
  EXPECT_FALSE(decode_payload_v3_text("0:"));
  EXPECT_FALSE(decode_payload_v3_text("2:9x"));
  EXPECT_FALSE(decode_payload_v3_text("4:b3AQ="));  // only message packets carry binary
  EXPECT_FALSE(decode_payload_v3_text("1234567890123456:4x"));
}

TEST(PayloadV3, binary_payload_reads_text_and_binary_records) {
  const std::string body(
      "\x00\x02\xff"
      "4x"
      "\x01\x03\xff\x04\x09\x09",
      11);
  auto packets = decode_payload_v3_binary(body);
  ASSERT_TRUE(packets);
  ASSERT_EQ(packets->size(), 2u);
  EXPECT_EQ((*packets)[0], (Packet{PacketType::message, "x", false}));
  EXPECT_EQ((*packets)[1], (Packet{PacketType::message, std::string("\x09\x09", 2), true}));
  EXPECT_FALSE(
      decode_payload_v3_binary(std::string("\x00\x09\xff"
                                           "4x",
                                           5)));  // too short
  EXPECT_FALSE(
      decode_payload_v3_binary(std::string("\x02\x01\xff"
                                           "4",
                                           4)));  // bad kind
  EXPECT_FALSE(
      decode_payload_v3_binary(std::string("\x00\x0a\xff"
                                           "4",
                                           4)));  // digit 10
}
