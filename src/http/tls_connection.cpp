#include "http/tls_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/write.hpp>

namespace sio::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// What the client sends is small (events, acks, polling bodies): one read takes what it has.
constexpr std::size_t kFromClient = 8 * 1024;
// What the server writes goes out in full TLS records (16 KiB of data each).
constexpr std::size_t kFromApp = 16 * 1024;
// After the server's side closed, how long the client has to close its end.
constexpr auto kLinger = std::chrono::seconds(5);

}  // namespace

TlsConnection::TlsConnection(tcp::socket socket, std::shared_ptr<asio::ssl::context> context,
                             std::chrono::milliseconds handshake_timeout)
    : context_(std::move(context)),
      tls_(std::move(socket), *context_),
      app_(tls_.get_executor()),
      timer_(tls_.get_executor(), handshake_timeout) {
  boost::system::error_code ec;
  tls_.next_layer().set_option(tcp::no_delay(true), ec);
}

void TlsConnection::start(Ready ready) {
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close();
  });
  tls_.async_handshake(
      asio::ssl::stream_base::server,
      [self = shared_from_this(), ready = std::move(ready)](boost::system::error_code ec) mutable {
        self->on_handshake(ec, ready);
      });
}

void TlsConnection::on_handshake(boost::system::error_code ec, Ready& ready) {
  timer_.cancel();
  if (ec || closed_) return close();
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    return close();
  tcp::socket plain(tls_.get_executor());
  // The plain end is an AF_UNIX socket under a TCP socket's type: the layers above only read,
  // write and close it (and ask it for no address: they are given the client's).
  plain.assign(tcp::v6(), fds[1], ec);
  if (!ec) app_.assign(asio::local::stream_protocol(), fds[0], ec);
  if (ec) {
    ::close(fds[0]);
    if (!plain.is_open()) ::close(fds[1]);
    return close();
  }
  from_client_ = std::make_unique<char[]>(kFromClient);
  from_app_ = std::make_unique<char[]>(kFromApp);
  read_client();
  read_app();
  ready(std::move(plain));
}

void TlsConnection::read_client() {
  tls_.async_read_some(asio::buffer(from_client_.get(), kFromClient),
                       [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                         if (ec) return self->client_done();
                         asio::async_write(self->app_, asio::buffer(self->from_client_.get(), n),
                                           [self](boost::system::error_code write_ec, std::size_t) {
                                             if (write_ec) return self->close();
                                             self->read_client();
                                           });
                       });
}

void TlsConnection::read_app() {
  app_.async_read_some(asio::buffer(from_app_.get(), kFromApp),
                       [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                         if (ec) return self->app_done();
                         asio::async_write(self->tls_, asio::buffer(self->from_app_.get(), n),
                                           [self](boost::system::error_code write_ec, std::size_t) {
                                             if (write_ec) return self->close();
                                             self->read_app();
                                           });
                       });
}

void TlsConnection::client_done() {
  if (closed_) return;
  client_done_ = true;
  if (app_done_) return close();
  boost::system::error_code ec;
  app_.shutdown(asio::socket_base::shutdown_send, ec);
}

void TlsConnection::app_done() {
  if (closed_) return;
  app_done_ = true;
  if (client_done_) return close();
  // Everything the server wrote has been handed to TCP (a write completes before the next read).
  // No close_notify: the server's messages are framed (HTTP lengths, WebSocket frames), and
  // waiting for the client's answer to one would hold the connection for nothing.
  boost::system::error_code ec;
  tls_.next_layer().shutdown(tcp::socket::shutdown_send, ec);
  timer_.expires_after(kLinger);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code wait_ec) {
    if (wait_ec) return;
    if (auto self = weak.lock()) self->close();
  });
}

void TlsConnection::close() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  boost::system::error_code ec;
  app_.close(ec);
  tls_.next_layer().close(ec);
}

}  // namespace sio::http
