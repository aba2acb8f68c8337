#include "engineio/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <stdexcept>

namespace sio::engineio {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& ctx, const std::string& host, unsigned short port,
                   HttpRouter& router, const ServerOptions& options)
    : acceptor_(ctx), retry_timer_(ctx), router_(router), options_(options) {
  auto address = asio::ip::make_address(host.empty() ? "::" : host);
  tcp::endpoint endpoint{address, port};
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec && address.is_v6() && address.to_v6().is_unspecified()) {
    // No IPv6 on this host: fall back to IPv4 everywhere.
    endpoint = tcp::endpoint{asio::ip::address_v4::any(), port};
    ec = {};
    acceptor_.open(endpoint.protocol(), ec);
  }
  if (ec) throw std::runtime_error("cannot open socket: " + ec.message());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.protocol() == tcp::v6()) acceptor_.set_option(asio::ip::v6_only(false), ec);
  acceptor_.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(port) + ": " + ec.message());
  }
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void Listener::start() { accept(); }

void Listener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_timer_.cancel();
}

void Listener::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or similar: this connection is lost; pause before the next accept
      // rather than spin on the same error.
      self->retry_timer_.expires_after(std::chrono::milliseconds(50));
      self->retry_timer_.async_wait([self](boost::system::error_code wait_ec) {
        if (!wait_ec) self->accept();
      });
      return;
    }
    std::make_shared<HttpConnection>(std::move(socket), self->router_, self->options_)->start();
    self->accept();
  });
}

}  // namespace sio::engineio
