#include "engineio/listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <memory>
#include <stdexcept>

namespace sio::engineio {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Owns an admitted connection's lease alongside the connection: the lease goes when the last
// reference to the connection does, and connection_lease can find it through the shared_ptr.
struct LeasedDeleter {
  ConnectionLimit::LeasePtr lease;
  void operator()(HttpConnection* connection) const { delete connection; }
};

}  // namespace

ConnectionLimit::LeasePtr connection_lease(const std::shared_ptr<HttpConnection>& connection) {
  const auto* deleter = std::get_deleter<LeasedDeleter>(connection);
  return deleter ? deleter->lease : nullptr;
}

Listener::Listener(asio::io_context& ctx, const std::string& host, unsigned short port,
                   HttpRouter& router, const ServerOptions& options, ConnectionLimit& limit,
                   Stats& stats)
    : acceptor_(ctx),
      retry_timer_(ctx),
      router_(router),
      options_(options),
      limit_(limit),
      stats_(stats) {
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
    self->admit(std::move(socket));
    self->accept();
  });
}

void Listener::admit(tcp::socket socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  auto admission = limit_.admit(peer.address());
  if (!admission.lease) {
    if (admission.refusal == ConnectionLimit::Refusal::max_connections) {
      ++stats_.connections_refused_max;
    } else {
      ++stats_.connections_refused_per_ip;
    }
    socket.close(ec);
    return;
  }
  std::shared_ptr<HttpConnection> connection(
      new HttpConnection(std::move(socket), router_, options_),
      LeasedDeleter{std::move(admission.lease)});
  connection->start();
}

}  // namespace sio::engineio
