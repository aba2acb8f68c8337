#include "http/address_key.hpp"

namespace sio::http {

namespace ip = boost::asio::ip;

AddressKey address_key(const ip::address& address) {
  if (address.is_v4()) return ip::make_address_v6(ip::v4_mapped, address.to_v4());
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return v6;
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return AddressKey(bytes);
}

std::optional<AddressKey> address_key(std::string_view address) {
  boost::system::error_code ec;
  const auto parsed = ip::make_address(address, ec);
  if (ec) return std::nullopt;
  return address_key(parsed);
}

}  // namespace sio::http
