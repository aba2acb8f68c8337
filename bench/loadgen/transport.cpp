#include "loadgen/transport.hpp"

#include <netinet/in.h>

namespace sio::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

void bind_source(tcp::socket& socket, const std::optional<asio::ip::address>& source) {
  socket.open(tcp::v4());
  if (!source) return;
  // Without this, bind() would pick the port at once and cap us at one port range per address.
  int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(tcp::endpoint(*source, 0));
}

}  // namespace sio::bench
