#pragma once
// One client connection over TLS. After the handshake it makes a socket pair and hands one end
// to the HTTP layer, which serves it as any connection (requests, long-polling, the WebSocket
// written on the raw socket, moves between reactors); this object relays the bytes between that
// pair and the TLS stream, decrypting what the client sends and encrypting what the server
// writes. So nothing above this layer knows about TLS, and the relay's bounded buffers (and the
// socket pair's) hold back a writer as a slow TCP peer would.
//
// A connection lives on the reactor that accepted it; its plain end may be moved to another
// reactor (the session's) like any connection: they then talk through the kernel only.
//
// Costs per connection: the OpenSSL session (record buffers given back while idle), 24 KiB of
// relay buffers, one more file descriptor pair.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace sio::http {

class TlsConnection : public std::enable_shared_from_this<TlsConnection> {
 public:
  // Gets the plain end, on this connection's reactor, once the handshake is done.
  using Ready = std::function<void(boost::asio::ip::tcp::socket plain)>;

  TlsConnection(boost::asio::ip::tcp::socket socket,
                std::shared_ptr<boost::asio::ssl::context> context,
                std::chrono::milliseconds handshake_timeout);

  // Runs the handshake (closing the connection when it fails or takes longer than the timeout),
  // then hands the plain end to `ready` and relays.
  void start(Ready ready);

 private:
  void on_handshake(boost::system::error_code ec, Ready& ready);
  void read_client();
  void read_app();
  // The client sent no more (or is gone): the server's side sees the end of its stream.
  void client_done();
  // The server's side closed its end: the TCP connection ends once what was written is sent.
  void app_done();
  void close();

  std::shared_ptr<boost::asio::ssl::context> context_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> tls_;
  boost::asio::local::stream_protocol::socket app_;
  boost::asio::steady_timer timer_;
  std::unique_ptr<char[]> from_client_;
  std::unique_ptr<char[]> from_app_;
  bool client_done_ = false;
  bool app_done_ = false;
  bool closed_ = false;
};

}  // namespace sio::http
