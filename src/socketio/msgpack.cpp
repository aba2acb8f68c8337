#include "socketio/msgpack.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "socketio/json_parse.hpp"

namespace sio::socketio::msgpack {

// ---------------------------------------------------------------------------------------------
// Writer

void Writer::put_be(std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void Writer::unsigned_integer(std::uint64_t value) {
  if (value < 0x80) return out_.push_back(static_cast<char>(value));
  if (value < 0x100) return out_.push_back(static_cast<char>(0xcc)), put_be(value, 1);
  if (value < 0x10000) return out_.push_back(static_cast<char>(0xcd)), put_be(value, 2);
  if (value < 0x100000000ULL) return out_.push_back(static_cast<char>(0xce)), put_be(value, 4);
  out_.push_back(static_cast<char>(0xcf));
  put_be(value, 8);
}

void Writer::integer(std::int64_t value) {
  if (value >= 0) return unsigned_integer(static_cast<std::uint64_t>(value));
  const auto bits = static_cast<std::uint64_t>(value);
  if (value >= -0x20) return out_.push_back(static_cast<char>(bits & 0xff));
  if (value >= -0x80) return out_.push_back(static_cast<char>(0xd0)), put_be(bits, 1);
  if (value >= -0x8000) return out_.push_back(static_cast<char>(0xd1)), put_be(bits, 2);
  if (value >= -0x80000000LL) return out_.push_back(static_cast<char>(0xd2)), put_be(bits, 4);
  out_.push_back(static_cast<char>(0xd3));
  put_be(bits, 8);
}

void Writer::number(double value) {
  // JavaScript has one number type: notepack writes an integral value as an integer.
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::isfinite(value) && std::floor(value) == value && value >= -kTwo63 && value < kTwo63) {
    return integer(static_cast<std::int64_t>(value));
  }
  out_.push_back(static_cast<char>(0xcb));
  put_be(std::bit_cast<std::uint64_t>(value), 8);
}

void Writer::string(std::string_view value) {
  const auto n = value.size();
  if (n < 0x20) {
    out_.push_back(static_cast<char>(0xa0 | n));
  } else if (n < 0x100) {
    out_.push_back(static_cast<char>(0xd9)), put_be(n, 1);
  } else if (n < 0x10000) {
    out_.push_back(static_cast<char>(0xda)), put_be(n, 2);
  } else {
    out_.push_back(static_cast<char>(0xdb)), put_be(n, 4);
  }
  out_.append(value);
}

void Writer::binary(std::string_view bytes) {
  const auto n = bytes.size();
  if (n < 0x100) {
    out_.push_back(static_cast<char>(0xc4)), put_be(n, 1);
  } else if (n < 0x10000) {
    out_.push_back(static_cast<char>(0xc5)), put_be(n, 2);
  } else {
    out_.push_back(static_cast<char>(0xc6)), put_be(n, 4);
  }
  out_.append(bytes);
}

void Writer::array_header(std::size_t n) {
  if (n < 0x10) return out_.push_back(static_cast<char>(0x90 | n));
  if (n < 0x10000) return out_.push_back(static_cast<char>(0xdc)), put_be(n, 2);
  out_.push_back(static_cast<char>(0xdd));
  put_be(n, 4);
}

void Writer::map_header(std::size_t n) {
  if (n < 0x10) return out_.push_back(static_cast<char>(0x80 | n));
  if (n < 0x10000) return out_.push_back(static_cast<char>(0xde)), put_be(n, 2);
  out_.push_back(static_cast<char>(0xdf));
  put_be(n, 4);
}

void Writer::value(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      return nil();
    case json::value_t::boolean:
      return boolean(v.get<bool>());
    case json::value_t::number_integer:
      return integer(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return unsigned_integer(v.get<std::uint64_t>());
    case json::value_t::number_float:
      return number(v.get<double>());
    case json::value_t::string:
      return string(v.get_ref<const std::string&>());
    case json::value_t::binary: {
      const auto& bytes = v.get_binary();
      return binary({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    }
    case json::value_t::array:
      array_header(v.size());
      for (const auto& item : v) value(item);
      return;
    case json::value_t::object:
      map_header(v.size());
      for (const auto& [key, item] : v.items()) {
        string(key);
        value(item);
      }
      return;
  }
}

std::string encode(const json& value) {
  std::string out;
  Writer(out).value(value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader

namespace {

// Deep enough for any real payload, shallow enough that hostile input cannot exhaust the stack.
// The range of a JavaScript Date; beyond it a Date is invalid and JSON.stringify makes it null.
constexpr std::int64_t kMaxDateMs = 8'640'000'000'000'000;

// A JavaScript Date as Date#toJSON prints it.
std::string iso_date(std::int64_t ms) {
  // Days to civil date, after Howard Hinnant's `civil_from_days` (std::chrono::year stops at
  // 32767, JavaScript goes to 275760).
  const std::int64_t ms_per_day = 86'400'000;
  std::int64_t days = ms / ms_per_day;
  std::int64_t in_day = ms % ms_per_day;
  if (in_day < 0) {
    in_day += ms_per_day;
    --days;
  }
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const auto year = static_cast<long long>(yoe + era * 400 + (month <= 2 ? 1 : 0));

  char year_text[16];
  // Years beyond 0–9999 take six digits and a sign, as in JavaScript.
  if (year < 0 || year > 9999) {
    std::snprintf(year_text, sizeof year_text, "%c%06lld", year < 0 ? '-' : '+',
                  year < 0 ? -year : year);
  } else {
    std::snprintf(year_text, sizeof year_text, "%04lld", year);
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year_text, month, day,
                static_cast<int>(in_day / 3'600'000), static_cast<int>(in_day / 60'000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return buf;
}

class Reader {
 public:
  Reader(std::string_view in, std::size_t max_depth) : in_(in), max_depth_(max_depth) {}

  // nullopt stands for JavaScript's `undefined`. `depth`: 1 for the value itself.
  std::optional<json> read(std::size_t depth) {
    const auto tag = byte();
    if (tag < 0x80) return json(static_cast<std::uint64_t>(tag));
    if (tag >= 0xe0) return json(static_cast<std::int64_t>(static_cast<std::int8_t>(tag)));
    if ((tag & 0xf0) == 0x80) return map(tag & 0x0f, depth);
    if ((tag & 0xf0) == 0x90) return array(tag & 0x0f, depth);
    if ((tag & 0xe0) == 0xa0) return json(std::string(take(tag & 0x1f)));
    switch (tag) {
      case 0xc0:
        return json(nullptr);
      case 0xc2:
        return json(false);
      case 0xc3:
        return json(true);
      case 0xc4:
        return bin(be(1));
      case 0xc5:
        return bin(be(2));
      case 0xc6:
        return bin(be(4));
      case 0xc7:
        return ext(tag, be(1));
      case 0xc8:
        return ext(tag, be(2));
      case 0xc9:
        return ext(tag, be(4));
      case 0xca:
        return json(static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(be(4)))));
      case 0xcb:
        return json(std::bit_cast<double>(be(8)));
      case 0xcc:
        return json(be(1));
      case 0xcd:
        return json(be(2));
      case 0xce:
        return json(be(4));
      case 0xcf:
        return json(be(8));
      case 0xd0:
        return json(static_cast<std::int64_t>(static_cast<std::int8_t>(be(1))));
      case 0xd1:
        return json(static_cast<std::int64_t>(static_cast<std::int16_t>(be(2))));
      case 0xd2:
        return json(static_cast<std::int64_t>(static_cast<std::int32_t>(be(4))));
      case 0xd3:
        return json(static_cast<std::int64_t>(be(8)));
      case 0xd4:
        return ext(tag, 1);
      case 0xd5:
        return ext(tag, 2);
      case 0xd6:
        return ext(tag, 4);
      case 0xd7:
        return fixext8();
      case 0xd8:
        return ext(tag, 16);
      case 0xd9:
        return json(std::string(take(be(1))));
      case 0xda:
        return json(std::string(take(be(2))));
      case 0xdb:
        return json(std::string(take(be(4))));
      case 0xdc:
        return array(be(2), depth);
      case 0xdd:
        return array(be(4), depth);
      case 0xde:
        return map(be(2), depth);
      case 0xdf:
        return map(be(4), depth);
      default:
        throw DecodeError("msgpack: unknown type byte");
    }
  }

  bool at_end() const { return pos_ == in_.size(); }

 private:
  std::uint8_t byte() {
    if (pos_ >= in_.size()) throw DecodeError("msgpack: truncated");
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::string_view take(std::uint64_t n) {
    if (n > in_.size() - pos_) throw DecodeError("msgpack: truncated");
    auto out = in_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint64_t be(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | byte();
    return value;
  }
  static json binary_of(std::string_view bytes) {
    return json::binary(json::binary_t::container_type(bytes.begin(), bytes.end()));
  }
  json bin(std::uint64_t n) { return binary_of(take(n)); }

  json array(std::uint64_t n, std::size_t depth) {
    if (depth > max_depth_) throw DecodeError("msgpack: nested too deeply");
    json out = json::array();
    for (std::uint64_t i = 0; i < n; ++i) {
      auto item = read(depth + 1);
      out.push_back(item ? std::move(*item) : json(nullptr));
    }
    return out;
  }

  json map(std::uint64_t n, std::size_t depth) {
    if (depth > max_depth_) throw DecodeError("msgpack: nested too deeply");
    json out = json::object();
    for (std::uint64_t i = 0; i < n; ++i) {
      auto key = read(depth + 1);
      auto item = read(depth + 1);
      if (!item) continue;  // JSON.stringify drops undefined members too
      std::string name = key && key->is_string() ? key->get<std::string>()
                         : key                   ? key->dump(-1, ' ', false, json::error_handler_t::replace)
                                                 : "undefined";
      append_member(out, std::move(name), std::move(*item));
    }
    settle_repeated_keys(out);
    return out;
  }

  std::optional<json> ext(std::uint8_t tag, std::uint64_t n) {
    const auto type = static_cast<std::int8_t>(byte());
    auto data = take(n);
    if (type == 0 && tag == 0xd4) return std::nullopt;  // legacy notepack `undefined`
    if (type == 0) return binary_of(data);  // legacy notepack ArrayBuffer (ext 8/16/32, type 0)
    if (type == -1) return timestamp(data);
    return json::array({type, binary_of(data)});
  }

  // fixext 8: the legacy notepack Date (type 0, milliseconds) or any other 8-byte ext.
  json fixext8() {
    const auto type = static_cast<std::int8_t>(byte());
    auto data = take(8);
    if (type == 0) {
      std::uint64_t bits = 0;
      for (unsigned char c : data) bits = (bits << 8) | c;
      const auto ms = static_cast<std::int64_t>(bits);
      return ms > kMaxDateMs || ms < -kMaxDateMs ? json(nullptr) : json(iso_date(ms));
    }
    if (type == -1) return timestamp(data);
    return json::array({type, binary_of(data)});
  }

  // The MessagePack timestamp extension (32, 64 and 96 bits).
  json timestamp(std::string_view data) {
    auto read_be = [&](std::size_t from, std::size_t count) {
      std::uint64_t v = 0;
      for (std::size_t i = from; i < from + count; ++i)
        v = (v << 8) | static_cast<unsigned char>(data[i]);
      return v;
    };
    std::int64_t seconds = 0;
    std::uint64_t nanos = 0;
    if (data.size() == 4) {
      seconds = static_cast<std::int64_t>(read_be(0, 4));
    } else if (data.size() == 8) {
      const auto bits = read_be(0, 8);
      nanos = bits >> 34;
      seconds = static_cast<std::int64_t>(bits & 0x3ffffffffULL);
    } else if (data.size() == 12) {
      nanos = read_be(0, 4);
      seconds = static_cast<std::int64_t>(read_be(4, 8));
    } else {
      return json::array({-1, binary_of(data)});
    }
    if (seconds > kMaxDateMs / 1000 || seconds < -kMaxDateMs / 1000) return json(nullptr);
    return iso_date(seconds * 1000 + static_cast<std::int64_t>(nanos / 1000000));
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::size_t max_depth_;
};

}  // namespace

json decode(std::string_view bytes, std::size_t max_depth) {
  Reader reader(bytes, max_depth);
  auto value = reader.read(1);
  if (!reader.at_end()) throw DecodeError("msgpack: trailing bytes");
  return value ? std::move(*value) : json(nullptr);
}

}  // namespace sio::socketio::msgpack
