#pragma once
// Reading JSON text where it is, without building values: the JSON counterpart of
// msgpack::Cursor, for messages other servers send as JSON text (the sharded and the streams
// adapters'). A value can be read (a string without escapes, an integer), stepped over, or taken
// as the span of text it covers — checked against the JSON grammar on the way, so that a span
// handed on to clients as it is is valid JSON (valid UTF-8, no lone surrogate escapes).
//
// Every read says whether it succeeded; once one fails the cursor stays failed.

#include <cstdint>
#include <string_view>

namespace sio::socketio {

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  // Nothing but whitespace left.
  bool at_end();

  // Objects: begin_object(), then while next_key(key) a value, member after member.
  bool begin_object();
  // The next member's key (a string without escapes); false at the closing brace (then the
  // cursor is past it and ok()) or on bad input (then it is not).
  bool next_key(std::string_view& key);
  // Arrays: begin_array(), then while next_item() a value.
  bool begin_array();
  bool next_item();

  // A string without escape sequences (its raw text, valid UTF-8).
  bool read_string(std::string_view& text);
  bool read_integer(std::int64_t& value);
  // Reads a value and says whether it was `true` (false for any other value).
  bool read_true();
  // Steps over the next value; `span` (if given) is its text.
  bool skip(std::string_view* span = nullptr);

 private:
  bool fail() { return ok_ = false; }
  void skip_whitespace();
  bool expect(char c);
  bool value(std::size_t depth);
  bool string(bool* escaped = nullptr);
  // A string of plain ASCII (no escapes, nothing to check) right at the cursor: read, and the
  // cursor past it. Otherwise false, the cursor where it was.
  bool plain_string(std::string_view& text);
  bool number();
  bool literal(std::string_view word);
  // Before an item or member: the closing `close` (false, cursor past it), else a comma unless
  // the container was just opened.
  bool next_in(char close);

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
  bool just_opened_ = false;  // begin_object/begin_array came last
};

}  // namespace sio::socketio
