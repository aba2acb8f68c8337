#pragma once
// One HTTP/1.1 connection (Beast, keep-alive). It reads a request, hands it to the router, and
// writes the router's response whenever it comes: at once, or later for a long-polling GET. The
// router may instead take the TCP stream over for a WebSocket, or move the connection, with the
// request in hand, to another reactor (the one that owns the session the request is for).
//
// A connection lives on the reactor that runs its socket; every member runs there.
//
// Hardening: the request line and headers must arrive within `header_timeout` and fit in
// `max_header_bytes`; a body must arrive within `body_timeout` and fit the route's limit; an idle
// keep-alive connection is closed after `idle_timeout`. Garbage gets a 400 and the connection
// closes; nothing else is affected.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "http/connection_limit.hpp"
#include "http/http_request.hpp"

namespace sio::http {

class HttpConnection;

// Bounds on what one connection may make the server hold.
struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
};

// What a connection hands its requests to.
class HttpRouter {
 public:
  virtual ~HttpRouter() = default;
  // The largest body accepted for a request with this header.
  virtual std::size_t body_limit(const Request& header) const = 0;
  // Must eventually call `respond` or `take_stream` on the connection.
  virtual void handle(std::shared_ptr<HttpConnection> connection, HttpRequest request) = 0;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `lease` is the connection's place in the connection limits (null when none is counted);
  // `origin` is given when the socket is not the client's own (TLS), else read from the socket.
  HttpConnection(boost::asio::ip::tcp::socket socket, HttpRouter& router, const HttpLimits& limits,
                 ConnectionLimit::LeasePtr lease = nullptr,
                 std::optional<ConnectionOrigin> origin = std::nullopt);

  void start();

  // Sends the response to the current request, then reads the next one (unless the response or
  // the request asked to close). Ignored once the connection is gone.
  void respond(Response response);

  // While a response is held back, reports the peer going away (once).
  void watch_for_disconnect(std::function<void()> on_disconnect);

  // Hands the TCP stream to someone else (WebSocket upgrade); the connection is done after this.
  boost::beast::tcp_stream take_stream();

  // Moves the connection to the reactor running `target`, where the router handles `request` (the
  // one this connection is handling) on a connection made there: the socket, the bytes read past
  // the request and the lease go along. This object is done after this.
  void move_to(boost::asio::io_context& target, HttpRequest request);

  bool is_open() const { return state_ != State::closed; }
  const ConnectionLimit::LeasePtr& lease() const { return lease_; }

 private:
  enum class State { reading, handling, writing, closed };

  void wait_for_request();
  void read_header();
  void on_header(boost::beast::error_code ec);
  void on_body(boost::beast::error_code ec);
  void dispatch(bool body_too_large);
  void on_watch(boost::beast::error_code ec, std::size_t bytes);
  void on_write(boost::beast::error_code ec, bool close);
  void reject(http::status status);
  void close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  HttpRouter& router_;
  const HttpLimits& limits_;
  ConnectionLimit::LeasePtr lease_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // kept alive while it is written
  ConnectionOrigin origin_;
  State state_ = State::reading;
  bool watching_ = false;  // a read is pending to notice the peer leaving
  std::function<void()> on_disconnect_;
  boost::asio::steady_timer idle_timer_;
};

}  // namespace sio::http
