#pragma once
// The key under which per-address limits count a peer. IPv4 peers (also when they arrive
// v4-mapped on a dual-stack socket) count one address each. IPv6 peers count by their /64
// prefix: one end site usually holds a whole /64, so counting single addresses would let one
// host spread itself over billions of keys.

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>

namespace sio::http {

using AddressKey = boost::asio::ip::address_v6;

AddressKey address_key(const boost::asio::ip::address& address);
// For an address in text form (HttpRequest::remote_address); nullopt when it does not parse.
std::optional<AddressKey> address_key(std::string_view address);

}  // namespace sio::http
