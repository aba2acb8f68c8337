#include "http/forwarded_client.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::http {

namespace ip = boost::asio::ip;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every field of that name, split at commas, in order: repeated header lines read as one list.
std::vector<std::string_view> list_items(const Request& message, std::string_view name) {
  std::vector<std::string_view> items;
  const auto [first, last] = message.equal_range(name);
  for (auto it = first; it != last; ++it) {
    std::string_view value(it->value().data(), it->value().size());
    std::size_t pos = 0;
    while (pos <= value.size()) {
      auto comma = value.find(',', pos);
      if (comma == std::string_view::npos) comma = value.size();
      items.push_back(trim(value.substr(pos, comma - pos)));
      pos = comma + 1;
    }
  }
  return items;
}

// A node as X-Forwarded-For writes it, or a Forwarded `for=` value once unquoted: an address,
// "[v6]" or "[v6]:port", or "v4:port".
std::optional<ip::address> parse_node(std::string_view node) {
  if (node.starts_with('[')) {
    const auto close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    node = node.substr(1, close - 1);
  } else if (node.find(':') == node.rfind(':') && node.find(':') != std::string_view::npos) {
    node = node.substr(0, node.find(':'));  // one colon: IPv4 with a port
  }
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(node), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

// The `for=` value of one Forwarded element ("for=192.0.2.60;proto=http;by=203.0.113.43").
std::string_view forwarded_for(std::string_view element) {
  std::size_t pos = 0;
  while (pos <= element.size()) {
    auto semicolon = element.find(';', pos);
    if (semicolon == std::string_view::npos) semicolon = element.size();
    const auto pair = trim(element.substr(pos, semicolon - pos));
    pos = semicolon + 1;
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    auto name = trim(pair.substr(0, equals));
    if (name.size() != 3 || (name[0] | 0x20) != 'f' || (name[1] | 0x20) != 'o' ||
        (name[2] | 0x20) != 'r') {
      continue;
    }
    auto value = trim(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return {};
}

}  // namespace

ip::address forwarded_client(const ip::address& peer, const Request& message,
                             const TrustedProxies& trusted) {
  if (!trusted.contains(peer)) return peer;
  std::vector<std::string_view> hops;
  if (message.find(field::forwarded) != message.end()) {
    for (auto element : list_items(message, "Forwarded")) hops.push_back(forwarded_for(element));
  } else {
    hops = list_items(message, "X-Forwarded-For");
  }
  auto client = peer;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_node(*hop);
    if (!address) break;
    client = *address;
    if (!trusted.contains(client)) break;
  }
  return client;
}

}  // namespace sio::http
