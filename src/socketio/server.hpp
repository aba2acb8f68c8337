#pragma once
// The Socket.IO server: an Engine.IO server plus namespaces. The API follows Node's `Server`:
// `of`, `use`, `on_connection`, and the broadcast operators of the main namespace.
//
//   boost::asio::io_context ctx;
//   sio::socketio::Server io(ctx, {.threads = 4});
//   io.use([](Socket& s, Next next) { next(std::nullopt); });
//   io.on_connection([](Socket& s) { s.on("ping", [](Socket&, const Args&, Ack ack) { ack("pong"); }); });
//   io.listen("::", 3000);
//   ctx.run();  // reactor 0; the server runs reactors 1..3 on threads of its own
//
// Threads: the server runs `threads` reactors. Reactor 0 is `ctx`, run by the application;
// the others are the server's. Each reactor owns the connections it serves and their sockets: a
// socket's handlers run on its reactor, and a socket is used only there (post to
// socket.executor() from anywhere else). The rest of the API — of(), the broadcast operators,
// fetch_sockets and the other utilities — may be called from any reactor: it reaches the
// sockets of every reactor by posting to them, and answers on the calling reactor. Called from
// outside every reactor, it runs on reactor 0. Configure namespaces (use, on_connection,
// on_server_side, set_adapter) before the server runs.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "engineio/server.hpp"
#include "reactor/per_reactor.hpp"
#include "reactor/reactor_pool.hpp"
#include "socketio/client.hpp"
#include "socketio/decoder.hpp"
#include "socketio/event_rate_limit.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server_observer.hpp"
#include "socketio/session_store.hpp"
#include "socketio/socket.hpp"
#include "socketio/stats.hpp"

namespace sio::socketio {

struct ServerOptions {
  // Reactors (threads): 0 means one per core, 1 a single thread (the application's).
  std::size_t threads = 0;
  // How packets are encoded (parser.hpp): the default text parser, or socket.io-msgpack-parser's
  // MessagePack. Clients must use the same.
  Parser parser = Parser::text;
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
  // Events per second each socket may send (see event_rate_limit.hpp), for every namespace that
  // sets none of its own (Namespace::set_event_rate_limit); rate 0 = no limit, as in Node.
  EventRateLimit event_rate_limit;
  // Told (on the client's reactor) when a client is closed for a packet it could not decode: its
  // address, its Engine.IO session id and why (say, a binary message where a text packet was
  // due, as a client using another parser sends). sio-server logs it.
  std::function<void(const std::string& address, const std::string& sid, const std::string& why)>
      on_parse_error;
  // Connection state recovery (see session_store.hpp); off when unset, as in Node.
  std::optional<ConnectionStateRecovery> connection_state_recovery;
  // Serves the official client's browser bundles under the path (<path>socket.io.min.js and the
  // others, client_bundle.hpp), as Node's `serveClient` does by default.
  bool serve_client = true;
};

// Decides whether a name belongs to a dynamic namespace; `auth` is the client's CONNECT payload.
using NamespaceMatcher = std::function<bool(const std::string& name, const json& auth)>;

class Server {
 public:
  Server(boost::asio::io_context& ctx, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Call on reactor 0 (or before it runs).
  void listen(const std::string& host, unsigned short port);
  unsigned short port() const { return engine_.port(); }
  // Stops accepting and disconnects every socket of every reactor ("server shutting down");
  // then `done` runs on the calling reactor.
  void close(std::function<void()> done = nullptr);

  Namespace& of(const std::string& name);
  Namespace& of(const std::regex& pattern);
  Namespace& of(NamespaceMatcher matcher);
  Namespace& sockets() { return *main_; }

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
  // Serves HTTP requests outside the Socket.IO path (health checks, REST, static files), on the
  // reactor that received them.
  void set_fallback(engineio::Server::FallbackHandler handler) {
    engine_.set_fallback(std::move(handler));
  }

  reactor::ReactorPool& reactors() { return reactors_; }
  // The calling reactor's executor (reactor 0's outside every reactor): where work that must come
  // back here is posted.
  boost::asio::io_context::executor_type executor() const { return reactors_.current_executor(); }
  engineio::Server& engine() { return engine_; }
  const ServerOptions& options() const { return options_; }
  // Every namespace (dynamic children included, parents not), by name, as of now.
  std::vector<Namespace*> namespaces() const;

  // The counters of every reactor added up, with the sessions, sockets and rooms of the whole
  // server; `done` runs on the calling reactor.
  void collect_stats(std::function<void(ServerStats)> done);

  // The observer of sockets (server_observer.hpp); set before the server runs.
  void set_observer(std::shared_ptr<ServerObserver> observer) { observer_ = std::move(observer); }
  ServerObserver* observer() const { return observer_.get(); }

 private:
  friend class Client;
  friend class Namespace;
  friend class Socket;

  // What one reactor owns.
  struct Shard {
    // Each client lives until its Engine.IO session closes.
    std::unordered_map<const Client*, std::shared_ptr<Client>> clients;
    std::unique_ptr<SessionStore> session_store;  // with connection state recovery
    std::unique_ptr<boost::asio::steady_timer> session_expiry;
    std::uint64_t broadcasts_logged = 0;  // the seq of this reactor's last logged broadcast
    Stats stats;
    // The namespaces this reactor has looked up: a namespace is never removed, so a pointer once
    // found stays good, and later lookups need no lock.
    std::unordered_map<std::string, Namespace*> known_namespaces;
  };
  struct Parent {
    NamespaceMatcher matcher;
    std::unique_ptr<Namespace> nsp;
  };

  Shard& here() const { return shards_.local(); }
  Shard& shard(std::size_t reactor) const { return shards_[reactor]; }
  // The calling reactor's recovery store; null when recovery is off.
  SessionStore* session_store() const { return here().session_store.get(); }
  // The offset for the next broadcast logged by the calling reactor.
  Broadcast::Offset next_offset() const;

  // The namespace for `name`: existing, or created from a matching parent; null when none.
  Namespace* find_namespace(const std::string& name, const json& auth);
  Namespace* lookup_namespace(const std::string& name);
  std::unique_ptr<adapter::Adapter> make_adapter(Namespace& nsp);
  void remove_client(const Client* client);
  void schedule_session_expiry(std::size_t reactor);

  reactor::ReactorPool reactors_;  // first: it outlives everything that runs on it
  ServerOptions options_;
  engineio::Server engine_;
  reactor::PerReactor<Shard> shards_;
  mutable std::mutex namespaces_mutex_;  // taken only when a reactor meets a name it does not know
  std::map<std::string, std::unique_ptr<Namespace>> namespaces_;
  std::shared_ptr<ServerObserver> observer_;
  std::size_t dynamic_namespaces_ = 0;  // children created by parents (never removed)
  std::vector<Parent> parents_;
  Namespace* main_ = nullptr;
};

}  // namespace sio::socketio
