#include "socketio/server.hpp"

#include <algorithm>
#include <set>

#include "adapter/memory_adapter.hpp"
#include "reactor/gather.hpp"
#include "socketio/serve_client.hpp"

namespace sio::socketio {

Stats& Stats::operator+=(const Stats& other) {
  broadcasts += other.broadcasts;
  broadcast_deliveries += other.broadcast_deliveries;
  volatile_dropped += other.volatile_dropped;
  parse_errors += other.parse_errors;
  recovered_sockets += other.recovered_sockets;
  rate_limited_events += other.rate_limited_events;
  rate_limited_disconnects += other.rate_limited_disconnects;
  return *this;
}

Server::Server(boost::asio::io_context& ctx, ServerOptions options)
    : reactors_(ctx, options.threads),
      options_(std::move(options)),
      engine_(reactors_, options_.engine),
      shards_(reactors_) {
  engine_.on_connection([this](const std::shared_ptr<engineio::Session>& session) {
    auto client = std::make_shared<Client>(*this, session);
    here().clients.emplace(client.get(), client);
    client->start();
  });
  if (options_.connection_state_recovery) {
    for (std::size_t i = 0; i < reactors_.size(); ++i) {
      shards_[i].session_store =
          std::make_unique<SessionStore>(*options_.connection_state_recovery, reactors_.size());
      // Each reactor's timer is armed by that reactor.
      reactors_.post(i, [this, i] { schedule_session_expiry(i); });
    }
  }
  if (options_.serve_client) {
    engine_.set_file_route([path = options_.engine.path](const http::HttpRequest& request) {
      return serve_client_file(request, path);
    });
  }
  main_ = &of("/");
}

Server::~Server() {
  // No reactor of the server runs past this point; reactor 0 is not running (it is the caller's).
  reactors_.stop();
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    shards_[i].session_expiry.reset();
    // Sockets go before the namespaces they point to.
    shards_[i].clients.clear();
  }
}

void Server::listen(const std::string& host, unsigned short port) { engine_.listen(host, port); }

void Server::close(std::function<void()> done) {
  for (std::size_t i = 0; i < reactors_.size(); ++i) {
    reactors_.post(i, [this, i] {
      if (auto& timer = shards_[i].session_expiry) timer->cancel();
    });
  }
  engine_.close(std::move(done));
}

void Server::schedule_session_expiry(std::size_t reactor) {
  // Expired entries also go whenever the store is used; this frees them on an idle server.
  constexpr std::chrono::milliseconds kMaxPeriod{60000};
  const auto window = options_.connection_state_recovery->max_disconnection_duration;
  auto& shard = shards_[reactor];
  if (!shard.session_expiry) {
    shard.session_expiry = std::make_unique<boost::asio::steady_timer>(reactors_.executor(reactor));
  }
  shard.session_expiry->expires_after(
      std::clamp(window, std::chrono::milliseconds(100), kMaxPeriod));
  shard.session_expiry->async_wait([this, reactor](boost::system::error_code ec) {
    if (ec) return;
    shards_[reactor].session_store->expire(SessionStore::Clock::now());
    schedule_session_expiry(reactor);
  });
}

Broadcast::Offset Server::next_offset() const {
  const auto reactor = reactors_.current_or_home();
  const auto seq = ++shards_[reactor].broadcasts_logged;
  return Broadcast::Offset{seq, reactor, offset_text(seq, reactor)};
}

Namespace* Server::lookup_namespace(const std::string& name) {
  const auto reactor = reactors_.current();
  if (reactor) {
    auto& known = shards_[*reactor].known_namespaces;
    if (auto it = known.find(name); it != known.end()) return it->second;
  }
  std::lock_guard lock(namespaces_mutex_);
  auto it = namespaces_.find(name);
  if (it == namespaces_.end()) return nullptr;
  if (reactor) shards_[*reactor].known_namespaces.emplace(name, it->second.get());
  return it->second.get();
}

Namespace& Server::of(const std::string& name) {
  const std::string normalized = name.empty() || name[0] != '/' ? "/" + name : name;
  if (auto* nsp = lookup_namespace(normalized)) return *nsp;
  Namespace* created;
  {
    std::lock_guard lock(namespaces_mutex_);
    auto& slot = namespaces_[normalized];
    if (!slot) slot = std::make_unique<Namespace>(*this, normalized);
    created = slot.get();
  }
  return *created;
}

Namespace& Server::of(const std::regex& pattern) {
  return of(NamespaceMatcher(
      [pattern](const std::string& name, const json&) { return std::regex_match(name, pattern); }));
}

Namespace& Server::of(NamespaceMatcher matcher) {
  // The parent's name is never a namespace a client can join; it only holds the handlers.
  auto nsp = std::make_unique<Namespace>(*this, "/_" + std::to_string(parents_.size()));
  auto& ref = *nsp;
  parents_.push_back(Parent{std::move(matcher), std::move(nsp)});
  return ref;
}

Namespace* Server::find_namespace(const std::string& name, const json& auth) {
  if (auto* nsp = lookup_namespace(name)) return nsp;
  // The matchers are the application's code: they run outside the lock.
  Namespace* parent = nullptr;
  for (auto& candidate : parents_) {
    if (candidate.matcher(name, auth)) {
      parent = candidate.nsp.get();
      break;
    }
  }
  if (!parent) return nullptr;
  std::lock_guard lock(namespaces_mutex_);
  auto& slot = namespaces_[name];
  if (!slot) {
    // Another reactor may have made it meanwhile; else the cap decides.
    const auto cap = options_.max_dynamic_namespaces;
    if (cap != 0 && dynamic_namespaces_ >= cap) {
      namespaces_.erase(name);
      return nullptr;
    }
    slot = std::make_unique<Namespace>(*this, name, parent);
    ++dynamic_namespaces_;
  }
  return slot.get();
}

std::vector<Namespace*> Server::namespaces() const {
  std::lock_guard lock(namespaces_mutex_);
  std::vector<Namespace*> all;
  all.reserve(namespaces_.size());
  for (const auto& [name, nsp] : namespaces_) all.push_back(nsp.get());
  return all;
}

std::unique_ptr<adapter::Adapter> Server::make_adapter(Namespace& nsp) {
  if (options_.adapter) return options_.adapter(nsp);
  return std::make_unique<adapter::MemoryAdapter>();
}

void Server::set_adapter(adapter::AdapterFactory factory) {
  options_.adapter = std::move(factory);
  for (auto* nsp : namespaces()) nsp->set_adapter(make_adapter(*nsp));
  for (auto& parent : parents_) parent.nsp->set_adapter(make_adapter(*parent.nsp));
}

void Server::remove_client(const Client* client) {
  // The client may be deep in its own call stack: let it finish before it is released.
  const auto reactor = reactors_.current_or_home();
  reactors_.post(reactor, [this, reactor, client] { shards_[reactor].clients.erase(client); });
}

void Server::collect_stats(std::function<void(ServerStats)> done) {
  struct Share {
    engineio::Stats engine;
    Stats sio;
    std::size_t sessions = 0;
    std::size_t polling_sessions = 0;
    std::map<std::string, std::pair<std::size_t, std::vector<adapter::Room>>> namespaces;
  };
  auto all = namespaces();
  reactor::gather<Share>(
      reactors_,
      [this, all](std::size_t index) {
        Share share{engine_.local_stats(), shards_[index].stats, engine_.local_session_count(),
                    engine_.local_polling_session_count(), {}};
        for (auto* nsp : all) {
          share.namespaces[nsp->name()] = {nsp->local_socket_count(), nsp->local_rooms_here()};
        }
        return share;
      },
      [this, done = std::move(done)](std::vector<Share> shares) {
        ServerStats stats;
        stats.tcp_connections = engine_.connection_count();
        std::map<std::string, std::set<adapter::Room>> rooms;
        for (auto& share : shares) {
          stats.engine += share.engine;
          stats.sio += share.sio;
          stats.sessions += share.sessions;
          stats.polling_sessions += share.polling_sessions;
          for (auto& [name, counts] : share.namespaces) {
            stats.namespaces[name].sockets += counts.first;
            rooms[name].insert(counts.second.begin(), counts.second.end());
          }
        }
        for (auto& [name, names] : rooms) stats.namespaces[name].rooms = names.size();
        done(std::move(stats));
      });
}

}  // namespace sio::socketio
