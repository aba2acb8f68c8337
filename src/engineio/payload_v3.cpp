#include "engineio/payload_v3.hpp"

#include "engineio/base64.hpp"
#include "engineio/utf8.hpp"

namespace sio::engineio {

namespace {

// engine.io-parser 2 refuses a length of more than 310 digits; so do we, well before overflow.
constexpr std::size_t kMaxLengthDigits = 15;

// A text packet of a v3 payload: "<type><data>", or "b<type><base64>" for a binary one.
std::optional<Packet> decode_v3_record(std::string_view record) {
  if (record.size() >= 2 && record.front() == 'b') {
    if (record[1] != '4') return std::nullopt;  // only message packets carry binary
    auto bytes = base64_decode(record.substr(2));
    if (!bytes) return std::nullopt;
    return Packet{PacketType::message, std::move(*bytes), true};
  }
  auto view = decode_text_packet(record);
  if (!view) return std::nullopt;
  return Packet{view->type, std::string(view->data), false};
}

// Advances `at` past `units` UTF-16 code units of valid UTF-8 text; false when the text ends
// first or a character would be cut.
bool skip_utf16_units(std::string_view text, std::size_t& at, std::size_t units) {
  while (units > 0) {
    if (at >= text.size()) return false;
    const auto lead = static_cast<unsigned char>(text[at]);
    const std::size_t bytes = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const std::size_t width = bytes == 4 ? 2 : 1;
    if (width > units || at + bytes > text.size()) return false;
    units -= width;
    at += bytes;
  }
  return true;
}

}  // namespace

std::optional<std::vector<Packet>> decode_payload_v3_text(std::string_view body) {
  if (body.empty() || !is_valid_utf8(body)) return std::nullopt;
  std::vector<Packet> packets;
  std::size_t at = 0;
  while (at < body.size()) {
    const auto colon = body.find(':', at);
    if (colon == std::string_view::npos || colon == at || colon - at > kMaxLengthDigits) {
      return std::nullopt;
    }
    std::size_t units = 0;
    for (std::size_t i = at; i < colon; ++i) {
      if (body[i] < '0' || body[i] > '9') return std::nullopt;
      units = units * 10 + static_cast<std::size_t>(body[i] - '0');
    }
    std::size_t end = colon + 1;
    if (units == 0 || !skip_utf16_units(body, end, units)) return std::nullopt;
    auto packet = decode_v3_record(body.substr(colon + 1, end - colon - 1));
    if (!packet) return std::nullopt;
    packets.push_back(std::move(*packet));
    at = end;
  }
  return packets;
}

std::optional<std::vector<Packet>> decode_payload_v3_binary(std::string_view body) {
  if (body.empty()) return std::nullopt;
  std::vector<Packet> packets;
  std::size_t at = 0;
  while (at < body.size()) {
    const auto kind = static_cast<unsigned char>(body[at++]);
    if (kind > 1) return std::nullopt;
    std::size_t length = 0, digits = 0;
    while (true) {
      if (at >= body.size()) return std::nullopt;
      const auto digit = static_cast<unsigned char>(body[at++]);
      if (digit == 0xFF) break;
      if (digit > 9 || ++digits > kMaxLengthDigits) return std::nullopt;
      length = length * 10 + digit;
    }
    if (digits == 0 || length == 0 || length > body.size() - at) return std::nullopt;
    const auto record = body.substr(at, length);
    at += length;
    if (kind == 0) {
      auto packet = decode_v3_record(record);
      if (!packet) return std::nullopt;
      packets.push_back(std::move(*packet));
    } else {
      auto view = decode_binary_packet_v3(record);
      if (!view) return std::nullopt;
      packets.push_back(Packet{view->type, std::string(view->data), true});
    }
  }
  return packets;
}

std::optional<PacketView> decode_binary_packet_v3(std::string_view message) {
  if (message.empty() || message.front() != '\x04') return std::nullopt;
  return PacketView{PacketType::message, message.substr(1)};
}

}  // namespace sio::engineio
