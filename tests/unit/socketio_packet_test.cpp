#include <gtest/gtest.h>

#include "socketio/packet.hpp"

using namespace sio::socketio;

namespace {
json bytes(std::initializer_list<std::uint8_t> b) { return json::binary(std::vector<std::uint8_t>(b)); }
}  // namespace

TEST(SocketIoPacket, encodes_connect_to_main_namespace_with_sid) {
  auto encoded = encode({PacketType::connect, "/", std::nullopt, json{{"sid", "abc"}}});
  EXPECT_EQ(encoded.text, R"(0{"sid":"abc"})");
  EXPECT_TRUE(encoded.attachments.empty());
}

TEST(SocketIoPacket, prefixes_custom_namespace_and_comma) {
  auto encoded = encode({PacketType::event, "/admin", std::nullopt, json::array({"hi", 1})});
  EXPECT_EQ(encoded.text, R"(2/admin,["hi",1])");
}

TEST(SocketIoPacket, puts_ack_id_after_namespace) {
  auto encoded = encode({PacketType::ack, "/chat", 12, json::array({true})});
  EXPECT_EQ(encoded.text, "3/chat,12[true]");
}

TEST(SocketIoPacket, encodes_disconnect_without_payload) {
  EXPECT_EQ(encode({PacketType::disconnect, "/x", std::nullopt, nullptr}).text, "1/x,");
  EXPECT_EQ(encode({PacketType::disconnect, "/", std::nullopt, nullptr}).text, "1");
}

TEST(SocketIoPacket, turns_event_with_binary_into_binary_event_with_placeholders) {
  json data = json::array({"file", json{{"a", bytes({1, 2})}, {"b", json::array({bytes({3})})}}});
  auto encoded = encode({PacketType::event, "/", 7, data});
  EXPECT_EQ(encoded.text,
            R"(52-7["file",{"a":{"_placeholder":true,"num":0},"b":[{"_placeholder":true,"num":1}]}])");
  ASSERT_EQ(encoded.attachments.size(), 2u);
  EXPECT_EQ(encoded.attachments[0], std::string("\x01\x02", 2));
  EXPECT_EQ(encoded.attachments[1], std::string("\x03", 1));
}

TEST(SocketIoPacket, turns_ack_with_binary_into_binary_ack) {
  auto encoded = encode({PacketType::ack, "/", 3, json::array({bytes({9})})});
  EXPECT_EQ(encoded.text, R"(61-3[{"_placeholder":true,"num":0}])");
}

TEST(SocketIoPacket, encode_frames_shares_text_then_attachments) {
  auto frames = encode_frames({PacketType::event, "/", std::nullopt, json::array({"e", bytes({5})})});
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_FALSE(frames[0]->is_binary());
  EXPECT_EQ(frames[0]->websocket_bytes(), R"(451-["e",{"_placeholder":true,"num":0}])");
  EXPECT_TRUE(frames[1]->is_binary());
  EXPECT_EQ(frames[1]->websocket_bytes(), "\x05");
}

TEST(SocketIoPacket, replaces_invalid_utf8_instead_of_throwing) {
  auto encoded = encode({PacketType::event, "/", std::nullopt, json::array({"e", std::string("\xff")})});
  EXPECT_EQ(encoded.text, "2[\"e\",\"\xEF\xBF\xBD\"]");
}
