// The msgpack codec of the Redis adapter against bytes that Node's notepack.io 3.0.1 (the codec
// of @socket.io/redis-adapter 8.3 and @socket.io/redis-emitter 5.1) produced: the hex constants
// below were generated once with `require("notepack.io").encode(value).toString("hex")` and
// pasted here, the JavaScript value beside each.

#include "socketio/msgpack.hpp"

#include <gtest/gtest.h>

namespace msgpack = sio::socketio::msgpack;
using json = nlohmann::ordered_json;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

json bytes(std::initializer_list<std::uint8_t> values) {
  return json::binary(std::vector<std::uint8_t>(values));
}

// [0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768,
//  -32769, -2147483648, -2147483649, 1.5, -0.25, 3.0]
constexpr std::string_view kNumbers =
    "dc0015007fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000ffe0d0dfd080d1ff7fd18000"
    "d2ffff7fffd280000000d3ffffffff7fffffffcb3ff8000000000000cbbfd000000000000003";

// ["", "a".repeat(31), "b".repeat(32), "é€😀"]
constexpr std::string_view kStrings =
    "94a0bf61616161616161616161616161616161616161616161616161616161616161d9206262626262626262626262"
    "62"
    "6262626262626262626262626262626262626262a9c3a9e282acf09f9880";

// [Buffer.alloc(0), Buffer.from([4, 5]), new Uint8Array([6, 7]).buffer]
constexpr std::string_view kBuffers = "93c400c4020405c4020607";

// [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))]
constexpr std::string_view kDates = "92d6ff65937d25d7ffa1a5d60065937d25";

// [null, true, false, {skipped: undefined, kept: 1}, [undefined]]
constexpr std::string_view kUndefined = "95c0c3c281a46b6570740191c0";

}  // namespace

TEST(RedisMsgpack, writes_numbers_as_notepack_does) {
  json numbers =
      json::array({0,   127,   128, 255,  256,  65535,  65536,  4294967295U,   4294967296U,
                   -1,  -32,   -33, -128, -129, -32768, -32769, -2147483648LL, -2147483649LL,
                   1.5, -0.25, 3.0});
  EXPECT_EQ(to_hex(msgpack::encode(numbers)), kNumbers);
}

TEST(RedisMsgpack, reads_numbers_written_by_notepack) {
  const auto numbers = msgpack::decode(from_hex(kNumbers));
  EXPECT_EQ(numbers,
            json::parse("[0,127,128,255,256,65535,65536,4294967295,4294967296,-1,-32,-33,-128,"
                        "-129,-32768,-32769,-2147483648,-2147483649,1.5,-0.25,3]"));
}

TEST(RedisMsgpack, writes_and_reads_strings_of_every_length_class) {
  json strings = json::array({"", std::string(31, 'a'), std::string(32, 'b'), "é€😀"});
  EXPECT_EQ(to_hex(msgpack::encode(strings)), kStrings);
  EXPECT_EQ(msgpack::decode(from_hex(kStrings)), strings);
  // "c".repeat(256) starts with da0100 (str 16).
  const auto long_string = msgpack::encode(std::string(256, 'c'));
  EXPECT_EQ(to_hex(long_string.substr(0, 3)), "da0100");
  EXPECT_EQ(msgpack::decode(long_string), std::string(256, 'c'));
}

TEST(RedisMsgpack, buffers_and_array_buffers_become_binaries) {
  const auto decoded = msgpack::decode(from_hex(kBuffers));
  EXPECT_EQ(decoded, json::array({bytes({}), bytes({4, 5}), bytes({6, 7})}));
  EXPECT_EQ(to_hex(msgpack::encode(decoded)), kBuffers);
}

TEST(RedisMsgpack, large_binaries_use_bin_16) {
  const json big = json::binary(std::vector<std::uint8_t>(256, 9));
  const auto encoded = msgpack::encode(big);
  EXPECT_EQ(to_hex(encoded.substr(0, 3)), "c50100");
  EXPECT_EQ(msgpack::decode(encoded), big);
}

TEST(RedisMsgpack, dates_become_iso_strings_as_json_stringify_makes_them) {
  EXPECT_EQ(msgpack::decode(from_hex(kDates)),
            json::array({"2024-01-02T03:04:05.000Z", "2024-01-02T03:04:05.678Z"}));
}

TEST(RedisMsgpack, undefined_is_null_in_arrays_and_absent_in_maps) {
  EXPECT_EQ(msgpack::decode(from_hex(kUndefined)),
            json::parse(R"([null, true, false, {"kept": 1}, [null]])"));
}

TEST(RedisMsgpack, reads_what_older_notepack_versions_wrote) {
  // notepack 2: undefined as fixext 1 type 0, Date as fixext 8 type 0 (ms), ArrayBuffer as ext 8
  // type 0.
  EXPECT_EQ(msgpack::decode(from_hex("92d40000c0")), json::array({nullptr, nullptr}));
  EXPECT_EQ(msgpack::decode(from_hex("82a161d40000a16201")), json::parse(R"({"b": 1})"));
  EXPECT_EQ(msgpack::decode(from_hex("d7000000018cc820db2e")), "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(msgpack::decode(from_hex("c703000a0b0c")), bytes({10, 11, 12}));
}

TEST(RedisMsgpack, other_extensions_become_type_and_bytes) {
  EXPECT_EQ(msgpack::decode(from_hex("d50561ff")), json::array({5, bytes({0x61, 0xff})}));
}

TEST(RedisMsgpack, maps_of_sixteen_keys_use_map_16) {
  json map = json::object();
  for (int i = 0; i < 16; ++i) map["k" + std::to_string(i)] = i;
  const auto encoded = msgpack::encode(map);
  EXPECT_EQ(to_hex(encoded.substr(0, 3)), "de0010");
  EXPECT_EQ(msgpack::decode(encoded), map);
}

TEST(RedisMsgpack, rejects_truncated_and_trailing_bytes) {
  EXPECT_THROW(msgpack::decode(from_hex("92a3616263")), msgpack::DecodeError);
  EXPECT_THROW(msgpack::decode(from_hex("d9ff61")), msgpack::DecodeError);
  EXPECT_THROW(msgpack::decode(from_hex("c0c0")), msgpack::DecodeError);
  EXPECT_THROW(msgpack::decode(""), msgpack::DecodeError);
  EXPECT_THROW(msgpack::decode(from_hex("c1")), msgpack::DecodeError);
}

TEST(RedisMsgpack, rejects_hostile_nesting_without_exhausting_the_stack) {
  EXPECT_THROW(msgpack::decode(std::string(100000, static_cast<char>(0x91))), msgpack::DecodeError);
}

TEST(RedisMsgpack, dates_outside_four_digit_years_print_as_javascript_prints_them) {
  // Date.UTC(-1, 0, 1), then 8.64e15 ms (the last valid Date), then one ms past it (legacy form).
  EXPECT_EQ(msgpack::decode(from_hex("d700ffffc76e394a7400")), "-000001-01-01T00:00:00.000Z");
  EXPECT_EQ(msgpack::decode(from_hex("d700001eb208c2dc0000")), "+275760-09-13T00:00:00.000Z");
  EXPECT_EQ(msgpack::decode(from_hex("d700001eb208c2dc0001")), nullptr);  // invalid Date
}

// A map key that is not a string becomes its JSON text, as a JavaScript property name would; a
// string inside it that is not UTF-8 must not make that throw (found by fuzz/socketio_decoder).
TEST(Msgpack, non_string_key_holding_invalid_utf8_does_not_throw) {
  // {[["\xff"]]: 1}
  const auto value = msgpack::decode(from_hex("81" "91" "a1ff" "01"));
  ASSERT_TRUE(value.is_object());
  EXPECT_EQ(value.size(), 1u);
}
