#include "http/trusted_proxies.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

namespace sio::http {

namespace ip = boost::asio::ip;

namespace {

ip::address_v6 as_v6(const ip::address& address) {
  return address.is_v4() ? ip::make_address_v6(ip::v4_mapped, address.to_v4()) : address.to_v6();
}

bool is_separator(char c) { return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

TrustedProxies TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  std::size_t pos = 0;
  while (pos < list.size()) {
    if (is_separator(list[pos])) {
      ++pos;
      continue;
    }
    auto end = pos;
    while (end < list.size() && !is_separator(list[end])) ++end;
    const auto entry = list.substr(pos, end - pos);
    pos = end;

    const auto invalid = [&] {
      return std::invalid_argument("not an address or a CIDR network: \"" + std::string(entry) + "\"");
    };
    const auto slash = entry.find('/');
    boost::system::error_code ec;
    const auto address = ip::make_address(std::string(entry.substr(0, slash)), ec);
    if (ec) throw invalid();
    const unsigned width = address.is_v4() ? 32 : 128;
    unsigned prefix = width;
    if (slash != std::string_view::npos) {
      const auto digits = entry.substr(slash + 1);
      const auto [last, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
      if (digits.empty() || err != std::errc() || last != digits.data() + digits.size() ||
          prefix > width) {
        throw invalid();
      }
    }
    Network network{as_v6(address).to_bytes(), prefix + (128 - width)};
    // Host bits are cleared so that "10.1.2.3/8" means 10.0.0.0/8, as most tools read it.
    for (unsigned bit = network.prefix; bit < 128; ++bit) {
      network.bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
    }
    proxies.networks_.push_back(network);
  }
  return proxies;
}

bool TrustedProxies::contains(const ip::address& address) const {
  const auto bytes = as_v6(address).to_bytes();
  for (const auto& network : networks_) {
    const unsigned whole = network.prefix / 8;
    bool match = std::equal(bytes.begin(), bytes.begin() + whole, network.bytes.begin());
    if (match && network.prefix % 8 != 0) {
      const auto mask = static_cast<unsigned char>(0xFFu << (8 - network.prefix % 8));
      match = (bytes[whole] & mask) == network.bytes[whole];
    }
    if (match) return true;
  }
  return false;
}

}  // namespace sio::http
