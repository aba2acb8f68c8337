#pragma once
// The Engine.IO server: verifies handshakes, keeps the sid table, routes polling requests and
// WebSocket connections to their sessions. Requests outside `path` go to a fallback handler, so
// an application can serve its own routes on the same port.
//
// It serves on every reactor of a pool. A session lives on the reactor that took its handshake,
// and its sid names that reactor: a later request for it (a poll, a POST, the WebSocket upgrade)
// that arrives on another reactor is moved there, connection and all, so one machine needs no
// sticky load balancing. Each reactor keeps its own sessions and counters; the connection and
// handshake limits are the whole process's.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engineio/address_rate_limit.hpp"
#include "engineio/errors.hpp"
#include "engineio/options.hpp"
#include "engineio/session.hpp"
#include "http/connection_limit.hpp"
#include "http/cors.hpp"
#include "http/http_connection.hpp"
#include "http/listener.hpp"
#include "reactor/per_reactor.hpp"
#include "reactor/reactor_pool.hpp"

namespace sio::engineio {

class Server : public http::HttpRouter {
 public:
  using ConnectionHandler = std::function<void(const std::shared_ptr<Session>&)>;
  using FallbackHandler =
      std::function<void(std::shared_ptr<http::HttpConnection>, http::HttpRequest)>;
  // Answers requests under `path` that are files rather than Engine.IO requests (Socket.IO's
  // client bundle); nothing for the rest, which the engine handles.
  using FileRoute = std::function<std::optional<http::Response>(const http::HttpRequest&)>;

  // Destroy it only once the pool's own reactors have stopped (ReactorPool::stop).
  Server(reactor::ReactorPool& reactors, ServerOptions options);
  ~Server() override;

  // Binds (throws on failure) and starts accepting. Port 0 picks a free port. Call on reactor 0
  // (or before it runs).
  void listen(const std::string& host, unsigned short port);
  unsigned short port() const;

  // Set before listen(). A new session is announced on its own reactor; a fallback request is
  // handled on the reactor that received it.
  void on_connection(ConnectionHandler handler) { on_connection_ = std::move(handler); }
  void set_fallback(FallbackHandler handler) { fallback_ = std::move(handler); }
  void set_file_route(FileRoute route) { file_route_ = std::move(route); }

  // Stops accepting and closes every session of every reactor with "server shutting down"; then
  // `done` runs on the calling reactor (reactor 0 for a caller outside the pool).
  void close(std::function<void()> done = nullptr);

  // Open TCP connections of the process (HTTP and WebSocket), as the connection limits count them.
  std::size_t connection_count() const { return connection_limit_.open(); }
  // The calling reactor's counters and open sessions (see reactor::gather to add them all up).
  const Stats& local_stats() const { return shards_.local().stats; }
  std::size_t local_session_count() const { return shards_.local().sessions.size(); }
  // Sessions of this reactor still on long-polling.
  std::size_t local_polling_session_count() const;
  const ServerOptions& options() const { return options_; }
  reactor::ReactorPool& reactors() const { return reactors_; }

  // HttpRouter
  std::size_t body_limit(const http::Request& header) const override;
  void handle(std::shared_ptr<http::HttpConnection> connection, http::HttpRequest request) override;

 private:
  // What one reactor owns.
  struct Shard {
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
    // The connection lease of each session's WebSocket (or of the one it is upgrading to): its
    // HTTP connection is gone, and the session ending is what closes it.
    std::unordered_map<std::string, http::ConnectionLimit::LeasePtr> websocket_leases;
    Stats stats;
  };

  void handle_engine_request(const std::shared_ptr<http::HttpConnection>& connection,
                             http::HttpRequest request);
  void handle_session_request(const std::shared_ptr<http::HttpConnection>& connection,
                              http::HttpRequest request, std::string_view transport);
  void hold_poll_during_upgrade(const std::shared_ptr<Session>& session,
                                const std::shared_ptr<http::HttpConnection>& connection,
                                http::HttpRequest request);
  void handshake(const std::shared_ptr<http::HttpConnection>& connection, http::HttpRequest request);
  void open_session(const std::shared_ptr<http::HttpConnection>& connection,
                    http::HttpRequest request);
  void upgrade(const std::shared_ptr<http::HttpConnection>& connection, http::HttpRequest request,
               const std::shared_ptr<Session>& session);
  std::shared_ptr<Session> make_session(http::HttpRequest request);
  void reject(const std::shared_ptr<http::HttpConnection>& connection,
              const http::HttpRequest& request, ErrorCode code, std::string_view message = {});
  // Behind a trusted proxy: sets the request's remote_address to the client's and counts the
  // connection against it; false once it answered 429 (the client is over its connection limit).
  bool resolve_client(const std::shared_ptr<http::HttpConnection>& connection,
                      http::HttpRequest& request);
  // Takes a token of handshake_rate for the request's client; false once it answered 429.
  bool admit_handshake(const std::shared_ptr<http::HttpConnection>& connection,
                       const http::HttpRequest& request);
  bool is_engine_path(std::string_view path) const;

  reactor::ReactorPool& reactors_;
  ServerOptions options_;
  http::CorsPolicy cors_;
  http::ConnectionLimit connection_limit_;
  std::optional<AddressRateLimit> handshake_rate_;  // unset when handshake_rate is 0
  reactor::PerReactor<Shard> shards_;
  std::shared_ptr<http::Listener> listener_;
  ConnectionHandler on_connection_;
  FallbackHandler fallback_;
  FileRoute file_route_;
  // Guards callbacks that may outlive the server (allow_request answering late). Written only by
  // the destructor, when no reactor runs any more.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sio::engineio
