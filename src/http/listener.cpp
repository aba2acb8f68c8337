#include "http/listener.hpp"

#include "http/tls_connection.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <memory>
#include <stdexcept>

namespace sio::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(reactor::ReactorPool& reactors, const std::string& host, unsigned short port,
                   HttpRouter& router, const HttpLimits& limits, ConnectionLimit& limit,
                   RefusalHandler on_refused, std::shared_ptr<TlsContext> tls)
    : reactors_(reactors),
      acceptor_(reactors.context(0)),
      retry_timer_(reactors.context(0)),
      router_(router),
      limits_(limits),
      limit_(limit),
      on_refused_(std::move(on_refused)),
      tls_(std::move(tls)) {
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
  reactors_.post(0, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void Listener::accept() {
  const auto reactor = next_reactor_;
  next_reactor_ = (next_reactor_ + 1) % reactors_.size();
  // The new socket belongs to the reactor that will serve it from the start: no hand-over.
  acceptor_.async_accept(
      reactors_.context(reactor),
      [self = shared_from_this(), reactor](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec) {
          // Out of descriptors or similar: this connection is lost; pause before the next
          // accept rather than spin on the same error.
          self->retry_timer_.expires_after(std::chrono::milliseconds(50));
          self->retry_timer_.async_wait([self](boost::system::error_code wait_ec) {
            if (!wait_ec) self->accept();
          });
          return;
        }
        self->admit(std::move(socket), reactor);
        self->accept();
      });
}

void Listener::admit(tcp::socket socket, std::size_t reactor) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  auto admission = limit_.admit(peer.address());
  if (!admission.lease) {
    if (on_refused_) on_refused_(admission.refusal);
    socket.close(ec);
    return;
  }
  if (!tls_) {
    reactors_.post(reactor, [self = shared_from_this(), socket = std::move(socket),
                             lease = std::move(admission.lease)]() mutable {
      std::make_shared<HttpConnection>(std::move(socket), self->router_, self->limits_,
                                       std::move(lease))
          ->start();
    });
    return;
  }
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  reactors_.post(reactor, [self = shared_from_this(), socket = std::move(socket),
                           lease = std::move(admission.lease), context = tls_->current(),
                           origin = ConnectionOrigin{address.to_string(), true}]() mutable {
    auto& router = self->router_;
    auto& limits = self->limits_;
    std::make_shared<TlsConnection>(std::move(socket), std::move(context), limits.header_timeout)
        ->start([&router, &limits, lease = std::move(lease),
                 origin = std::move(origin)](tcp::socket plain) mutable {
          std::make_shared<HttpConnection>(std::move(plain), router, limits, std::move(lease),
                                           std::move(origin))
              ->start();
        });
  });
}

}  // namespace sio::http
