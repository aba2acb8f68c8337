#include "engineio/server.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "engineio/polling_transport.hpp"
#include "engineio/session_id.hpp"
#include "engineio/websocket_transport.hpp"
#include "http/forwarded_client.hpp"
#include "reactor/gather.hpp"

namespace sio::engineio {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using http::HttpConnection;
using http::HttpRequest;

namespace {
}  // namespace

Server::Server(reactor::ReactorPool& reactors, ServerOptions options)
    : reactors_(reactors),
      options_(std::move(options)),
      cors_(options_.cors),
      connection_limit_(options_.max_connections, options_.max_connections_per_ip,
                        options_.trusted_proxies),
      shards_(reactors) {
  if (options_.handshake_rate > 0) {
    handshake_rate_.emplace(options_.handshake_rate, options_.handshake_burst,
                            options_.handshake_rate_addresses);
  }
}

Server::~Server() { *alive_ = false; }

void Server::listen(const std::string& host, unsigned short port) {
  listener_ = std::make_shared<http::Listener>(
      reactors_, host, port, *this, options_.http, connection_limit_,
      [this](http::ConnectionLimit::Refusal refusal) {
        auto& stats = shards_.local().stats;
        if (refusal == http::ConnectionLimit::Refusal::max_connections) {
          ++stats.connections_refused_max;
        } else {
          ++stats.connections_refused_per_ip;
        }
      },
      options_.tls);
  listener_->start();
}

std::size_t Server::local_polling_session_count() const {
  std::size_t count = 0;
  for (const auto& [id, session] : shards_.local().sessions) {
    if (session->transport_kind() == TransportKind::polling) ++count;
  }
  return count;
}

unsigned short Server::port() const { return listener_ ? listener_->port() : 0; }

void Server::close(std::function<void()> done) {
  if (listener_) listener_->stop();
  reactor::gather<bool>(
      reactors_,
      [this](std::size_t index) {
        // A copy: each session leaves the table as it ends.
        auto sessions = shards_[index].sessions;
        for (auto& [id, session] : sessions) session->terminate(CloseReason::server_shutdown);
        return true;
      },
      [done = std::move(done)](std::vector<bool>) {
        if (done) done();
      });
}

bool Server::is_engine_path(std::string_view path) const {
  return path.starts_with(options_.path) ||
         (options_.path.ends_with('/') && path == options_.path.substr(0, options_.path.size() - 1));
}

std::size_t Server::body_limit(const http::Request& header) const {
  auto target = std::string_view(header.target());
  return is_engine_path(target.substr(0, target.find('?'))) ? options_.max_payload : 64 * 1024;
}

void Server::handle(std::shared_ptr<HttpConnection> connection, HttpRequest request) {
  if (!resolve_client(connection, request)) return;
  if (is_engine_path(request.path)) {
    if (auto file = file_route_ ? file_route_(request) : std::nullopt) {
      cors_.apply(request, *file);  // as Node runs its CORS middleware before serving the file
      return connection->respond(std::move(*file));
    }
    return handle_engine_request(connection, std::move(request));
  }
  if (fallback_) return fallback_(std::move(connection), std::move(request));
  auto res = http::make_response(request, http::status::not_found, "Not Found", "text/plain");
  connection->respond(std::move(res));
}

// Runs for every request, also for one moved here from another reactor: the answer depends only
// on the peer and the headers, and re-keying a lease to the key it has does nothing.
bool Server::resolve_client(const std::shared_ptr<HttpConnection>& connection,
                            HttpRequest& request) {
  if (options_.trusted_proxies.empty()) return true;
  boost::system::error_code ec;
  const auto peer = asio::ip::make_address(request.peer_address, ec);
  if (ec || !options_.trusted_proxies.contains(peer)) return true;
  const auto client = http::forwarded_client(peer, request.message, options_.trusted_proxies);
  request.remote_address = client.to_string();
  const auto& lease = connection->lease();
  if (!lease || connection_limit_.rekey(*lease, client)) return true;
  ++shards_.local().stats.connections_refused_per_ip;
  auto res = http::make_response(request, http::status::too_many_requests,
                                 R"({"code":4,"message":"Too many connections"})",
                                 "application/json");
  res.keep_alive(false);
  cors_.apply(request, res);
  connection->respond(std::move(res));
  return false;
}

void Server::reject(const std::shared_ptr<HttpConnection>& connection, const HttpRequest& request,
                    ErrorCode code, std::string_view message) {
  if (message.empty()) message = error_message(code);
  // JSON-escaping is unnecessary for our own messages; an application's is passed through
  // std::string only after we strip quotes and backslashes.
  std::string text;
  for (char c : message) {
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) text += c;
  }
  auto res = http::make_response(request, static_cast<http::status>(error_status(code)),
                                 R"({"code":)" + std::to_string(static_cast<int>(code)) +
                                     R"(,"message":")" + text + R"("})",
                                 "application/json");
  cors_.apply(request, res);
  connection->respond(std::move(res));
}

void Server::handle_engine_request(const std::shared_ptr<HttpConnection>& connection,
                                   HttpRequest request) {
  const auto method = request.message.method();
  if (method == http::verb::options) return connection->respond(cors_.preflight(request));

  const auto transport = request.query_param("transport");
  const bool transport_known = transport && ((*transport == "polling" && options_.allow_polling) ||
                                             (*transport == "websocket" && options_.allow_websocket));
  if (!transport_known) return reject(connection, request, ErrorCode::unknown_transport);

  const auto sid = request.query_param("sid");
  if (!sid) return handshake(connection, std::move(request));

  // The session lives on the reactor its id names: a request that landed elsewhere goes there,
  // with its connection.
  const auto owner = reactor_of_session_id(*sid);
  if (!owner || *owner >= reactors_.size()) {
    return reject(connection, request, ErrorCode::unknown_sid);
  }
  if (*owner != reactors_.current()) {
    ++shards_.local().stats.requests_moved;
    return connection->move_to(reactors_.context(*owner), std::move(request));
  }
  const std::string transport_name(*transport);
  handle_session_request(connection, std::move(request), transport_name);
}

void Server::handle_session_request(const std::shared_ptr<HttpConnection>& connection,
                                    HttpRequest request, std::string_view transport) {
  auto& shard = shards_.local();
  auto it = shard.sessions.find(std::string(*request.query_param("sid")));
  if (it == shard.sessions.end()) return reject(connection, request, ErrorCode::unknown_sid);
  auto session = it->second;
  if (session->heartbeat_expired()) {
    session->terminate(CloseReason::ping_timeout);
    return reject(connection, request, ErrorCode::unknown_sid);
  }

  const bool is_upgrade = websocket::is_upgrade(request.message);
  if (transport == "websocket") {
    if (!is_upgrade) return reject(connection, request, ErrorCode::bad_request);
    return upgrade(connection, std::move(request), session);
  }

  // Polling request on a session that has moved to WebSocket (or never used polling).
  auto* polling = session->transport()->as_polling();
  if (!polling || is_upgrade) return reject(connection, request, ErrorCode::bad_request);
  const auto method = request.message.method();
  if (method == http::verb::get && session->upgrading() && !session->probed() &&
      !session->has_queued_packets() && !request.held_for_upgrade) {
    return hold_poll_during_upgrade(session, connection, std::move(request));
  }
  // A poll on a session that is not upgrading: any WebSocket it tried has gone.
  if (!session->upgrading()) shard.websocket_leases.erase(session->id());
  if (method == http::verb::get) return polling->on_poll(connection, std::move(request));
  if (method == http::verb::post) return polling->on_data(connection, std::move(request));
  reject(connection, request, ErrorCode::bad_request);
}

// A client sends its upgrade packets on the new WebSocket before any later poll, but the two
// connections are read independently, so the poll may be handled first. A poll that finds an
// upgrade begun but not probed, and nothing to take, waits for the upgrade to move on (probe,
// upgrade, abandon) or for a packet to send, and is then handled: refused once the upgrade is
// done, released with a noop once probed, answered with the packet otherwise. Never for a fixed
// time: a packet queued meanwhile (the answer to the client's first emit) leaves at once.
void Server::hold_poll_during_upgrade(const std::shared_ptr<Session>& session,
                                      const std::shared_ptr<HttpConnection>& connection,
                                      HttpRequest request) {
  request.held_for_upgrade = true;
  session->await_upgrade_progress([this, alive = alive_, connection,
                                   request = std::move(request)]() mutable {
    if (!*alive || !connection->is_open()) return;
    handle_engine_request(connection, std::move(request));
  });
}

void Server::handshake(const std::shared_ptr<HttpConnection>& connection, HttpRequest request) {
  if (request.message.method() != http::verb::get) {
    return reject(connection, request, ErrorCode::bad_handshake_method);
  }
  const bool is_upgrade = websocket::is_upgrade(request.message);
  const bool wants_websocket = request.query_param("transport") == "websocket";
  if (wants_websocket != is_upgrade) return reject(connection, request, ErrorCode::bad_request);
  if (request.query_param("EIO") != "4") {
    if (!options_.allow_eio3) {
      return reject(connection, request, ErrorCode::unsupported_protocol_version);
    }
    // JSONP, the v3 fallback for browsers without CORS, is not offered: no client in use needs it.
    if (request.query_param("j")) return reject(connection, request, ErrorCode::unknown_transport);
  }
  if (!admit_handshake(connection, request)) return;
  if (!options_.allow_request) return open_session(connection, std::move(request));

  auto shared_request = std::make_shared<HttpRequest>(std::move(request));
  options_.allow_request(
      *shared_request, [this, alive = alive_, connection, shared_request](
                           std::optional<std::string> error) {
        if (!*alive || !connection->is_open()) return;
        if (error) return reject(connection, *shared_request, ErrorCode::forbidden, *error);
        open_session(connection, std::move(*shared_request));
      });
}

// Over the rate, the handshake is refused as a handshake refused by policy is (code 4, like
// allow_request), but with 429 and Retry-After so that HTTP tools see why. Clients report it as
// a connection error and retry with their backoff.
bool Server::admit_handshake(const std::shared_ptr<HttpConnection>& connection,
                             const HttpRequest& request) {
  if (!handshake_rate_) return true;
  const auto key = http::address_key(request.remote_address);
  if (!key || handshake_rate_->try_take(*key)) return true;
  ++shards_.local().stats.handshakes_rate_limited;
  const auto wait = std::chrono::ceil<std::chrono::seconds>(handshake_rate_->wait(*key));
  auto res = http::make_response(request, http::status::too_many_requests,
                                 R"({"code":4,"message":"Too many handshakes"})",
                                 "application/json");
  res.set(http::field::retry_after, std::to_string(std::max<long>(1, wait.count())));
  cors_.apply(request, res);
  connection->respond(std::move(res));
  return false;
}

std::shared_ptr<Session> Server::make_session(HttpRequest request) {
  const auto reactor = reactors_.current_or_home();
  auto& shard = shards_[reactor];
  ++shard.stats.sessions_opened;
  return std::make_shared<Session>(
      reactors_.executor(reactor), generate_session_id(reactor), std::move(request), options_,
      [this, alive = alive_, reactor](Session& session) {
        if (!*alive) return;
        shards_[reactor].sessions.erase(session.id());
        shards_[reactor].websocket_leases.erase(session.id());
      },
      &shard.stats);
}

void Server::open_session(const std::shared_ptr<HttpConnection>& connection, HttpRequest request) {
  if (websocket::is_upgrade(request.message)) {
    auto lease = connection->lease();
    const int protocol = request.query_param("EIO") == "4" ? 4 : 3;
    auto ws = std::make_shared<WebSocketTransport>(connection->take_stream().release_socket(),
                                                   options_, protocol);
    auto upgrade_request = std::make_shared<http::Request>(request.message);
    ws->accept(*upgrade_request, [this, alive = alive_, ws, upgrade_request, lease,
                                  request = std::move(request)]() mutable {
      if (!*alive) return;
      auto session = make_session(std::move(request));
      auto& shard = shards_.local();
      shard.sessions.emplace(session->id(), session);
      if (lease) shard.websocket_leases[session->id()] = std::move(lease);
      ws->attach(session);
      session->open(ws);
      if (on_connection_) on_connection_(session);
    });
    return;
  }
  auto session = make_session(request);
  auto polling = std::make_shared<PollingTransport>(session, options_);
  polling->decorate = [this](const HttpRequest& req, http::Response& res) {
    cors_.apply(req, res);
  };
  shards_.local().sessions.emplace(session->id(), session);
  session->open(polling);
  // The handshake GET is the first poll: it carries the open packet back, alone, before the
  // layer above hears of the session (as Node's engine.io does).
  polling->on_poll(connection, std::move(request));
  if (on_connection_ && session->state() == Session::State::open) on_connection_(session);
}

void Server::upgrade(const std::shared_ptr<HttpConnection>& connection, HttpRequest request,
                     const std::shared_ptr<Session>& session) {
  auto lease = connection->lease();
  auto ws = std::make_shared<WebSocketTransport>(connection->take_stream().release_socket(),
                                                 options_, session->protocol());
  auto upgrade_request = std::make_shared<http::Request>(std::move(request.message));
  // One WebSocket per session, and only to upgrade from polling: any other is accepted and
  // closed at once, as Node's engine.io does (clients treat a refused handshake as an error).
  if (session->state() != Session::State::open || session->upgrading() ||
      session->transport_kind() != TransportKind::polling) {
    ws->accept(*upgrade_request, [ws] { ws->close(false); });
    return;
  }
  // The session is upgrading from now on, before the answer leaves: the client may act on it
  // (send its probe, poll again) before the write is reported complete here. Should the answer
  // fail, the transport reports itself closed and the upgrade is abandoned.
  ws->upgrade(session);
  if (lease) shards_.local().websocket_leases[session->id()] = std::move(lease);
  ws->accept(*upgrade_request, [upgrade_request] {});
}

}  // namespace sio::engineio
