// The short way of relaying a broadcast (MessagePack straight to JSON text) against the full way
// (decode to a value, then dump it): the same text whenever the short way takes a value, and a
// refusal — never different text — when it does not.

#include "socketio/msgpack_cursor.hpp"

#include <gtest/gtest.h>

#include "adapter/redis_messages.hpp"
#include "socketio/broadcast.hpp"
#include "socketio/msgpack.hpp"

namespace msgpack = sio::socketio::msgpack;
namespace redis = sio::adapter::redis;
using json = nlohmann::ordered_json;

namespace {

std::string full_way(std::string_view bytes) {
  return msgpack::decode(bytes).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> short_way(std::string_view bytes) {
  msgpack::Cursor cursor(bytes);
  std::string out;
  if (!cursor.append_json(out) || !cursor.at_end()) return std::nullopt;
  return out;
}

std::string raw(std::initializer_list<std::uint8_t> values) {
  return std::string(values.begin(), values.end());
}

}  // namespace

TEST(MsgpackCursor, writes_the_json_text_the_decoder_and_dump_write) {
  const json values[] = {
      json::array({"chat", {{"text", "hi"}, {"n", 1}}}),
      json::array({"e", 0, 127, 128, 255, 65536, 4294967296ULL, -1, -33, -129, -40000,
                   -3000000000LL, 1.5, -0.25, 0.1, true, false, nullptr}),
      json::array({"escapes", "quote \" backslash \\ newline \n tab \t nul " +
                                  std::string(1, '\0') + " \x1f del \x7f / slash"}),
      json::array({"unicode", "안녕하세요 € 😀"}),
      json::array({"nested", {{"a", {{"b", json::array({1, {{"c", "d"}}})}}}}, json::array()}),
      json::array({"keys in order", {{"z", 1}, {"a", 2}, {"m", 3}}}),
      json::array({std::string(300, 'x'), std::string(70000, 'y')}),
      json::array(),
  };
  for (const auto& value : values) {
    const auto bytes = msgpack::encode(value);
    auto text = short_way(bytes);
    ASSERT_TRUE(text) << value.dump();
    EXPECT_EQ(*text, full_way(bytes));
  }
}

TEST(MsgpackCursor, reads_every_integer_and_string_width) {
  // int8 5, int16 -2, uint16 300, str8 "ab", str16 "c", float32 0.5, array16 [], map16 {}
  const auto bytes =
      raw({0x98, 0xd0, 0x05, 0xd1, 0xff, 0xfe, 0xcd, 0x01, 0x2c, 0xd9, 0x02, 'a',  'b',  0xda,
           0x00, 0x01, 'c',  0xca, 0x3f, 0x00, 0x00, 0x00, 0xdc, 0x00, 0x00, 0xde, 0x00, 0x00});
  EXPECT_EQ(short_way(bytes), full_way(bytes));
  EXPECT_EQ(*short_way(bytes), R"([5,-2,300,"ab","c",0.5,[],{}])");
}

TEST(MsgpackCursor, writes_floats_as_the_full_way_does) {
  const std::string floats[] = {
      raw({0x91, 0xcb, 0x40, 0x08, 0, 0, 0, 0, 0, 0}),           // 3.0
      raw({0x91, 0xcb, 0x44, 0x2b, 0x8a, 0xeb, 0x3c, 0, 0, 0}),  // about 2.5e20
      raw({0x91, 0xca, 0x44, 0x09, 0x6c, 0x05}),                 // a float32
      raw({0x91, 0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0}),              // -0.0
  };
  for (const auto& bytes : floats) {
    auto text = short_way(bytes);
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, full_way(bytes));
  }
}

// Strings are scanned eight bytes at a time: every character that needs escaping, and every
// UTF-8 sequence (valid or not), at every position of a run of plain bytes.
TEST(MsgpackCursor, escapes_and_checks_a_string_wherever_the_character_falls) {
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\0'), "\x1f", "\x7f",
                                  "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x8e\x89"};
  const std::string invalid[] = {"\xc3", "\xc3\x28", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf",
                                 "\x80", "\xf8\x88\x80\x80\x80", "\xf4\x90\x80\x80"};
  for (std::size_t before = 0; before < 20; ++before) {
    for (std::size_t after : {0, 1, 7, 8, 13}) {
      for (const auto& special : specials) {
        const auto text = std::string(before, 'a') + special + std::string(after, 'b');
        const auto bytes = msgpack::encode(json::array({text}));
        EXPECT_EQ(short_way(bytes), full_way(bytes)) << before << " " << after;
      }
      for (const auto& bad : invalid) {
        const auto text = std::string(before, 'a') + bad + std::string(after, 'b');
        std::string out = "kept";
        EXPECT_FALSE(msgpack::append_json_string(text, out)) << before << " " << after;
        EXPECT_EQ(out, "kept");
      }
    }
  }
}

TEST(MsgpackCursor, refuses_what_json_text_cannot_carry_as_is) {
  const std::string refused[] = {
      msgpack::encode(json::array({"bin", json::binary({1, 2, 3})})),
      raw({0x91, 0xd4, 0x00, 0x00}),                    // legacy undefined
      raw({0x91, 0xd6, 0xff, 0x00, 0x00, 0x00, 0x01}),  // a Date (timestamp 32)
      raw({0x81, 0x01, 0xa1, 'x'}),                     // a number as a key
      raw({0x82, 0xa1, 'k', 0x01, 0xa1, 'k', 0x02}),    // a repeated key
      raw({0x91, 0xa2, 0xc3, 0x28}),                    // invalid UTF-8
      raw({0x91, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0}),  // NaN
      raw({0x92, 0xa1, 'x'}),                           // truncated
  };
  for (const auto& bytes : refused) EXPECT_FALSE(short_way(bytes)) << bytes.size();
}

// read_string, read_map and read_array take their short forms inline: a fixstr whose bytes are
// not all there, or a read after a failed one, must fail as the long forms do.
TEST(MsgpackCursor, reads_the_short_forms_only_when_they_are_whole) {
  // A cursor reads its bytes where they are: each input outlives its cursor.
  const auto abc = raw({0xa3, 'a', 'b', 'c'});
  {
    msgpack::Cursor cursor(abc);
    std::string_view text;
    ASSERT_TRUE(cursor.read_string(text));
    EXPECT_EQ(text, "abc");
    EXPECT_TRUE(cursor.at_end());
  }
  for (std::size_t cut = 0; cut < 4; ++cut) {  // "abc" with 0..2 of its bytes, or nothing
    const auto cut_short = abc.substr(0, cut);
    msgpack::Cursor cursor(cut_short);
    std::string_view text;
    EXPECT_FALSE(cursor.read_string(text)) << cut;
    EXPECT_FALSE(cursor.ok()) << cut;
  }
  {
    const auto empty = raw({0xa0});  // the empty string
    msgpack::Cursor cursor(empty);
    std::string_view text = "x";
    ASSERT_TRUE(cursor.read_string(text));
    EXPECT_EQ(text, "");
    EXPECT_TRUE(cursor.at_end());
  }
  {
    // A failed read (a map where an array is asked for) leaves the cursor failed: the string,
    // the map and the array after it are not read, though their bytes are whole.
    const auto map = raw({0x81, 0xa1, 'k', 0x90, 0x80});
    msgpack::Cursor cursor(map);
    std::uint64_t size = 0;
    EXPECT_FALSE(cursor.read_array(size));
    std::string_view text;
    EXPECT_FALSE(cursor.read_string(text));
    EXPECT_FALSE(cursor.read_array(size));
    EXPECT_FALSE(cursor.read_map(size));
  }
  {
    const auto headers = raw({0x82, 0x9f, 0xdc, 0x00, 0x02, 0xde, 0x00, 0x01});
    msgpack::Cursor cursor(headers);
    std::uint64_t size = 0;
    ASSERT_TRUE(cursor.read_map(size));
    EXPECT_EQ(size, 2u);
    ASSERT_TRUE(cursor.read_array(size));
    EXPECT_EQ(size, 15u);
    ASSERT_TRUE(cursor.read_array(size));  // array16
    EXPECT_EQ(size, 2u);
    ASSERT_TRUE(cursor.read_map(size));  // map16
    EXPECT_EQ(size, 1u);
    EXPECT_TRUE(cursor.at_end());
    EXPECT_FALSE(cursor.read_map(size));  // nothing left
  }
}

TEST(MsgpackCursor, refuses_nesting_deeper_than_the_decoder_allows) {
  std::string deep(msgpack::kDefaultMaxDepth + 1, static_cast<char>(0x91));
  deep.push_back(0x01);
  EXPECT_FALSE(short_way(deep));
  EXPECT_THROW(msgpack::decode(deep), msgpack::DecodeError);
}

TEST(MsgpackCursor, skips_any_value_however_deep) {
  std::string deep(100000, static_cast<char>(0x91));
  deep.push_back(0x01);
  deep.push_back(0x07);
  msgpack::Cursor cursor(deep);
  ASSERT_TRUE(cursor.skip());
  std::int64_t next = 0;
  EXPECT_TRUE(cursor.read_integer(next));
  EXPECT_EQ(next, 7);
  EXPECT_TRUE(cursor.at_end());
}

TEST(RedisBroadcastEvent, reads_what_the_full_decoder_reads) {
  sio::socketio::Packet packet;
  packet.type = sio::socketio::PacketType::event;
  packet.nsp = "/chat";
  packet.data = json::array({"message", {{"room", 7}, {"text", "héllo"}}});
  sio::adapter::BroadcastOptions options;
  options.rooms = {"room:7", "room:8"};
  options.except = {"user:1"};
  options.flags.is_volatile = true;
  const auto bytes = redis::encode_broadcast("abc123", packet, options);

  auto event = redis::decode_broadcast_event(bytes);
  auto full = redis::decode_broadcast(bytes);
  ASSERT_TRUE(event);
  ASSERT_TRUE(full);
  EXPECT_EQ(event->uid, full->uid);
  EXPECT_EQ(event->nsp, full->packet.nsp);
  EXPECT_EQ(event->data, full->packet.data.dump());
  EXPECT_EQ(event->options.rooms, full->options.rooms);
  EXPECT_EQ(event->options.except, full->options.except);
  EXPECT_TRUE(event->options.flags.is_volatile);
}

TEST(RedisBroadcastEvent, leaves_binaries_and_acks_to_the_full_decoder) {
  sio::socketio::Packet packet;
  packet.type = sio::socketio::PacketType::event;
  packet.data = json::array({"file", json::binary({1, 2})});
  EXPECT_FALSE(redis::decode_broadcast_event(redis::encode_broadcast("u", packet, {})));
  EXPECT_TRUE(redis::decode_broadcast(redis::encode_broadcast("u", packet, {})));

  packet.data = json::array({"ask"});
  packet.id = 3;
  EXPECT_FALSE(redis::decode_broadcast_event(redis::encode_broadcast("u", packet, {})));
}

TEST(RedisBroadcastEvent, refuses_a_second_data_member) {
  // {type: 2, data: ["a"], data: ["b"]}: the full decoder settles it as JavaScript would.
  const auto bytes =
      raw({0x92, 0xa1, 'u',  0x83, 0xa4, 't',  'y', 'p', 'e', 0x02, 0xa4, 'd',  'a',
           't',  'a',  0x91, 0xa1, 'a',  0xa4, 'd', 'a', 't', 'a',  0x91, 0xa1, 'b'});
  EXPECT_FALSE(redis::decode_broadcast_event(bytes));
  auto full = redis::decode_broadcast(bytes);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->packet.data, json::array({"b"}));
}

TEST(EventBroadcast, encodes_the_same_frame_as_the_packet_encoder) {
  sio::socketio::Packet packet;
  packet.type = sio::socketio::PacketType::event;
  for (const auto* nsp : {"/", "/admin"}) {
    for (const auto& data : {json::array({"tick", {{"n", 1}}}), json::array()}) {
      packet.nsp = nsp;
      packet.data = data;
      for (const bool with_offset : {false, true}) {
        std::optional<sio::socketio::Broadcast::Offset> offset;
        if (with_offset) offset = sio::socketio::Broadcast::Offset{4, 1, "4-1"};
        auto expected =
            sio::socketio::encode_broadcast(packet, {}, sio::socketio::Parser::text, offset);
        auto actual = sio::socketio::encode_event_broadcast(nsp, data.dump(), {}, offset);
        const auto actual_frames = frames_of(actual);
        const auto expected_frames = frames_of(expected);
        ASSERT_EQ(actual_frames.size(), 1u);
        EXPECT_EQ(actual_frames[0]->websocket_bytes(), expected_frames[0]->websocket_bytes());
        EXPECT_EQ(actual_frames[0]->websocket_header(), expected_frames[0]->websocket_header());
      }
    }
  }
}
