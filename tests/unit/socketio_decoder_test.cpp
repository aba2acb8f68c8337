#include <gtest/gtest.h>

#include "socketio/decoder.hpp"

using namespace sio::socketio;

namespace {
Decoder::Status feed(Decoder& d, std::string_view text) { return d.add_text(text); }
}  // namespace

TEST(SocketIoDecoder, decodes_connect_with_auth_in_custom_namespace) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(0/custom,{"token":"abc"})"), Decoder::Status::packet);
  auto p = d.take();
  EXPECT_EQ(p.type, PacketType::connect);
  EXPECT_EQ(p.nsp, "/custom");
  EXPECT_EQ(p.data, json({{"token", "abc"}}));
}

TEST(SocketIoDecoder, decodes_connect_without_comma_or_payload) {
  Decoder d;
  ASSERT_EQ(feed(d, "0/random"), Decoder::Status::packet);
  auto p = d.take();
  EXPECT_EQ(p.nsp, "/random");
  EXPECT_TRUE(p.data.is_object());
}

TEST(SocketIoDecoder, decodes_event_with_ack_id) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(2/chat,456["message",1,"2"])"), Decoder::Status::packet);
  auto p = d.take();
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.nsp, "/chat");
  ASSERT_TRUE(p.id);
  EXPECT_EQ(*p.id, 456u);
  EXPECT_EQ(p.data, json::parse(R"(["message",1,"2"])"));
}

TEST(SocketIoDecoder, reassembles_binary_event_from_attachments) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(52-["m",{"_placeholder":true,"num":1},[{"_placeholder":true,"num":0}]])"),
            Decoder::Status::need_more);
  ASSERT_EQ(d.add_binary("\x01\x02"), Decoder::Status::need_more);
  ASSERT_EQ(d.add_binary("\x03"), Decoder::Status::packet);
  auto p = d.take();
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.data[1].get_binary(), std::vector<std::uint8_t>({3}));
  EXPECT_EQ(p.data[2][0].get_binary(), std::vector<std::uint8_t>({1, 2}));
}

TEST(SocketIoDecoder, rejects_unknown_packet_type) {
  Decoder d;
  EXPECT_EQ(feed(d, "9[]"), Decoder::Status::error);
  EXPECT_EQ(feed(d, ""), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_non_array_event_payload) {
  Decoder d;
  EXPECT_EQ(feed(d, "2{}"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_non_string_event_name) {
  Decoder d;
  EXPECT_EQ(feed(d, "2[1,2]"), Decoder::Status::error);
  EXPECT_EQ(feed(d, "2[]"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_reserved_event_name) {
  Decoder d;
  EXPECT_EQ(feed(d, R"(2["disconnect"])"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_invalid_ack_id) {
  Decoder d;
  EXPECT_EQ(feed(d, R"(2abc["m"])"), Decoder::Status::error);
  EXPECT_EQ(feed(d, R"(21234567890123456["m"])"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_connect_with_non_object_payload) {
  Decoder d;
  EXPECT_EQ(feed(d, "0[1]"), Decoder::Status::error);
  EXPECT_EQ(feed(d, "4abc"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_placeholder_beyond_attachment_count) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(51-["m",{"_placeholder":true,"num":1}])"), Decoder::Status::need_more);
  EXPECT_EQ(d.add_binary("x"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_binary_when_not_reconstructing) {
  Decoder d;
  EXPECT_EQ(d.add_binary("x"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_text_while_waiting_for_attachments) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(51-["m",{"_placeholder":true,"num":0}])"), Decoder::Status::need_more);
  EXPECT_EQ(feed(d, R"(2["m"])"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_too_many_attachments) {
  DecoderLimits limits;
  limits.max_attachments = 2;
  Decoder d(limits);
  EXPECT_EQ(feed(d, R"(53-["m"])"), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_deep_nesting_without_recursing) {
  Decoder d;
  std::string deep = R"(2["m",)" + std::string(100000, '[') + std::string(100000, ']') + "]";
  EXPECT_EQ(feed(d, deep), Decoder::Status::error);
}

TEST(SocketIoDecoder, rejects_disconnect_with_payload) {
  Decoder d;
  EXPECT_EQ(feed(d, "1{}"), Decoder::Status::error);
  EXPECT_EQ(feed(d, "1/x,"), Decoder::Status::packet);
}

TEST(SocketIoDecoder, recovers_after_an_error) {
  Decoder d;
  ASSERT_EQ(feed(d, "2{}"), Decoder::Status::error);
  EXPECT_EQ(feed(d, R"(2["ok"])"), Decoder::Status::packet);
}

TEST(SocketIoDecoder, replaces_lone_surrogate_escapes_instead_of_failing) {
  Decoder d;
  ASSERT_EQ(feed(d, R"(2["m","abc\ud83d","\udc00x","ok \ud83d\ude00"])"), Decoder::Status::packet);
  auto p = d.take();
  EXPECT_EQ(p.data[1], "abc\xEF\xBF\xBD");
  EXPECT_EQ(p.data[2], "\xEF\xBF\xBDx");
  EXPECT_EQ(p.data[3], "ok \xF0\x9F\x98\x80");
}
