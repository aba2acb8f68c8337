#pragma once
// The proxies whose word about the client's address is taken: a list of networks in CIDR form
// ("10.0.0.0/8", "2001:db8::/32"; a bare address is a network of one). A request whose TCP peer
// is in the list gets its client address from the headers that proxy set (see forwarded_client);
// from any other peer those headers are ignored, so a client cannot claim another address.
//
// IPv4 networks also match IPv4 peers that arrive v4-mapped on a dual-stack socket.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <string_view>
#include <vector>

namespace sio::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;

  // Networks separated by commas and/or whitespace. Throws std::invalid_argument naming the
  // first entry that is not an address or an address/prefix.
  static TrustedProxies parse(std::string_view list);

  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  // Kept in IPv6 form: an IPv4 network is its v4-mapped equivalent, its prefix + 96.
  struct Network {
    boost::asio::ip::address_v6::bytes_type bytes;
    unsigned prefix;
  };

  std::vector<Network> networks_;
};

}  // namespace sio::http
