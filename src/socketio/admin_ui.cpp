#include "socketio/admin_ui.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "socketio/admin_ui_events.hpp"
#include "socketio/password_check.hpp"
#include "socketio/server.hpp"

namespace sio::socketio {

namespace {

constexpr const char* kInvalidCredentials = "invalid credentials";

std::string random_session_id() {
  unsigned char bytes[8];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

// A command's room filter: a room name (a socket's id names that socket); anything falsy, the
// whole namespace.
std::optional<std::string> filter_of(const Args& args, std::size_t at) {
  if (args.size() <= at || !args[at].is_string() ||
      args[at].get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return args[at].get<std::string>();
}

}  // namespace

class AdminUi : public std::enable_shared_from_this<AdminUi> {
 public:
  AdminUi(Server& io, AdminUiOptions options)
      : io_(io),
        options_(std::move(options)),
        admin_(io.of(options_.namespace_name)),
        timer_(io.reactors().context(0)),
        hostname_(host_name()),
        server_id_(options_.server_id.empty() ? hostname_ + "#" + std::to_string(getpid())
                                              : options_.server_id),
        started_(std::chrono::steady_clock::now()) {
    if (options_.auth) {
      if (!PasswordCheck::valid_hash(options_.auth->password_hash)) {
        throw std::invalid_argument("the admin UI password must be a bcrypt hash");
      }
      passwords_ = std::make_unique<PasswordCheck>();
    }
  }

  void start() {
    auto self = shared_from_this();
    admin_.use([self](Socket& socket, Next next) { self->authenticate(socket, std::move(next)); });
    admin_.on_connection([self](Socket& socket) { self->welcome(socket); });
    if (options_.mode == AdminUiOptions::Mode::development) {
      io_.set_observer(std::make_shared<AdminUiEvents>(admin_));
    }
    // Started on reactor 0 once it runs; the wait keeps this object alive.
    boost::asio::post(timer_.get_executor(), [self] { self->schedule_stats(); });
  }

 private:
  void authenticate(Socket& socket, Next next) {
    if (!options_.auth) return next(std::nullopt);
    const auto& auth = socket.handshake().auth;
    if (auto id = auth.find("sessionId"); id != auth.end() && id->is_string()) {
      bool known = false;
      {
        std::lock_guard lock(mutex_);
        known = sessions_.count(id->get<std::string>()) > 0;
      }
      // Outside the lock: the connection handlers (welcome) take it.
      if (known) return next(std::nullopt);
    }
    const auto user = auth.find("username");
    const auto password = auth.find("password");
    if (user == auth.end() || password == auth.end() || !user->is_string() ||
        !password->is_string() || *user != options_.auth->username) {
      return next(Error{kInvalidCredentials, nullptr});
    }
    // bcrypt runs on its own thread; the answer comes back to the socket's reactor.
    passwords_->check(password->get<std::string>(), options_.auth->password_hash,
                      [self = shared_from_this(), next, executor = socket.executor(),
                       weak = std::weak_ptr<Socket>(socket.shared_from_this())](bool matches) {
                        boost::asio::post(executor, [self, next, weak, matches] {
                          auto socket = weak.lock();
                          if (!socket) return;
                          if (!matches) return next(Error{kInvalidCredentials, nullptr});
                          auto session = random_session_id();
                          {
                            std::lock_guard lock(self->mutex_);
                            self->sessions_.insert(session);
                            self->pending_[socket->id()] = std::move(session);
                          }
                          next(std::nullopt);
                        });
                      });
  }

  void welcome(Socket& socket) {
    std::optional<std::string> session;
    {
      std::lock_guard lock(mutex_);
      if (auto it = pending_.find(socket.id()); it != pending_.end()) {
        session = std::move(it->second);
        pending_.erase(it);
      }
    }
    // After the CONNECT (Node sends it before, when the UI is not listening yet): the UI keeps it
    // and logs in with it next time.
    if (session) socket.emit("session", *session);
    if (!options_.readonly) register_commands(socket);
    json features = json::array();
    if (!options_.readonly) {
      features =
          json::array({"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"});
    }
    features.push_back("AGGREGATED_EVENTS");
    if (options_.mode == AdminUiOptions::Mode::development) features.push_back("ALL_EVENTS");
    socket.emit("config", json{{"supportedFeatures", features}});
    if (options_.mode == AdminUiOptions::Mode::development) send_all_sockets(socket);
  }

  // Every socket of every namespace, across the cluster.
  void send_all_sockets(Socket& socket) {
    auto namespaces = io_.namespaces();
    auto all = std::make_shared<json>(json::array());
    auto left = std::make_shared<std::size_t>(namespaces.size());
    auto weak = std::weak_ptr<Socket>(socket.shared_from_this());
    for (auto* nsp : namespaces) {
      nsp->fetch_sockets(
          [all, left, weak, name = nsp->name()](std::vector<adapter::SocketDetails> found) {
            for (const auto& details : found) all->push_back(admin_view_of(details, name));
            if (--*left > 0) return;
            if (auto s = weak.lock()) s->emit("all_sockets", std::move(*all));
          });
    }
  }

  Namespace* existing(const Args& args) const {
    if (args.empty() || !args[0].is_string()) return nullptr;
    const auto& name = args[0].get_ref<const std::string&>();
    for (auto* nsp : io_.namespaces()) {
      if (nsp->name() == name) return nsp;
    }
    return nullptr;
  }

  static BroadcastOperator target(Namespace& nsp, const std::optional<std::string>& filter) {
    return filter ? nsp.to(*filter) : BroadcastOperator(nsp);
  }

  void register_commands(Socket& socket) {
    auto self = shared_from_this();
    // (nsp, filter, event, ...args)
    socket.on("emit", [self](Socket&, const Args& args, Ack) {
      auto* nsp = self->existing(args);
      if (!nsp || args.size() < 3 || !args[2].is_string()) return;
      Args rest = Args::array();
      for (std::size_t i = 3; i < args.size(); ++i) rest.push_back(args[i]);
      target(*nsp, filter_of(args, 1)).emit_args(args[2].get<std::string>(), std::move(rest));
    });
    // (nsp, room, filter?)
    socket.on("join", [self](Socket&, const Args& args, Ack) {
      auto* nsp = self->existing(args);
      if (!nsp || args.size() < 2 || !args[1].is_string()) return;
      target(*nsp, filter_of(args, 2)).sockets_join({args[1].get<std::string>()});
    });
    socket.on("leave", [self](Socket&, const Args& args, Ack) {
      auto* nsp = self->existing(args);
      if (!nsp || args.size() < 2 || !args[1].is_string()) return;
      target(*nsp, filter_of(args, 2)).sockets_leave({args[1].get<std::string>()});
    });
    // (nsp, close, filter?)
    socket.on("_disconnect", [self](Socket&, const Args& args, Ack) {
      auto* nsp = self->existing(args);
      if (!nsp || args.size() < 2 || !args[1].is_boolean()) return;
      target(*nsp, filter_of(args, 2)).disconnect_sockets(args[1].get<bool>());
    });
  }

  void schedule_stats() {
    timer_.expires_after(options_.stats_interval);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      self->io_.collect_stats([self](ServerStats stats) { self->emit_stats(stats); });
      self->schedule_stats();
    });
  }

  // What happened since the last stats, as Node's EventBuffer counts it, under this second.
  json aggregated_events(const ServerStats& stats) {
    const auto& now = stats.engine;
    const auto& then = last_;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const auto timestamp = ms - ms % 1000;
    json events = json::array();
    auto add = [&](const char* type, std::uint64_t count, const char* sub_type = nullptr) {
      if (count == 0) return;
      json entry{{"timestamp", timestamp}, {"type", type}};
      if (sub_type) entry["subType"] = sub_type;
      entry["count"] = count;
      events.push_back(std::move(entry));
    };
    add("rawConnection", now.sessions_opened - then.sessions_opened);
    for (std::size_t reason = 0; reason < engineio::kCloseReasons; ++reason) {
      const auto name = engineio::to_string(static_cast<engineio::CloseReason>(reason));
      add("rawDisconnection", now.closed[reason] - then.closed[reason], std::string(name).c_str());
    }
    add("packetsIn", now.packets_in - then.packets_in);
    add("packetsOut", now.packets_out - then.packets_out);
    add("bytesIn", now.bytes_in - then.bytes_in);
    add("bytesOut", now.bytes_out - then.bytes_out);
    last_ = now;
    return events;
  }

  void emit_stats(const ServerStats& stats) {
    json namespaces = json::array();
    for (const auto& [name, counts] : stats.namespaces) {
      namespaces.push_back(json{{"name", name}, {"socketsCount", counts.sockets}});
    }
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    BroadcastOperator(admin_).emit("server_stats",
                                   json{{"serverId", server_id_},
                                        {"hostname", hostname_},
                                        {"pid", getpid()},
                                        {"uptime", uptime},
                                        {"clientsCount", stats.sessions},
                                        {"pollingClientsCount", stats.polling_sessions},
                                        {"aggregatedEvents", aggregated_events(stats)},
                                        {"namespaces", std::move(namespaces)}});
  }

  Server& io_;
  AdminUiOptions options_;
  Namespace& admin_;
  boost::asio::steady_timer timer_;
  const std::string hostname_;
  const std::string server_id_;
  const std::chrono::steady_clock::time_point started_;
  std::unique_ptr<PasswordCheck> passwords_;
  engineio::Stats last_;  // at the last stats (reactor 0 only)
  // Logins happen on every reactor: a lock per login, never per message.
  std::mutex mutex_;
  std::unordered_set<std::string> sessions_;
  std::unordered_map<std::string, std::string> pending_;  // socket id → session to announce
};

std::shared_ptr<AdminUi> instrument_admin_ui(Server& io, AdminUiOptions options) {
  auto admin = std::make_shared<AdminUi>(io, std::move(options));
  admin->start();
  return admin;
}

}  // namespace sio::socketio
