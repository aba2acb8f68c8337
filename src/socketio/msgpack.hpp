#pragma once
// MessagePack as notepack.io writes and reads it — the codec of socket.io-msgpack-parser, and of
// @socket.io/redis-adapter and @socket.io/redis-emitter on Redis — mapped onto JSON values.
//
// Writing follows notepack byte for byte: integral numbers (floats included) take the smallest
// integer form, other numbers float 64, binaries bin 8/16/32. Reading accepts anything notepack
// may produce, newer or older: `undefined` (nil, or the legacy fixext 1 type 0) becomes null in an
// array and drops the key in a map; a Date (timestamp ext −1, or the legacy fixext 8 type 0)
// becomes its ISO-8601 string, as JSON.stringify would send it to a client; a legacy ArrayBuffer
// (ext type 0) becomes a binary; any other ext becomes [type, bytes], as notepack returns it.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sio::socketio::msgpack {

using json = nlohmann::ordered_json;

struct DecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Appends MessagePack to a string. Containers are written header first, then their items, so a
// caller can keep the key order of a Node object literal.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void nil() { out_.push_back(static_cast<char>(0xc0)); }
  void boolean(bool value) { out_.push_back(static_cast<char>(value ? 0xc3 : 0xc2)); }
  void integer(std::int64_t value);
  void unsigned_integer(std::uint64_t value);
  void number(double value);
  void string(std::string_view value);
  void binary(std::string_view bytes);
  void array_header(std::size_t size);
  void map_header(std::size_t size);
  void value(const json& value);

 private:
  void put_be(std::uint64_t value, int bytes);
  std::string& out_;
};

std::string encode(const json& value);
// Throws DecodeError on malformed or truncated input, trailing bytes, or containers nested deeper
// than `max_depth` (the value itself is depth 1). A map's keys are appended in the order they come
// (linear time, however many); a repeated key keeps its first place and its last value.
constexpr std::size_t kDefaultMaxDepth = 200;
json decode(std::string_view bytes, std::size_t max_depth = kDefaultMaxDepth);

}  // namespace sio::socketio::msgpack
