// The bounds a Socket.IO client packet must stay within (DecoderLimits), and inputs found while
// fuzzing the decoder (fuzz/socketio_decoder.cpp).

#include <gtest/gtest.h>

#include <string>

#include "socketio/decoder.hpp"

using namespace sio::socketio;

namespace {

// An EVENT whose second argument is `levels` nested arrays: the packet's own array makes the
// depth levels + 1.
std::string event_nested(std::size_t levels) {
  return R"(2["m",)" + std::string(levels, '[') + std::string(levels, ']') + "]";
}

std::string event_named(std::size_t length) {
  return R"(2[")" + std::string(length, 'e') + R"("])";
}

std::string binary_event_with(std::size_t attachments) {
  std::string text = "5" + std::to_string(attachments) + R"(-["m")";
  for (std::size_t i = 0; i < attachments; ++i) {
    text += R"(,{"_placeholder":true,"num":)" + std::to_string(i) + "}";
  }
  return text + "]";
}

Decoder::Status feed_binary_event(Decoder& decoder, std::size_t attachments) {
  auto status = decoder.add_text(binary_event_with(attachments));
  for (std::size_t i = 0; i < attachments && status == Decoder::Status::need_more; ++i) {
    status = decoder.add_binary("\x01\x02");
  }
  return status;
}

}  // namespace

TEST(SocketIoDecoderLimits, accepts_nesting_at_the_default_depth_of_32) {
  Decoder d;
  EXPECT_EQ(d.add_text(event_nested(31)), Decoder::Status::packet);
}

TEST(SocketIoDecoderLimits, refuses_nesting_one_level_past_the_default_depth) {
  Decoder d;
  EXPECT_EQ(d.add_text(event_nested(32)), Decoder::Status::error);
  EXPECT_EQ(d.error(), "payload nested too deeply");
}

TEST(SocketIoDecoderLimits, refuses_arrays_nested_100000_deep_without_overflowing_the_stack) {
  Decoder d;
  EXPECT_EQ(d.add_text(event_nested(100000)), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, refuses_objects_nested_100000_deep_in_a_connect_payload) {
  std::string auth;
  for (int i = 0; i < 100000; ++i) auth += R"({"a":)";
  auth += "1" + std::string(100000, '}');
  Decoder d;
  EXPECT_EQ(d.add_text("0" + auth), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, refuses_unclosed_nesting_100000_deep) {
  Decoder d;
  EXPECT_EQ(d.add_text(R"(2["m",)" + std::string(100000, '[')), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, does_not_count_brackets_inside_strings_as_nesting) {
  Decoder d;
  const std::string brackets(1000, '[');
  EXPECT_EQ(d.add_text(R"(2["m","\")" + brackets + R"("])"), Decoder::Status::packet);
}

TEST(SocketIoDecoderLimits, applies_a_configured_depth) {
  DecoderLimits limits;
  limits.max_depth = 3;
  Decoder d(limits);
  EXPECT_EQ(d.add_text(event_nested(2)), Decoder::Status::packet);
  EXPECT_EQ(d.add_text(event_nested(3)), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, accepts_an_event_name_of_256_bytes) {
  Decoder d;
  ASSERT_EQ(d.add_text(event_named(256)), Decoder::Status::packet);
  EXPECT_EQ(d.take().data[0].get<std::string>().size(), 256u);
}

TEST(SocketIoDecoderLimits, refuses_an_event_name_of_257_bytes) {
  Decoder d;
  EXPECT_EQ(d.add_text(event_named(257)), Decoder::Status::error);
  EXPECT_EQ(d.error(), "event name too long");
}

TEST(SocketIoDecoderLimits, counts_event_name_length_in_utf8_bytes) {
  std::string name;
  for (int i = 0; i < 86; ++i) name += "\xE2\x82\xAC";  // 86 euro signs: 258 bytes
  Decoder d;
  EXPECT_EQ(d.add_text(R"(2[")" + name + R"("])"), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, refuses_a_long_event_name_in_a_binary_event) {
  Decoder d;
  const std::string text =
      R"(51-[")" + std::string(300, 'e') + R"(",{"_placeholder":true,"num":0}])";
  EXPECT_EQ(d.add_text(text), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, leaves_strings_in_ack_arguments_unbounded_by_the_event_name_limit) {
  Decoder d;
  EXPECT_EQ(d.add_text(R"(31[")" + std::string(10000, 'a') + R"("])"), Decoder::Status::packet);
}

TEST(SocketIoDecoderLimits, applies_a_configured_event_name_length) {
  DecoderLimits limits;
  limits.max_event_name_bytes = 4;
  Decoder d(limits);
  EXPECT_EQ(d.add_text(event_named(4)), Decoder::Status::packet);
  EXPECT_EQ(d.add_text(event_named(5)), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, accepts_10_attachments_by_default) {
  Decoder d;
  EXPECT_EQ(feed_binary_event(d, 10), Decoder::Status::packet);
}

TEST(SocketIoDecoderLimits, refuses_11_attachments_before_any_arrives) {
  Decoder d;
  EXPECT_EQ(d.add_text(binary_event_with(11)), Decoder::Status::error);
  EXPECT_EQ(d.error(), "too many attachments");
}

TEST(SocketIoDecoderLimits, refuses_a_binary_ack_with_too_many_attachments) {
  Decoder d;
  EXPECT_EQ(d.add_text(R"(6999999999-1[])"), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, applies_a_configured_attachment_count) {
  DecoderLimits limits;
  limits.max_attachments = 1;
  Decoder d(limits);
  EXPECT_EQ(feed_binary_event(d, 1), Decoder::Status::packet);
  EXPECT_EQ(feed_binary_event(d, 2), Decoder::Status::error);
}

// One attachment referenced by many placeholders would be copied once per placeholder: a small
// packet could make the server hold gigabytes.
TEST(SocketIoDecoderLimits, refuses_a_placeholder_that_repeats_an_attachment) {
  Decoder d;
  std::string text = R"(51-["m")";
  for (int i = 0; i < 11; ++i) text += R"(,{"_placeholder":true,"num":0})";
  ASSERT_EQ(d.add_text(text + "]"), Decoder::Status::need_more);
  EXPECT_EQ(d.add_binary(std::string(1000, 'x')), Decoder::Status::error);
}

TEST(SocketIoDecoderLimits, refuses_a_placeholder_used_twice_even_with_spare_attachments) {
  Decoder d;
  ASSERT_EQ(d.add_text(R"(52-["m",{"_placeholder":true,"num":1},{"_placeholder":true,"num":1}])"),
            Decoder::Status::need_more);
  ASSERT_EQ(d.add_binary("a"), Decoder::Status::need_more);
  EXPECT_EQ(d.add_binary("b"), Decoder::Status::error);
}
