#pragma once
// Reading MessagePack where it is, without building values: what relays a message from another
// server to the clients — read the few fields it needs, copy the data across as JSON text —
// without a JSON value made, walked and freed for every broadcast.
//
// A Cursor reads one value after the other. Every read says whether the next value was of the
// kind asked for; once one fails (wrong kind, truncated input) the cursor stays failed.

#include <cstdint>
#include <string>
#include <string_view>

namespace sio::socketio {
class TextWriter;
}

namespace sio::socketio::msgpack {

class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && pos_ == in_.size(); }

  // The short forms (fixarray, fixmap, fixstr: what small messages are made of) are read here,
  // inline; the others by next().
  bool read_array(std::uint64_t& size) { return read_header(0x90, Kind::array, size); }
  bool read_map(std::uint64_t& size) { return read_header(0x80, Kind::map, size); }
  bool read_string(std::string_view& text) {
    if (const auto tag = peek(); (tag & 0xe0) == 0xa0 && (tag & 0x1fu) < in_.size() - pos_) {
      text = in_.substr(pos_ + 1, tag & 0x1fu);
      pos_ += 1 + text.size();
      return true;
    }
    return read_string_token(text);
  }
  // Any integer type; a value outside int64 fails.
  bool read_integer(std::int64_t& value);
  // Reads a value and says whether it was `true` (false for any other value).
  bool read_true();
  // Steps over the next value, whatever it holds.
  bool skip();

  // Appends the next value as JSON text, exactly as decode() followed by a JSON dump would write
  // it (keys in their order, strings escaped as JSON.stringify does). Fails, leaving `out`
  // partly written, on what JSON text cannot carry as it is — binaries, extension types (dates,
  // legacy undefined), map keys that are not strings or that repeat, invalid UTF-8, NaN and
  // infinities — and on nesting deeper than decode() allows: the caller then decodes the value
  // the full way.
  bool append_json(std::string& out);

 private:
  enum class Kind { nil, boolean, uint, sint, float64, string, binary, array, map, ext };
  struct Token {
    Kind kind = Kind::nil;
    std::uint64_t number = 0;  // the size of a container, the bits of a number
    std::string_view bytes;    // a string's, a binary's or an ext's payload
  };

  bool next(Token& token);
  // The next byte, or 0xc1 (a tag MessagePack never uses) when there is none or the cursor failed.
  std::uint8_t peek() const {
    return ok_ && pos_ < in_.size() ? static_cast<std::uint8_t>(in_[pos_]) : 0xc1;
  }
  // An array's or a map's header: `fixed` is its short form's tag (size in the low four bits).
  bool read_header(std::uint8_t fixed, Kind kind, std::uint64_t& size) {
    if (const auto tag = peek(); (tag & 0xf0) == fixed) {
      ++pos_;
      size = tag & 0x0f;
      return true;
    }
    return read_header_token(kind, size);
  }
  bool read_header_token(Kind kind, std::uint64_t& size);
  bool read_string_token(std::string_view& text);
  bool fail() { return ok_ = false; }
  bool take(std::uint64_t n, std::string_view& out);
  bool be(int bytes, std::uint64_t& value);
  bool append_json(TextWriter& out, std::size_t depth);
  bool append_map(TextWriter& out, std::uint64_t size, std::size_t depth);

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Appends `text` as a JSON string, as JSON.stringify writes it; false (nothing appended) when it
// is not valid UTF-8.
bool append_json_string(std::string_view text, std::string& out);

}  // namespace sio::socketio::msgpack
