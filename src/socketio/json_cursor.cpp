#include "socketio/json_cursor.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "engineio/utf8.hpp"
#include "socketio/plain_text.hpp"

namespace sio::socketio {

namespace {

// As deep as the MessagePack decoder goes; deeper text is read the full way, if at all.
constexpr std::size_t kMaxDepth = 200;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void JsonCursor::skip_whitespace() {
  while (pos_ < in_.size() &&
         (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
    ++pos_;
  }
}

bool JsonCursor::at_end() {
  skip_whitespace();
  return ok_ && pos_ == in_.size();
}

bool JsonCursor::expect(char c) {
  if (pos_ < in_.size() && in_[pos_] == c) {  // most JSON: no whitespace between tokens
    ++pos_;
    return ok_;
  }
  skip_whitespace();
  if (!ok_ || pos_ >= in_.size() || in_[pos_] != c) return fail();
  ++pos_;
  return true;
}

bool JsonCursor::begin_object() {
  if (!expect('{')) return false;
  just_opened_ = true;
  return true;
}

bool JsonCursor::begin_array() {
  if (!expect('[')) return false;
  just_opened_ = true;
  return true;
}

bool JsonCursor::next_in(char close) {
  skip_whitespace();
  if (!ok_ || pos_ >= in_.size()) return fail();
  const bool first = just_opened_;
  just_opened_ = false;
  if (in_[pos_] == close) {
    // `[1,]` is not JSON: a closing bracket is taken before any comma only.
    ++pos_;
    return false;
  }
  return first || expect(',');
}

bool JsonCursor::next_key(std::string_view& key) {
  return next_in('}') && read_string(key) && expect(':');
}

bool JsonCursor::next_item() {
  return next_in(']');
}

bool JsonCursor::read_string(std::string_view& text) {
  skip_whitespace();
  if (plain_string(text)) return ok_;
  const auto start = pos_ + 1;
  bool escaped = false;
  if (!string(&escaped)) return false;
  if (escaped) return fail();
  text = in_.substr(start, pos_ - 1 - start);
  return true;
}

bool JsonCursor::read_integer(std::int64_t& value) {
  skip_whitespace();
  // Most integers read here are small and plain (a packet's or a message's type): digits, then
  // what ends a number. A sign, a fraction, an exponent, a leading zero or more digits than
  // kPlainDigits go the full way.
  constexpr std::size_t kPlainDigits = 18;  // at most 999…9 (18 nines): no overflow
  auto last = pos_;
  std::int64_t plain = 0;
  while (last < in_.size() && last - pos_ < kPlainDigits && is_digit(in_[last])) {
    plain = plain * 10 + (in_[last++] - '0');
  }
  const bool ended = last == in_.size() || (!is_digit(in_[last]) && in_[last] != '.' &&
                                            in_[last] != 'e' && in_[last] != 'E');
  const bool leading_zero = last - pos_ > 1 && in_[pos_] == '0';
  if (ok_ && last > pos_ && ended && !leading_zero) {
    value = plain;
    pos_ = last;
    just_opened_ = false;
    return true;
  }
  std::string_view span;
  if (!skip(&span)) return false;
  auto [end, ec] = std::from_chars(span.data(), span.data() + span.size(), value);
  return (ec == std::errc() && end == span.data() + span.size()) || fail();
}

bool JsonCursor::read_true() {
  std::string_view span;
  return skip(&span) && span == "true";
}

bool JsonCursor::skip(std::string_view* span) {
  skip_whitespace();
  const auto start = pos_;
  if (!value(1)) return false;
  just_opened_ = false;
  if (span) *span = in_.substr(start, pos_ - start);
  return true;
}

bool JsonCursor::value(std::size_t depth) {
  skip_whitespace();
  if (!ok_ || pos_ >= in_.size()) return fail();
  switch (in_[pos_]) {
    case '"':
      return string();
    case 't':
      return literal("true");
    case 'f':
      return literal("false");
    case 'n':
      return literal("null");
    case '{': {
      if (depth > kMaxDepth) return fail();
      begin_object();
      std::string_view key;
      while (next_key(key)) {
        if (!value(depth + 1)) return false;
      }
      return ok_;
    }
    case '[': {
      if (depth > kMaxDepth) return fail();
      begin_array();
      while (next_item()) {
        if (!value(depth + 1)) return false;
      }
      return ok_;
    }
    default:
      return number();
  }
}

bool JsonCursor::literal(std::string_view word) {
  if (in_.substr(pos_, word.size()) != word) return fail();
  pos_ += word.size();
  return true;
}

bool JsonCursor::number() {
  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  auto digits = [&] {
    const auto from = pos_;
    while (pos_ < in_.size() && is_digit(in_[pos_])) ++pos_;
    return pos_ > from;
  };
  const auto start = pos_;
  if (pos_ < in_.size() && in_[pos_] == '-') ++pos_;
  if (pos_ < in_.size() && in_[pos_] == '0') {
    ++pos_;
  } else if (!digits()) {
    return fail();
  }
  if (pos_ < in_.size() && in_[pos_] == '.') {
    ++pos_;
    if (!digits()) return fail();
  }
  bool exponent = false;
  if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
    exponent = true;
    ++pos_;
    if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
    if (!digits()) return fail();
  }
  // As the full parser: a number beyond a double's range (1e999) is refused, not made infinite.
  if (exponent || pos_ - start > 300) {
    const std::string text(in_.substr(start, pos_ - start));
    if (!std::isfinite(std::strtod(text.c_str(), nullptr))) return fail();
  }
  return true;
}

bool JsonCursor::plain_string(std::string_view& text) {
  if (pos_ >= in_.size() || in_[pos_] != '"') return false;
  const auto start = pos_ + 1;
  const auto end = skip_plain_text(in_, start);
  if (end >= in_.size() || in_[end] != '"') return false;
  text = std::string_view(in_.data() + start, end - start);
  pos_ = end + 1;
  return true;
}

bool JsonCursor::string(bool* escaped) {
  skip_whitespace();
  std::string_view plain;
  if (plain_string(plain)) return ok_;
  if (!expect('"')) return false;
  const auto start = pos_;
  bool ascii = true;
  // A high surrogate escape waits for its low half.
  bool pending_high = false;
  while (true) {
    if (!pending_high) pos_ = skip_plain_text(in_, pos_);
    if (pos_ >= in_.size()) return fail();
    const auto c = static_cast<unsigned char>(in_[pos_]);
    if (c == '"') {
      if (pending_high) return fail();
      break;
    }
    if (c < 0x20) return fail();
    if (c >= 0x80) ascii = false;
    if (c != '\\') {
      if (pending_high) return fail();
      ++pos_;
      continue;
    }
    if (escaped) *escaped = true;
    if (pos_ + 1 >= in_.size()) return fail();
    const char e = in_[pos_ + 1];
    if (e != 'u') {
      if (pending_high || (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                           e != 'r' && e != 't')) {
        return fail();
      }
      pos_ += 2;
      continue;
    }
    if (pos_ + 6 > in_.size()) return fail();
    int unit = 0;
    for (std::size_t i = pos_ + 2; i < pos_ + 6; ++i) {
      const int h = hex_value(in_[i]);
      if (h < 0) return fail();
      unit = unit * 16 + h;
    }
    const bool high = unit >= 0xD800 && unit <= 0xDBFF;
    const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
    if (low != pending_high) return fail();  // a lone half
    pending_high = high;
    pos_ += 6;
  }
  if (!ascii && !engineio::is_valid_utf8(in_.substr(start, pos_ - start))) return fail();
  ++pos_;  // the closing quote
  return true;
}

}  // namespace sio::socketio
