// socket.io-msgpack-parser 3.0.2 packets: the hex constants are what that package's Encoder
// produced (and what socket.io-client 4.8 sent) for the JavaScript object beside each.
#include "socketio/msgpack_packet.hpp"

#include <gtest/gtest.h>

using namespace sio::socketio;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    if (hex[i] == ' ') {
      --i;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::optional<Packet> decode(std::string_view hex, DecoderLimits limits = {},
                             std::string* error = nullptr) {
  return decode_msgpack_packet(from_hex(hex), limits, error);
}

json bytes(std::initializer_list<std::uint8_t> values) {
  return json::binary(std::vector<std::uint8_t>(values));
}

}  // namespace

// {type:0, data:undefined, nsp:"/"}
TEST(MsgpackPacket, decodes_the_clients_connect_with_undefined_data_as_an_empty_auth) {
  auto packet = decode("83 a4 74797065 00 a4 64617461 d4 00 00 a3 6e7370 a1 2f");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, PacketType::connect);
  EXPECT_EQ(packet->nsp, "/");
  EXPECT_EQ(packet->data, json::object());
}

// {type:2, data:["ev","hi",<Buffer 01 02 03>,-1,3.25], options:{compress:true}, id:0, nsp:"/"}
TEST(MsgpackPacket, decodes_an_event_with_binary_an_ack_id_and_the_clients_extra_options_key) {
  auto packet = decode(
      "85 a4 74797065 02 a4 64617461 95 a2 6576 a2 6869 c4 03 01 02 03 ff cb 40 0a 00 00 00 00 00 "
      "00"
      " a7 6f7074696f6e73 81 a8 636f6d7072657373 c3 a2 6964 00 a3 6e7370 a1 2f");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, PacketType::event);
  EXPECT_EQ(packet->id, 0u);
  EXPECT_EQ(packet->data, json::array({"ev", "hi", bytes({1, 2, 3}), -1, 3.25}));
}

// {id:7, type:3, data:[null,true,-5,300,0.5], nsp:"/chat"}: keys in any order
TEST(MsgpackPacket, decodes_an_ack_whatever_the_key_order) {
  auto packet = decode(
      "84 a2 6964 07 a4 74797065 03 a4 64617461 95 c0 c3 fb cd 01 2c cb 3f e0 00 00 00 00 00 00 a3 "
      "6e7370 a5 2f63686174");
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->type, PacketType::ack);
  EXPECT_EQ(packet->nsp, "/chat");
  EXPECT_EQ(packet->id, 7u);
  EXPECT_EQ(packet->data, json::array({nullptr, true, -5, 300, 0.5}));
}

// {type:2, data:["file",<Buffer 01 02 03>], id:7, nsp:"/chat"}, byte for byte.
TEST(MsgpackPacket, encodes_an_event_as_the_js_encoder_does) {
  Packet packet{PacketType::event, "/chat", 7, json::array({"file", bytes({1, 2, 3})})};
  EXPECT_EQ(
      encode_msgpack_packet(packet),
      from_hex("84 a4 74797065 02 a4 64617461 92 a4 66696c65 c4 03 010203 a2 6964 07 a3 6e7370 "
               "a5 2f63686174"));
}

// {type:1, nsp:"/chat"} and {type:4, data:{message:"Invalid namespace"}, nsp:"/x"}
TEST(MsgpackPacket, encodes_disconnect_without_data_and_connect_error_with_its_message) {
  EXPECT_EQ(encode_msgpack_packet(Packet{PacketType::disconnect, "/chat", std::nullopt, nullptr}),
            from_hex("82 a4 74797065 01 a3 6e7370 a5 2f63686174"));
  EXPECT_EQ(encode_msgpack_packet(Packet{PacketType::connect_error, "/x", std::nullopt,
                                         json{{"message", "Invalid namespace"}}}),
            from_hex("83 a4 74797065 04 a4 64617461 81 a7 6d657373616765 b1 "
                     "496e76616c6964206e616d657370616365 a3 6e7370 a2 2f78"));
}

TEST(MsgpackPacket, appends_an_offset_to_an_events_data) {
  Packet packet{PacketType::event, "/", std::nullopt, json::array({"m", 1})};
  auto with_offset = decode_msgpack_packet(encode_msgpack_packet(packet, "12-0"), {});
  ASSERT_TRUE(with_offset);
  EXPECT_EQ(with_offset->data, json::array({"m", 1, "12-0"}));
}

TEST(MsgpackPacket, round_trips_binary_events_as_plain_events) {
  Packet packet{PacketType::binary_event, "/", 3,
                json::array({"blob", json{{"b", bytes({0, 255})}}})};
  auto back = decode_msgpack_packet(encode_msgpack_packet(packet), {});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, PacketType::event);
  EXPECT_EQ(back->data, packet.data);
  EXPECT_EQ(back->id, 3u);
}

TEST(MsgpackPacket, refuses_what_the_js_decoder_refuses) {
  std::string error;
  // {type:5, data:[], nsp:"/"}
  EXPECT_FALSE(decode("83 a4 74797065 05 a4 64617461 90 a3 6e7370 a1 2f", {}, &error));
  EXPECT_EQ(error, "invalid packet type");
  // {type:2, nsp:"/"}: no data
  EXPECT_FALSE(decode("82 a4 74797065 02 a3 6e7370 a1 2f", {}, &error));
  EXPECT_EQ(error, "invalid payload");
  // {type:0, data:"x", nsp:"/"}
  EXPECT_FALSE(decode("83 a4 74797065 00 a4 64617461 a1 78 a3 6e7370 a1 2f", {}, &error));
  // {type:2, data:["e"], id:1.5, nsp:"/"}
  EXPECT_FALSE(
      decode("84 a4 74797065 02 a4 64617461 91 a1 65 a2 6964 cb 3ff8000000000000 a3 6e7370 a1 2f",
             {}, &error));
  EXPECT_EQ(error, "invalid packet id");
  // {type:2, data:["e"]}: no namespace
  EXPECT_FALSE(decode("82 a4 74797065 02 a4 64617461 91 a1 65", {}, &error));
  EXPECT_EQ(error, "invalid namespace");
  // A reserved event name, and trailing bytes.
  EXPECT_FALSE(decode("83 a4 74797065 02 a4 64617461 91 a7 636f6e6e656374 a3 6e7370 a1 2f"));
  EXPECT_FALSE(decode("82 a4 74797065 01 a3 6e7370 a1 2f 00"));
}

TEST(MsgpackPacket, applies_the_decoder_limits_to_the_data) {
  DecoderLimits limits;
  limits.max_depth = 2;
  // data ["e", [[1]]] is 3 deep; ["e", [1]] is 2.
  EXPECT_FALSE(decode("83 a4 74797065 02 a4 64617461 92 a1 65 91 91 01 a3 6e7370 a1 2f", limits));
  EXPECT_TRUE(decode("83 a4 74797065 02 a4 64617461 92 a1 65 91 01 a3 6e7370 a1 2f", limits));
  limits.max_event_name_bytes = 2;
  std::string error;
  EXPECT_FALSE(
      decode("83 a4 74797065 02 a4 64617461 91 a3 616263 a3 6e7370 a1 2f", limits, &error));
  EXPECT_EQ(error, "event name too long");
}
