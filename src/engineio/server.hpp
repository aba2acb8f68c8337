#pragma once
// The Engine.IO server: verifies handshakes, keeps the sid table, routes polling requests and
// WebSocket connections to their sessions. Requests outside `path` go to a fallback handler, so
// an application can serve its own routes on the same port.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engineio/address_rate_limit.hpp"
#include "engineio/connection_limit.hpp"
#include "engineio/cors.hpp"
#include "engineio/errors.hpp"
#include "engineio/http_connection.hpp"
#include "engineio/listener.hpp"
#include "engineio/options.hpp"
#include "engineio/session.hpp"

namespace sio::engineio {

class Server : public HttpRouter {
 public:
  using ConnectionHandler = std::function<void(const std::shared_ptr<Session>&)>;
  using FallbackHandler = std::function<void(std::shared_ptr<HttpConnection>, HttpRequest)>;

  Server(boost::asio::io_context& ctx, ServerOptions options);
  ~Server() override;

  // Binds (throws on failure) and starts accepting. Port 0 picks a free port.
  void listen(const std::string& host, unsigned short port);
  unsigned short port() const;

  void on_connection(ConnectionHandler handler) { on_connection_ = std::move(handler); }
  void set_fallback(FallbackHandler handler) { fallback_ = std::move(handler); }

  // Stops accepting and closes every session with "server shutting down".
  void close();

  std::size_t session_count() const { return sessions_.size(); }
  // Open TCP connections (HTTP and WebSocket), as the connection limits count them.
  std::size_t connection_count() const { return connection_limit_.open(); }
  const Stats& stats() const { return stats_; }
  const ServerOptions& options() const { return options_; }

  // HttpRouter
  std::size_t body_limit(const Request& header) const override;
  void handle(std::shared_ptr<HttpConnection> connection, HttpRequest request) override;

 private:
  void handle_engine_request(const std::shared_ptr<HttpConnection>& connection,
                             HttpRequest request);
  void hold_poll_during_upgrade(const std::shared_ptr<HttpConnection>& connection,
                               HttpRequest request);
  void handshake(const std::shared_ptr<HttpConnection>& connection, HttpRequest request);
  void open_session(const std::shared_ptr<HttpConnection>& connection, HttpRequest request);
  void upgrade(const std::shared_ptr<HttpConnection>& connection, HttpRequest request,
               const std::shared_ptr<Session>& session);
  std::shared_ptr<Session> make_session(HttpRequest request);
  void reject(const std::shared_ptr<HttpConnection>& connection, const HttpRequest& request,
              ErrorCode code, std::string_view message = {});
  // Takes a token of handshake_rate for the request's peer; false once it answered 429.
  bool admit_handshake(const std::shared_ptr<HttpConnection>& connection,
                       const HttpRequest& request);
  bool is_engine_path(std::string_view path) const;

  boost::asio::io_context& ctx_;
  ServerOptions options_;
  CorsPolicy cors_;
  std::shared_ptr<Listener> listener_;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
  Stats stats_;
  ConnectionLimit connection_limit_;
  std::optional<AddressRateLimit> handshake_rate_;  // unset when handshake_rate is 0
  // The connection lease of each session's WebSocket (or of the one it is upgrading to): its
  // HTTP connection is gone, and the session ending is what closes it.
  std::unordered_map<std::string, ConnectionLimit::LeasePtr> websocket_leases_;
  ConnectionHandler on_connection_;
  FallbackHandler fallback_;
  // Guards callbacks that may outlive the server (allow_request answering late).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sio::engineio
