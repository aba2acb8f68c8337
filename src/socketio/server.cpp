#include "socketio/server.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "adapter/memory_adapter.hpp"

namespace sio::socketio {

Server::Server(boost::asio::io_context& ctx, ServerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      engine_(ctx_, options_.engine),
      session_expiry_(ctx_) {
  engine_.on_connection([this](const std::shared_ptr<engineio::Session>& session) {
    auto client = std::make_shared<Client>(*this, session);
    clients_.emplace(client.get(), client);
    client->start();
  });
  if (options_.connection_state_recovery) {
    session_store_ = std::make_unique<SessionStore>(*options_.connection_state_recovery);
    schedule_session_expiry();
  }
  of("/");
}

Server::~Server() {
  session_expiry_.cancel();
  // Sockets go before the namespaces they point to.
  clients_.clear();
}

void Server::listen(const std::string& host, unsigned short port) { engine_.listen(host, port); }

void Server::close() {
  session_expiry_.cancel();
  engine_.close();
}

void Server::schedule_session_expiry() {
  // Expired entries also go whenever the store is used; this frees them on an idle server.
  constexpr std::chrono::milliseconds kMaxPeriod{60000};
  const auto window = options_.connection_state_recovery->max_disconnection_duration;
  session_expiry_.expires_after(std::clamp(window, std::chrono::milliseconds(100), kMaxPeriod));
  session_expiry_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    session_store_->expire(SessionStore::Clock::now());
    schedule_session_expiry();
  });
}

Namespace& Server::of(const std::string& name) {
  const std::string normalized = name.empty() || name[0] != '/' ? "/" + name : name;
  auto it = namespaces_.find(normalized);
  if (it != namespaces_.end()) return *it->second;
  auto nsp = std::make_unique<Namespace>(*this, normalized);
  auto& ref = *nsp;
  namespaces_.emplace(normalized, std::move(nsp));
  return ref;
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
  if (auto it = namespaces_.find(name); it != namespaces_.end()) return it->second.get();
  const auto cap = options_.max_dynamic_namespaces;
  if (cap != 0 && dynamic_namespaces_ >= cap) return nullptr;
  for (auto& parent : parents_) {
    if (!parent.matcher(name, auth)) continue;
    auto child = std::make_unique<Namespace>(*this, name, parent.nsp.get());
    auto* ref = child.get();
    namespaces_.emplace(name, std::move(child));
    ++dynamic_namespaces_;
    return ref;
  }
  return nullptr;
}

std::unique_ptr<adapter::Adapter> Server::make_adapter(Namespace& nsp) {
  if (options_.adapter) return options_.adapter(nsp);
  return std::make_unique<adapter::MemoryAdapter>(nsp);
}

void Server::set_adapter(adapter::AdapterFactory factory) {
  options_.adapter = std::move(factory);
  for (auto& [name, nsp] : namespaces_) nsp->set_adapter(make_adapter(*nsp));
  for (auto& parent : parents_) parent.nsp->set_adapter(make_adapter(*parent.nsp));
}

void Server::remove_client(const Client* client) {
  // The client may be deep in its own call stack: let it finish before it is released.
  boost::asio::post(ctx_, [this, client] { clients_.erase(client); });
}

}  // namespace sio::socketio
