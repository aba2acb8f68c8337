// JSON text read where it is: spans handed on to clients must be JSON exactly when nlohmann's
// parser says so, and the short reading of a cluster broadcast must agree with the full one.

#include "socketio/json_cursor.hpp"

#include <gtest/gtest.h>

#include "adapter/cluster_messages.hpp"
#include "socketio/json_parse.hpp"

using sio::socketio::JsonCursor;
namespace clustered = sio::adapter::clustered;
using json = nlohmann::ordered_json;

namespace {

bool skips_whole(std::string_view text) {
  JsonCursor cursor(text);
  return cursor.skip() && cursor.at_end();
}

}  // namespace

TEST(JsonCursor, steps_over_exactly_what_json_accepts) {
  const std::string_view texts[] = {
      R"([1,-2,3.5,-0.25e+3,0,1E5,1e-999,true,false,null,"",{}])",
      R"( { "a" : [ 1 , { "b" : "c" } ] , "d" : "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00" } )",
      "[\"안녕 😀\"]",
      "\t[1,\n2\r\n, 3 ,{\t\"k\"\r:\n\"v\"\t}]\n",
      "[]",
      "{}",
      // not JSON:
      "[1,]",
      "{\"a\":1,}",
      "[01]",
      "[1.]",
      "[.5]",
      "[-]",
      "[1e]",
      "[1e888]",
      "[-1e400]",
      "[tru]",
      "{\"a\" 1}",
      "{\"a\":1 \"b\":2}",
      "[1 2]",
      "{,\"a\":1}",
      "[\"\\x\"]",
      "[\"\\u12\"]",
      "[\"\\ud800\"]",
      "[\"\\udc00\"]",
      "[\"\\ud800\\u0041\"]",
      "[\"a\x01\"]",
      "[\"\xc3\x28\"]",
      "[\"open",
      "[1",
      "{\"a\":1",
      "[1]]",
      "",
      // bytes below '!' that JSON does not take as whitespace:
      "[1,\v2]",
      "[1,\f2]",
      "[1,\x1f" "2]",
      "\x01[1]",
      std::string_view("[1,\0 2]", 6),
  };
  for (auto text : texts) {
    EXPECT_EQ(skips_whole(text), json::accept(text)) << text;
  }
}

// Strings are scanned eight bytes at a time: every escape, control character and UTF-8 sequence
// (valid or not) at every position of a run of plain bytes is still judged as JSON judges it.
TEST(JsonCursor, judges_a_string_wherever_the_character_falls) {
  const std::string inner[] = {"\\\"", "\\n", "\\u00e9", "\\ud83c\\udf89", "\\ud83c", "\\x",
                               std::string(1, '\x01'), "\x7f", "\xc3\xa9", "\xf0\x9f\x8e\x89",
                               "\xc3", "\xed\xa0\x80", "\x80", "\""};
  for (std::size_t before = 0; before < 20; ++before) {
    for (std::size_t after : {0, 1, 7, 8, 13}) {
      for (const auto& special : inner) {
        const auto text =
            "[\"" + std::string(before, 'a') + special + std::string(after, 'b') + "\"]";
        JsonCursor cursor(text);
        const bool stepped = cursor.skip() && cursor.at_end();
        EXPECT_EQ(stepped, json::accept(text)) << text;
      }
    }
  }
}

TEST(JsonCursor, reads_members_and_items_in_order) {
  JsonCursor in(R"({"type":3,"flags":{"volatile":true,"x":[1]},"rooms":["a","b"]})");
  ASSERT_TRUE(in.begin_object());
  std::string_view key;
  std::int64_t type = 0;
  ASSERT_TRUE(in.next_key(key));
  EXPECT_EQ(key, "type");
  ASSERT_TRUE(in.read_integer(type));
  EXPECT_EQ(type, 3);
  ASSERT_TRUE(in.next_key(key));
  EXPECT_EQ(key, "flags");
  std::string_view flags;
  ASSERT_TRUE(in.skip(&flags));
  EXPECT_EQ(flags, R"({"volatile":true,"x":[1]})");
  ASSERT_TRUE(in.next_key(key));
  ASSERT_TRUE(in.begin_array());
  std::string_view room;
  ASSERT_TRUE(in.next_item());
  ASSERT_TRUE(in.read_string(room));
  EXPECT_EQ(room, "a");
  ASSERT_TRUE(in.next_item());
  ASSERT_TRUE(in.read_string(room));
  EXPECT_EQ(room, "b");
  EXPECT_FALSE(in.next_item());
  EXPECT_FALSE(in.next_key(key));
  EXPECT_TRUE(in.at_end());
}

TEST(JsonCursor, leaves_escaped_strings_to_the_full_parser) {
  JsonCursor in(R"(["room\u0031"])");
  std::string_view room;
  ASSERT_TRUE(in.begin_array());
  ASSERT_TRUE(in.next_item());
  EXPECT_FALSE(in.read_string(room));
  EXPECT_FALSE(in.ok());
}

TEST(ClusterBroadcastEvent, reads_what_the_full_decoder_reads) {
  const std::string message =
      R"({"type":3,"data":{"opts":{"rooms":["room:1"],"except":["user:2"],"flags":{"volatile":true}},)"
      R"("packet":{"type":2,"data":["message",{"z":1,"a":[1.5,"é"]}],"nsp":"/chat"}},)"
      R"("uid":"4f2a","nsp":"/chat"})";
  auto event = clustered::decode_broadcast_event(message);
  ASSERT_TRUE(event);
  const auto full = clustered::decode(message);
  const auto options = clustered::options_from_json(full["data"]["opts"]);
  EXPECT_EQ(event->uid, full["uid"].get<std::string>());
  EXPECT_EQ(event->nsp, full["nsp"].get<std::string>());
  EXPECT_EQ(sio::socketio::parse_json(event->data), full["data"]["packet"]["data"]);
  EXPECT_EQ(event->data, full["data"]["packet"]["data"].dump());
  EXPECT_EQ(event->options.rooms, options.rooms);
  EXPECT_EQ(event->options.except, options.except);
  EXPECT_TRUE(event->options.flags.is_volatile);
}

TEST(ClusterBroadcastEvent, leaves_acks_other_types_and_bad_text_to_the_full_decoder) {
  const std::string_view others[] = {
      // with acks
      R"({"type":3,"data":{"opts":{},"packet":{"type":2,"data":["a"]},"requestId":"r1"},"uid":"u","nsp":"/"})",
      // an ack id in the packet
      R"({"type":3,"data":{"opts":{},"packet":{"type":2,"data":["a"],"id":4}},"uid":"u","nsp":"/"})",
      // another type
      R"({"type":4,"data":{"opts":{},"rooms":["a"]},"uid":"u","nsp":"/"})",
      // data that is not an array
      R"({"type":3,"data":{"opts":{},"packet":{"type":2,"data":"a"}},"uid":"u","nsp":"/"})",
      // a lone surrogate in the data
      R"({"type":3,"data":{"opts":{},"packet":{"type":2,"data":["\ud800"]}},"uid":"u","nsp":"/"})",
      // MessagePack (a binary)
      "\x84\xa4type\x03",
      // trailing text
      R"({"type":3,"data":{"opts":{},"packet":{"type":2,"data":["a"]}},"uid":"u","nsp":"/"} x)",
  };
  for (auto message : others) EXPECT_FALSE(clustered::decode_broadcast_event(message)) << message;
}

TEST(ClusterBroadcastEvent, reads_a_stream_entrys_data_field) {
  auto event = clustered::decode_broadcast_data(
      R"({"opts":{"rooms":[],"except":[],"flags":{}},"packet":{"type":2,"data":["tick",1]}})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->data, R"(["tick",1])");
  EXPECT_TRUE(event->options.rooms.empty());
  EXPECT_FALSE(event->options.flags.is_volatile);
}

// Small plain integers are read on a short way, the rest the full way: both as JSON reads them.
TEST(JsonCursor, reads_integers_as_json_does) {
  const std::string_view texts[] = {
      "3", " 42", "0", "7}", "12,", "-7", "-0", "99999999999999999", "999999999999999999",
      "9223372036854775807", "-9223372036854775808", "9223372036854775808", "01", "00",
      "1.5", "1e2", "2E1", "-", "", "x", "1x", "\"1\"", "true", "12345678901234567890"};
  for (auto text : texts) {
    JsonCursor in(text);
    std::int64_t value = -1;
    const bool read = in.read_integer(value);
    // The value at the start of the text as the full parser reads it: an integer a 64-bit
    // signed number holds, or not.
    JsonCursor first(text);
    std::string_view span;
    bool fits = false;
    if (first.skip(&span) && json::accept(span)) {
      const auto parsed = json::parse(span);
      fits =
          parsed.is_number_integer() &&
          (!parsed.is_number_unsigned() || parsed.get<std::uint64_t>() <= std::uint64_t{INT64_MAX});
    }
    EXPECT_EQ(read, fits) << text;
    if (!read) continue;
    EXPECT_EQ(value, json::parse(span).get<std::int64_t>()) << text;
    // The cursor is right after the number: what follows is what the full way leaves.
    EXPECT_EQ(in.at_end(), first.at_end()) << text;
  }
}
