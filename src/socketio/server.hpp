#pragma once
// The Socket.IO server: an Engine.IO server plus namespaces. The API follows Node's `Server`:
// `of`, `use`, `on_connection`, and the broadcast operators of the main namespace.
//
//   sio::socketio::Server io(ctx, options);
//   io.use([](Socket& s, Next next) { next(std::nullopt); });
//   io.on_connection([](Socket& s) { s.on("ping", [](Socket&, const Args&, Ack ack) { ack("pong"); }); });
//   io.listen("::", 3000);

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "engineio/server.hpp"
#include "socketio/client.hpp"
#include "socketio/decoder.hpp"
#include "socketio/namespace.hpp"
#include "socketio/session_store.hpp"
#include "socketio/socket.hpp"
#include "socketio/stats.hpp"

namespace sio::socketio {

struct ServerOptions {
  // Engine.IO settings; the path defaults to Socket.IO's.
  engineio::ServerOptions engine = [] {
    engineio::ServerOptions o;
    o.path = "/socket.io/";
    return o;
  }();
  // A client must join a namespace within this time.
  std::chrono::milliseconds connect_timeout{45000};
  // Bounds on a client's packets (attachments, nesting depth, event name length); a packet past
  // one closes that client with "parse error".
  DecoderLimits limits;
  // Makes each namespace's adapter; the in-memory adapter when unset.
  adapter::AdapterFactory adapter;
  // Rooms one socket may be in, its own id room aside; beyond it Socket::join refuses (returns
  // false). 0 = no limit.
  std::size_t max_rooms_per_socket = 0;
  // Namespaces that parents (of(regex), of(matcher)) may create; beyond it a CONNECT to a new
  // name is refused like an unknown namespace. 0 = no limit.
  std::size_t max_dynamic_namespaces = 0;
  // Connection state recovery (see session_store.hpp); off when unset, as in Node.
  std::optional<ConnectionStateRecovery> connection_state_recovery;
};

// Decides whether a name belongs to a dynamic namespace; `auth` is the client's CONNECT payload.
using NamespaceMatcher = std::function<bool(const std::string& name, const json& auth)>;

class Server {
 public:
  Server(boost::asio::io_context& ctx, ServerOptions options = {});
  ~Server();

  void listen(const std::string& host, unsigned short port);
  unsigned short port() const { return engine_.port(); }
  // Disconnects every socket ("server shutting down") and stops accepting.
  void close();

  Namespace& of(const std::string& name);
  Namespace& of(const std::regex& pattern);
  Namespace& of(NamespaceMatcher matcher);
  Namespace& sockets() { return of("/"); }

  // The main namespace's API, as on Node's `io`.
  void use(Middleware middleware) { sockets().use(std::move(middleware)); }
  void on_connection(ConnectionHandler handler) { sockets().on_connection(std::move(handler)); }
  BroadcastOperator to(const adapter::Room& room) { return sockets().to(room); }
  BroadcastOperator to(const std::vector<adapter::Room>& rooms) { return sockets().to(rooms); }
  BroadcastOperator in(const adapter::Room& room) { return sockets().to(room); }
  BroadcastOperator except(const adapter::Room& room) { return sockets().except(room); }
  BroadcastOperator volatile_() { return sockets().volatile_(); }
  BroadcastOperator local() { return sockets().local(); }
  BroadcastOperator timeout(std::chrono::milliseconds t) { return sockets().timeout(t); }
  template <class... T>
  void emit(std::string_view event, T&&... args) {
    sockets().emit(event, std::forward<T>(args)...);
  }

  // Replaces the adapter of every namespace, present and future.
  void set_adapter(adapter::AdapterFactory factory);
  // Serves HTTP requests outside the Socket.IO path (health checks, REST, static files).
  void set_fallback(engineio::Server::FallbackHandler handler) { engine_.set_fallback(std::move(handler)); }

  boost::asio::io_context& context() { return ctx_; }
  engineio::Server& engine() { return engine_; }
  const ServerOptions& options() const { return options_; }
  Stats& stats() { return stats_; }
  // Sessions and packets kept for connection state recovery; null when it is off.
  SessionStore* session_store() { return session_store_.get(); }
  // Every namespace with its name (dynamic children included, parents not).
  const std::map<std::string, std::unique_ptr<Namespace>>& namespaces() const { return namespaces_; }

  // --- used by clients ---
  // The namespace for `name`: existing, or created from a matching parent; null when none.
  Namespace* find_namespace(const std::string& name, const json& auth);
  std::unique_ptr<adapter::Adapter> make_adapter(Namespace& nsp);
  void remove_client(const Client* client);

 private:
  void schedule_session_expiry();

  struct Parent {
    NamespaceMatcher matcher;
    std::unique_ptr<Namespace> nsp;
  };

  boost::asio::io_context& ctx_;
  ServerOptions options_;
  Stats stats_;
  engineio::Server engine_;
  std::map<std::string, std::unique_ptr<Namespace>> namespaces_;
  std::vector<Parent> parents_;
  std::size_t dynamic_namespaces_ = 0;  // children created by parents (never removed)
  // Each client lives until its Engine.IO session closes.
  std::unordered_map<const Client*, std::shared_ptr<Client>> clients_;
  std::unique_ptr<SessionStore> session_store_;
  boost::asio::steady_timer session_expiry_;
};

}  // namespace sio::socketio
