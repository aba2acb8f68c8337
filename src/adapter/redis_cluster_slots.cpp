#include "adapter/redis_cluster_slots.hpp"

#include <array>
#include <charconv>

namespace sio::adapter::cluster {

namespace {

constexpr std::array<std::uint16_t, 256> make_crc16_table() {
  std::array<std::uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    std::uint16_t crc = static_cast<std::uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<std::uint16_t>(crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr auto kCrc16Table = make_crc16_table();

std::uint16_t crc16(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (unsigned char c : bytes) {
    crc = static_cast<std::uint16_t>((crc << 8) ^ kCrc16Table[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

template <class T>
bool parse_decimal(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<NodeAddress> parse_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  NodeAddress address{std::string(text.substr(0, colon)), 0};
  // A cluster bus port may follow ("host:port@bus").
  auto port = text.substr(colon + 1);
  if (auto at = port.find('@'); at != std::string_view::npos) port = port.substr(0, at);
  if (!parse_decimal(port, address.port) || address.port == 0) return std::nullopt;
  return address;
}

}  // namespace

std::uint16_t key_slot(std::string_view key) {
  // Only the part between the first '{' and the next '}' counts, when it is not empty.
  if (auto open = key.find('{'); open != std::string_view::npos) {
    if (auto close = key.find('}', open + 1); close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return crc16(key) % kSlotCount;
}

std::optional<std::vector<SlotRange>> parse_cluster_slots(const RedisReply& reply,
                                                          const std::string& asked_host) {
  using Type = RedisReply::Type;
  if (reply.type != Type::array) return std::nullopt;
  std::vector<SlotRange> ranges;
  for (const auto& entry : reply.elements) {
    if (entry.type != Type::array || entry.elements.size() < 3) return std::nullopt;
    const auto& first = entry.elements[0];
    const auto& last = entry.elements[1];
    const auto& master = entry.elements[2];
    if (first.type != Type::integer || last.type != Type::integer || first.integer < 0 ||
        last.integer < first.integer || last.integer >= static_cast<long long>(kSlotCount)) {
      return std::nullopt;
    }
    if (master.type != Type::array || master.elements.size() < 2 ||
        master.elements[1].type != Type::integer || master.elements[1].integer <= 0 ||
        master.elements[1].integer > 65535) {
      return std::nullopt;
    }
    std::string host = master.elements[0].str;
    if (host.empty() || host == "?") host = asked_host;
    ranges.push_back({static_cast<std::uint16_t>(first.integer),
                      static_cast<std::uint16_t>(last.integer),
                      {std::move(host), static_cast<unsigned short>(master.elements[1].integer)}});
  }
  return ranges;
}

std::optional<Redirect> parse_redirect(std::string_view error) {
  Redirect redirect;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    redirect.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  const auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!parse_decimal(error.substr(0, space), redirect.slot) || redirect.slot >= kSlotCount)
    return std::nullopt;
  auto address = parse_address(error.substr(space + 1));
  if (!address) return std::nullopt;
  redirect.to = std::move(*address);
  return redirect;
}

}  // namespace sio::adapter::cluster
