#include "socketio/msgpack_cursor.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "engineio/utf8.hpp"
#include "socketio/msgpack.hpp"
#include "socketio/plain_text.hpp"
#include "socketio/text_writer.hpp"

namespace sio::socketio::msgpack {

namespace {

// Keys a map may have for the repeated-key check done here; a bigger map is decoded in full.
constexpr std::size_t kMaxCheckedKeys = 32;

// The longest escape of one character: \u001f.
constexpr std::size_t kLongestEscape = 6;

void write_escape(unsigned char c, TextWriter& out) {
  out.put('\\');
  switch (c) {
    case '"':
    case '\\':
      out.put(static_cast<char>(c));
      return;
    case '\b':
      out.put('b');
      return;
    case '\f':
      out.put('f');
      return;
    case '\n':
      out.put('n');
      return;
    case '\r':
      out.put('r');
      return;
    case '\t':
      out.put('t');
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      out.put("u00");
      out.put(kHex[c >> 4]);
      out.put(kHex[c & 0x0f]);
    }
  }
}

bool write_number(double value, TextWriter& out) {
  // Written by the JSON library's own routine, so that the text is the one the full way dumps
  // (its shortest form is not always the one std::to_chars picks; both read back the same).
  if (!std::isfinite(value)) return false;
  constexpr std::size_t kRoom = 64;
  out.room(kRoom);
  out.advance_to(nlohmann::detail::to_chars(out.cursor(), out.cursor() + kRoom, value));
  return true;
}

// `text` as a JSON string, as JSON.stringify writes it; false (nothing written) when it is not
// valid UTF-8.
bool write_json_string(std::string_view text, TextWriter& out) {
  auto p = skip_plain_text(text, 0);
  if (p == text.size()) {  // most strings: plain ASCII, written as they are
    out.room(text.size() + 2);
    out.put('"');
    out.put(text);
    out.put('"');
    return true;
  }
  const auto size_before = out.size();
  out.room(1);
  out.put('"');
  std::size_t run = 0;  // the start of the bytes not written yet
  while (p < text.size()) {
    const auto c = static_cast<unsigned char>(text[p]);
    if (c >= 0x80) {
      const std::size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      if (text.size() - p < length || !engineio::is_valid_utf8(text.substr(p, length))) {
        out.cut(size_before);
        return false;
      }
      p += length;
    } else {  // a control character, '"' or '\\'
      out.room(p - run + kLongestEscape);
      out.put(text.substr(run, p - run));
      write_escape(c, out);
      run = ++p;
    }
    p = skip_plain_text(text, p);
  }
  out.room(text.size() - run + 1);
  out.put(text.substr(run));
  out.put('"');
  return true;
}

}  // namespace

bool append_json_string(std::string_view text, std::string& out) {
  TextWriter writer(out, text.size() + 2);
  return write_json_string(text, writer);
}

bool Cursor::take(std::uint64_t n, std::string_view& out) {
  if (n > in_.size() - pos_) return fail();
  out = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Cursor::be(int bytes, std::uint64_t& value) {
  std::string_view raw;
  if (!take(static_cast<std::uint64_t>(bytes), raw)) return false;
  value = 0;
  for (unsigned char c : raw) value = (value << 8) | c;
  return true;
}

bool Cursor::next(Token& t) {
  if (!ok_ || pos_ >= in_.size()) return fail();
  const auto tag = static_cast<std::uint8_t>(in_[pos_++]);
  t.bytes = {};
  auto sized = [&](Kind kind, int size_bytes) {
    t.kind = kind;
    return be(size_bytes, t.number);
  };
  auto payload = [&](Kind kind, int size_bytes) {
    std::uint64_t n = 0;
    if (!be(size_bytes, n)) return false;
    t.kind = kind;
    return take(n, t.bytes);
  };
  auto ext = [&](std::uint64_t n) {
    t.kind = Kind::ext;
    return take(n + 1, t.bytes);  // the type byte, then the data
  };
  if (tag < 0x80) {
    t.kind = Kind::uint;
    t.number = tag;
    return true;
  }
  if (tag >= 0xe0) {
    t.kind = Kind::sint;
    t.number = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(tag)));
    return true;
  }
  if ((tag & 0xf0) == 0x80 || (tag & 0xf0) == 0x90) {
    t.kind = (tag & 0xf0) == 0x80 ? Kind::map : Kind::array;
    t.number = tag & 0x0f;
    return true;
  }
  if ((tag & 0xe0) == 0xa0) {
    t.kind = Kind::string;
    return take(tag & 0x1f, t.bytes);
  }
  switch (tag) {
    case 0xc0:
      t.kind = Kind::nil;
      return true;
    case 0xc2:
    case 0xc3:
      t.kind = Kind::boolean;
      t.number = tag == 0xc3;
      return true;
    case 0xc4:
      return payload(Kind::binary, 1);
    case 0xc5:
      return payload(Kind::binary, 2);
    case 0xc6:
      return payload(Kind::binary, 4);
    case 0xc7:
    case 0xc8:
    case 0xc9: {
      std::uint64_t n = 0;
      return be(tag == 0xc7 ? 1 : tag == 0xc8 ? 2 : 4, n) && ext(n);
    }
    case 0xca: {
      if (!sized(Kind::float64, 4)) return false;
      const auto f = std::bit_cast<float>(static_cast<std::uint32_t>(t.number));
      t.number = std::bit_cast<std::uint64_t>(static_cast<double>(f));
      return true;
    }
    case 0xcb:
      return sized(Kind::float64, 8);
    case 0xcc:
      return sized(Kind::uint, 1);
    case 0xcd:
      return sized(Kind::uint, 2);
    case 0xce:
      return sized(Kind::uint, 4);
    case 0xcf:
      return sized(Kind::uint, 8);
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const int bytes = 1 << (tag - 0xd0);
      if (!sized(Kind::sint, bytes)) return false;
      if (bytes < 8) {  // sign-extend
        const int shift = 64 - 8 * bytes;
        t.number =
            static_cast<std::uint64_t>(static_cast<std::int64_t>(t.number << shift) >> shift);
      }
      return true;
    }
    case 0xd4:
      return ext(1);
    case 0xd5:
      return ext(2);
    case 0xd6:
      return ext(4);
    case 0xd7:
      return ext(8);
    case 0xd8:
      return ext(16);
    case 0xd9:
      return payload(Kind::string, 1);
    case 0xda:
      return payload(Kind::string, 2);
    case 0xdb:
      return payload(Kind::string, 4);
    case 0xdc:
      return sized(Kind::array, 2);
    case 0xdd:
      return sized(Kind::array, 4);
    case 0xde:
      return sized(Kind::map, 2);
    case 0xdf:
      return sized(Kind::map, 4);
    default:
      return fail();
  }
}

bool Cursor::read_header_token(Kind kind, std::uint64_t& size) {
  Token t;
  if (!next(t) || t.kind != kind) return fail();
  size = t.number;
  return true;
}

bool Cursor::read_string_token(std::string_view& text) {
  Token t;
  if (!next(t) || t.kind != Kind::string) return fail();
  text = t.bytes;
  return true;
}

bool Cursor::read_integer(std::int64_t& value) {
  Token t;
  if (!next(t)) return false;
  if (t.kind == Kind::sint) {
    value = static_cast<std::int64_t>(t.number);
    return true;
  }
  if (t.kind != Kind::uint || t.number > static_cast<std::uint64_t>(INT64_MAX)) return fail();
  value = static_cast<std::int64_t>(t.number);
  return true;
}

bool Cursor::read_true() {
  const auto start = pos_;
  Token t;
  if (!next(t)) return false;
  if (t.kind == Kind::boolean) return t.number == 1;
  pos_ = start;  // a container, say: step over all of it
  skip();
  return false;
}

bool Cursor::skip() {
  // Iterative: hostile nesting cannot exhaust the stack.
  std::uint64_t remaining = 1;
  Token t;
  while (remaining > 0) {
    if (!next(t)) return false;
    --remaining;
    if (t.kind == Kind::array) remaining += t.number;
    if (t.kind == Kind::map) remaining += 2 * t.number;
  }
  return true;
}

bool Cursor::append_json(std::string& out) {
  // Room for about what is left of the input: JSON text takes about as many bytes.
  TextWriter writer(out, in_.size() - pos_ + 16);
  return append_json(writer, 1);
}

bool Cursor::append_json(TextWriter& out, std::size_t depth) {
  Token t;
  if (!next(t)) return false;
  switch (t.kind) {
    case Kind::nil:
      out.room(4);
      out.put("null");
      return true;
    case Kind::boolean:
      out.room(5);
      out.put(t.number ? std::string_view("true") : std::string_view("false"));
      return true;
    case Kind::uint:
    case Kind::sint: {
      constexpr std::size_t kRoom = 24;
      out.room(kRoom);
      char* at = out.cursor();
      out.advance_to(t.kind == Kind::uint
                         ? std::to_chars(at, at + kRoom, t.number).ptr
                         : std::to_chars(at, at + kRoom, static_cast<std::int64_t>(t.number)).ptr);
      return true;
    }
    case Kind::float64:
      return write_number(std::bit_cast<double>(t.number), out) || fail();
    case Kind::string:
      return write_json_string(t.bytes, out) || fail();
    case Kind::array: {
      if (depth > kDefaultMaxDepth) return fail();
      out.room(1);
      out.put('[');
      for (std::uint64_t i = 0; i < t.number; ++i) {
        if (i > 0) {
          out.room(1);
          out.put(',');
        }
        if (!append_json(out, depth + 1)) return false;
      }
      out.room(1);
      out.put(']');
      return true;
    }
    case Kind::map:
      if (depth > kDefaultMaxDepth) return fail();
      return append_map(out, t.number, depth);
    case Kind::binary:
    case Kind::ext:
      return fail();
  }
  return fail();
}

bool Cursor::append_map(TextWriter& out, std::uint64_t size, std::size_t depth) {
  if (size > kMaxCheckedKeys) return fail();
  // The keys read so far: only the first i are ever looked at, so the rest is left as it is (a
  // zeroed array of 32 would cost more than a small map's whole check).
  const char* key_data[kMaxCheckedKeys];
  std::size_t key_size[kMaxCheckedKeys];
  out.room(1);
  out.put('{');
  for (std::uint64_t i = 0; i < size; ++i) {
    std::string_view key;
    if (!read_string(key)) return false;
    for (std::uint64_t j = 0; j < i; ++j) {
      if (key_size[j] == key.size() && std::memcmp(key_data[j], key.data(), key.size()) == 0) {
        return fail();
      }
    }
    key_data[i] = key.data();
    key_size[i] = key.size();
    if (i > 0) {
      out.room(1);
      out.put(',');
    }
    if (!write_json_string(key, out)) return fail();
    out.room(1);
    out.put(':');
    if (!append_json(out, depth + 1)) return false;
  }
  out.room(1);
  out.put('}');
  return true;
}

}  // namespace sio::socketio::msgpack
