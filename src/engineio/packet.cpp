#include "engineio/packet.hpp"

#include "engineio/base64.hpp"
#include "engineio/utf8.hpp"

namespace sio::engineio {
namespace {

std::optional<PacketType> type_from_char(char c) {
  if (c < '0' || c > '6') return std::nullopt;
  return static_cast<PacketType>(c - '0');
}

char type_char(PacketType type) { return char('0' + static_cast<int>(type)); }

// One record of a polling payload; the payload as a whole was already checked for UTF-8.
std::optional<Packet> decode_record(std::string_view record) {
  if (record.empty()) return std::nullopt;
  if (record.front() == 'b') {
    auto bytes = base64_decode(record.substr(1));
    if (!bytes) return std::nullopt;
    return Packet{PacketType::message, std::move(*bytes), true};
  }
  auto type = type_from_char(record.front());
  if (!type) return std::nullopt;
  return Packet{*type, std::string(record.substr(1)), false};
}

}  // namespace

std::optional<PacketView> decode_text_packet(std::string_view frame) {
  if (frame.empty()) return std::nullopt;
  auto type = type_from_char(frame.front());
  if (!type) return std::nullopt;
  auto data = frame.substr(1);
  if (!is_valid_utf8(data)) return std::nullopt;
  return PacketView{*type, data};
}

std::optional<std::vector<Packet>> decode_payload(std::string_view body) {
  if (!is_valid_utf8(body)) return std::nullopt;
  std::vector<Packet> packets;
  size_t start = 0;
  while (true) {
    size_t end = body.find(kRecordSeparator, start);
    auto packet = decode_record(body.substr(start, end == std::string_view::npos ? end : end - start));
    if (!packet) return std::nullopt;
    packets.push_back(std::move(*packet));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

std::string encode_for_polling(const Packet& packet) {
  std::string out;
  if (packet.binary) {
    out = 'b';
    out += base64_encode(packet.data);
    return out;
  }
  out.reserve(packet.data.size() + 1);
  out += type_char(packet.type);
  out += packet.data;
  return out;
}

std::string encode_payload(const std::vector<Packet>& packets) {
  std::string out;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i) out += kRecordSeparator;
    out += encode_for_polling(packets[i]);
  }
  return out;
}

}  // namespace sio::engineio
