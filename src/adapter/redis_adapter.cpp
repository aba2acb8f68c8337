#include "adapter/redis_adapter.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace sio::adapter {

using redis::member_or_null;
using redis::RequestType;
using redis::string_field;
using redis::type_of;

namespace {

// Broadcasts with acks are forgotten this long after their own timeout (BroadcastOperator has
// given up on them by then).
constexpr std::chrono::milliseconds kDefaultAckTimeout{5000};

}  // namespace

// A request of this server (fetch_sockets, server_side_emit with acks) awaiting answers.
struct RedisAdapter::PendingRequest {
  PendingRequest(boost::asio::io_context& ctx, RequestType type) : type(type), timer(ctx) {}
  RequestType type;
  std::size_t expected = 0;
  std::size_t received = 0;
  std::vector<SocketDetails> sockets;
  std::vector<json> responses;
  FetchResultHandler on_sockets;
  ServerAckHandler on_server_acks;
  boost::asio::steady_timer timer;
};

template <class F>
void RedisAdapter::on_home(F f) {
  auto& home = client_->context();
  if (home.get_executor().running_in_this_thread()) return f();
  boost::asio::post(home, [alive = std::weak_ptr(alive_), f = std::move(f)]() mutable {
    if (!alive.expired()) f();
  });
}

RedisAdapter::RedisAdapter(LocalNamespace& nsp, std::shared_ptr<RedisClient> client,
                           RedisAdapterOptions options)
    : nsp_(nsp),
      client_(std::move(client)),
      options_(std::move(options)),
      uid_(redis::random_id()),
      channels_(options_.key, nsp.name(), uid_) {
  // A namespace may be made on any reactor (a dynamic one, when a client first asks for it).
  on_home([this] { subscribe(); });
}

void RedisAdapter::subscribe() {
  if (closed_) return;
  auto on_response = [this](std::string_view, std::string_view payload) {
    this->on_response(payload);
  };
  subscriptions_ = {
      client_->psubscribe(channels_.broadcast + "*",
                          [this](std::string_view channel, std::string_view payload) {
                            on_broadcast_message(channel, payload);
                          }),
      client_->subscribe(
          channels_.request,
          [this](std::string_view, std::string_view payload) { on_request(payload); }),
      client_->subscribe(channels_.response, on_response),
      client_->subscribe(channels_.specific_response, on_response),
  };
}

RedisAdapter::~RedisAdapter() {
  close();
}

void RedisAdapter::close() {
  if (closed_) return;
  closed_ = true;
  for (auto id : subscriptions_) client_->unsubscribe(id);
  subscriptions_.clear();
  ack_broadcasts_.clear();
  requests_.clear();
}

// --- reaching sockets ----------------------------------------------------------------------

void RedisAdapter::broadcast(const socketio::Packet& packet, const BroadcastOptions& options) {
  // Encoded where it is broadcast; published from the client's reactor.
  on_home([this, channel = channels_.broadcast_for(options),
           message = redis::encode_broadcast(uid_, packet, options)] {
    if (!closed_) client_->publish(channel, message);
  });
}

void RedisAdapter::broadcast_with_ack(const socketio::Packet& packet,
                                      const BroadcastOptions& options,
                                      ClientCountHandler on_client_count, AckHandler on_ack) {
  on_home([this, packet, options, on_client_count = std::move(on_client_count),
           on_ack = std::move(on_ack)]() mutable {
    if (closed_) return on_client_count(0);
    const auto request_id = redis::random_id();
    auto state = std::make_shared<AckBroadcast>(client_->context());
    state->on_client_count = std::move(on_client_count);
    state->on_ack = std::move(on_ack);
    ack_broadcasts_[request_id] = state;
    // Each server numbers the packet itself: the request goes without this server's id.
    client_->publish(channels_.request,
                     redis::encode_broadcast_request(uid_, request_id, packet, options));
    client_->numsub(channels_.request,
                    [alive = std::weak_ptr(alive_), state](std::optional<std::size_t> servers) {
                      if (alive.expired()) return;
                      // Without Redis this server is on its own.
                      state->expect_servers(servers.value_or(1));
                    });
    state->expiry.expires_after(options.flags.timeout.value_or(kDefaultAckTimeout) +
                                kDefaultAckTimeout);
    state->expiry.async_wait(
        [this, alive = std::weak_ptr(alive_), request_id](boost::system::error_code ec) {
          if (ec || alive.expired()) return;
          ack_broadcasts_.erase(request_id);
        });
  });
}

void RedisAdapter::fetch_sockets(const BroadcastOptions& options, FetchResultHandler handler) {
  on_home([this, options, handler = std::move(handler)]() mutable {
    if (closed_) return handler(std::nullopt, {});
    client_->numsub(channels_.request,
                    [this, alive = std::weak_ptr(alive_), options,
                     handler = std::move(handler)](std::optional<std::size_t> servers) mutable {
                      if (alive.expired()) return;
                      if (!servers || *servers <= 1 || closed_) return handler(std::nullopt, {});
                      auto pending = std::make_unique<PendingRequest>(client_->context(),
                                                                      RequestType::remote_fetch);
                      pending->expected = *servers;
                      pending->received = 1;  // this server's own, which the namespace has
                      pending->on_sockets = std::move(handler);
                      const auto request_id = redis::random_id();
                      json request{{"uid", uid_},
                                   {"requestId", request_id},
                                   {"type", RequestType::remote_fetch},
                                   {"opts", redis::options_to_json(options)}};
                      start_request(request_id, std::move(pending), request);
                    });
  });
}

// The other servers act on receipt (Node's adapter waits for its own request to come back from
// Redis and acts then; the namespace has acted here already).
void RedisAdapter::add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  on_home([this, request = json{{"uid", uid_},
                                {"type", RequestType::remote_join},
                                {"opts", redis::options_to_json(options)},
                                {"rooms", rooms}}] {
    if (!closed_) publish_request(request);
  });
}

void RedisAdapter::del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  on_home([this, request = json{{"uid", uid_},
                                {"type", RequestType::remote_leave},
                                {"opts", redis::options_to_json(options)},
                                {"rooms", rooms}}] {
    if (!closed_) publish_request(request);
  });
}

void RedisAdapter::disconnect_sockets(const BroadcastOptions& options, bool close) {
  on_home([this, request = json{{"uid", uid_},
                                {"type", RequestType::remote_disconnect},
                                {"opts", redis::options_to_json(options)},
                                {"close", close}}] {
    if (!closed_) publish_request(request);
  });
}

// --- talking to the other servers ----------------------------------------------------------

void RedisAdapter::server_side_emit(const json& args, ServerAckHandler handler) {
  on_home([this, args, handler = std::move(handler)]() mutable {
    emit_to_servers(args, std::move(handler));
  });
}

void RedisAdapter::emit_to_servers(const json& args, ServerAckHandler handler) {
  if (closed_) {
    if (handler) handler(std::nullopt, {});
    return;
  }
  if (!handler)
    return publish_request(
        {{"uid", uid_}, {"type", RequestType::server_side_emit}, {"data", args}});
  client_->numsub(
      channels_.request, [this, alive = std::weak_ptr(alive_), args, handler = std::move(handler)](
                             std::optional<std::size_t> servers) mutable {
        if (alive.expired()) return;
        const std::size_t others = servers && *servers > 1 ? *servers - 1 : 0;
        if (others == 0 || closed_) return handler(std::nullopt, {});
        auto pending =
            std::make_unique<PendingRequest>(client_->context(), RequestType::server_side_emit);
        pending->expected = others;
        pending->on_server_acks = std::move(handler);
        const auto request_id = redis::random_id();
        json request{{"uid", uid_},
                     {"requestId", request_id},
                     {"type", RequestType::server_side_emit},
                     {"data", args}};
        start_request(request_id, std::move(pending), request);
      });
}

void RedisAdapter::server_count(std::function<void(std::size_t)> handler) {
  on_home([this, handler = std::move(handler)]() mutable { count_servers(std::move(handler)); });
}

void RedisAdapter::count_servers(std::function<void(std::size_t)> handler) {
  client_->numsub(channels_.request, [alive = std::weak_ptr(alive_), handler = std::move(handler)](
                                         std::optional<std::size_t> servers) {
    if (alive.expired()) return;
    handler(std::max<std::size_t>(servers.value_or(1), 1));
  });
}

void RedisAdapter::start_request(std::string request_id, std::unique_ptr<PendingRequest> pending,
                                 const json& request) {
  pending->timer.expires_after(options_.requests_timeout);
  pending->timer.async_wait(
      [this, alive = std::weak_ptr(alive_), request_id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        finish_request(request_id, true);
      });
  requests_[request_id] = std::move(pending);
  publish_request(request);
}

void RedisAdapter::finish_request(const std::string& request_id, bool timed_out) {
  auto it = requests_.find(request_id);
  if (it == requests_.end()) return;
  auto pending = std::move(it->second);
  requests_.erase(it);
  pending->timer.cancel();
  if (pending->type == RequestType::remote_fetch) {
    std::optional<std::string> error;
    if (timed_out) {
      // Node's message, with how many answered.
      error = "timeout reached while waiting for fetchSockets response (" +
              std::to_string(pending->received) + " of " + std::to_string(pending->expected) +
              " servers answered)";
    }
    return pending->on_sockets(std::move(error), std::move(pending->sockets));
  }
  std::optional<std::string> error;
  if (timed_out) {
    error = "timeout reached: only " + std::to_string(pending->responses.size()) +
            " responses received out of " + std::to_string(pending->expected);
  }
  pending->on_server_acks(std::move(error), std::move(pending->responses));
}

// --- what the other servers answer ---------------------------------------------------------

void RedisAdapter::on_response(std::string_view payload) {
  const auto response = redis::decode_envelope(payload);
  if (response.is_discarded()) return;
  const auto request_id = string_field(response, "requestId");
  if (request_id.empty()) return;
  if (auto it = ack_broadcasts_.find(request_id); it != ack_broadcasts_.end()) {
    auto state = it->second;  // the handlers may end the broadcast
    return handle_ack_response(*state, response);
  }
  if (auto it = requests_.find(request_id); it != requests_.end()) {
    handle_request_response(request_id, *it->second, response);
  }
}

void RedisAdapter::handle_ack_response(AckBroadcast& state, const json& response) {
  const auto type = type_of(response);
  if (type == RequestType::broadcast_client_count) {
    const auto count = member_or_null(response, "clientCount");
    state.add_count(count.is_number_unsigned() ? count.get<std::size_t>() : 0);
  } else if (type == RequestType::broadcast_ack) {
    state.on_ack(member_or_null(response, "packet"));
  }
}

void RedisAdapter::handle_request_response(const std::string& request_id, PendingRequest& pending,
                                           const json& response) {
  if (pending.type == RequestType::remote_fetch) {
    ++pending.received;
    const auto sockets = member_or_null(response, "sockets");
    if (sockets.is_array()) {
      for (const auto& socket : sockets) {
        if (!socket.is_object()) continue;
        pending.sockets.push_back({string_field(socket, "id"), member_or_null(socket, "handshake"),
                                   redis::rooms_from_json(member_or_null(socket, "rooms")),
                                   member_or_null(socket, "data")});
      }
    }
    if (pending.received >= pending.expected) finish_request(request_id, false);
    return;
  }
  if (pending.type == RequestType::server_side_emit) {
    pending.responses.push_back(member_or_null(response, "data"));
    if (pending.responses.size() >= pending.expected) finish_request(request_id, false);
  }
}

// --- factories -----------------------------------------------------------------------------

AdapterFactory make_redis_adapter_factory(std::shared_ptr<RedisClient> client,
                                          RedisAdapterOptions options) {
  return [client = std::move(client), options = std::move(options)](LocalNamespace& nsp) {
    return std::make_unique<RedisAdapter>(nsp, client, options);
  };
}

AdapterFactory make_redis_adapter_factory(boost::asio::io_context& ctx, RedisOptions options) {
  auto client = std::make_shared<RedisClient>(
      ctx, RedisClient::Options{parse_redis_url(options.url), options.max_queued_bytes});
  return make_redis_adapter_factory(
      std::move(client), RedisAdapterOptions{options.key, options.requests_timeout,
                                             options.publish_on_specific_response_channel});
}

}  // namespace sio::adapter
