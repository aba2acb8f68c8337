#include "adapter/cluster_adapter.hpp"

#include <spdlog/spdlog.h>

#include "adapter/redis_messages.hpp"

namespace sio::adapter {

using clustered::MessageType;
using redis::member_or_null;
using redis::string_field;

namespace {

// socket.io-adapter's DEFAULT_TIMEOUT.
constexpr std::chrono::milliseconds kDefaultTimeout{5000};

std::string random_uid() {
  // 8 random bytes in hex, as Node's randomBytes(8).toString("hex").
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char c : redis::random_bytes(8)) {
    id.push_back(kHex[c >> 4]);
    id.push_back(kHex[c & 15]);
  }
  return id;
}

}  // namespace

// fetch_sockets or server_side_emit with acks, awaiting the other servers.
struct ClusterAdapter::PendingRequest {
  PendingRequest(boost::asio::io_context& ctx, MessageType type) : type(type), timer(ctx) {}
  MessageType type;
  std::size_t expected = 0;
  std::size_t received = 0;
  std::vector<SocketDetails> sockets;
  std::vector<json> responses;
  FetchResultHandler on_sockets;
  ServerAckHandler on_server_acks;
  boost::asio::steady_timer timer;
};

ClusterAdapter::ClusterAdapter(LocalNamespace& nsp, boost::asio::io_context& home)
    : nsp_(nsp), home_(home), uid_(random_uid()) {}

ClusterAdapter::~ClusterAdapter() = default;

void ClusterAdapter::close() {
  if (closed_) return;
  closed_ = true;
  close_transport();
  ack_broadcasts_.clear();
  requests_.clear();
}

json ClusterAdapter::message(MessageType type, json data) const {
  return {{"type", static_cast<int>(type)},
          {"data", std::move(data)},
          {"uid", uid_},
          {"nsp", nsp_.name()}};
}

// --- reaching sockets ----------------------------------------------------------------------

void ClusterAdapter::broadcast(const socketio::Packet& packet, const BroadcastOptions& options) {
  on_home([this, message = message(MessageType::broadcast,
                                   {{"packet", clustered::packet_to_json(packet)},
                                    {"opts", clustered::options_to_json(options)}})] {
    if (!closed_) publish(message);
  });
}

void ClusterAdapter::broadcast_with_offset(const socketio::Packet& packet,
                                           const BroadcastOptions& options,
                                           std::function<void(std::string offset)> on_offset) {
  on_home([this, on_offset = std::move(on_offset),
           message = message(MessageType::broadcast,
                             {{"packet", clustered::packet_to_json(packet)},
                              {"opts", clustered::options_to_json(options)}})]() mutable {
    if (closed_) return on_offset("");
    publish_with_offset(message, std::move(on_offset));
  });
}

void ClusterAdapter::broadcast_with_ack(const socketio::Packet& packet,
                                        const BroadcastOptions& options,
                                        ClientCountHandler on_client_count, AckHandler on_ack) {
  on_home([this, packet, options, on_client_count = std::move(on_client_count),
           on_ack = std::move(on_ack)]() mutable {
    if (closed_) return on_client_count(0);
    const auto request_id = random_uid();
    auto state = std::make_shared<AckBroadcast>(home_);
    state->on_client_count = std::move(on_client_count);
    state->on_ack = std::move(on_ack);
    ack_broadcasts_[request_id] = state;
    publish(message(MessageType::broadcast, {{"packet", clustered::packet_to_json(packet)},
                                             {"requestId", request_id},
                                             {"opts", clustered::options_to_json(options)}}));
    count_servers([alive = std::weak_ptr(alive_), state](std::size_t servers) {
      if (alive.expired()) return;
      state->expect_servers(servers);
    });
    // Answers are taken as long as the broadcast waits for them (socket.io then gives up).
    state->expiry.expires_after(options.flags.timeout.value_or(kDefaultTimeout));
    state->expiry.async_wait(
        [this, alive = std::weak_ptr(alive_), request_id](boost::system::error_code ec) {
          if (ec || alive.expired()) return;
          ack_broadcasts_.erase(request_id);
        });
  });
}

void ClusterAdapter::fetch_sockets(const BroadcastOptions& options, FetchResultHandler handler) {
  on_home([this, options, handler = std::move(handler)]() mutable {
    if (closed_) return handler(std::nullopt, {});
    count_servers([this, alive = std::weak_ptr(alive_), options,
                   handler = std::move(handler)](std::size_t servers) mutable {
      if (alive.expired()) return;
      if (servers <= 1 || closed_) return handler(std::nullopt, {});
      auto pending = std::make_unique<PendingRequest>(home_, MessageType::fetch_sockets);
      pending->on_sockets = std::move(handler);
      start_request(MessageType::fetch_sockets, {{"opts", clustered::options_to_json(options)}},
                    servers - 1, options.flags.timeout.value_or(kDefaultTimeout),
                    std::move(pending));
    });
  });
}

// The other servers act on receipt; this one did already (Node's acts once published).
void ClusterAdapter::add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  on_home(
      [this, message = message(MessageType::sockets_join,
                               {{"opts", clustered::options_to_json(options)}, {"rooms", rooms}})] {
        if (!closed_) publish(message);
      });
}

void ClusterAdapter::del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  on_home(
      [this, message = message(MessageType::sockets_leave,
                               {{"opts", clustered::options_to_json(options)}, {"rooms", rooms}})] {
        if (!closed_) publish(message);
      });
}

void ClusterAdapter::disconnect_sockets(const BroadcastOptions& options, bool close) {
  on_home(
      [this, message = message(MessageType::disconnect_sockets,
                               {{"opts", clustered::options_to_json(options)}, {"close", close}})] {
        if (!closed_) publish(message);
      });
}

// --- talking to the other servers ----------------------------------------------------------

void ClusterAdapter::server_side_emit(const json& args, ServerAckHandler handler) {
  on_home([this, args, handler = std::move(handler)]() mutable {
    if (closed_) {
      if (handler) handler(std::nullopt, {});
      return;
    }
    if (!handler) return publish(message(MessageType::server_side_emit, {{"packet", args}}));
    count_servers([this, alive = std::weak_ptr(alive_), args,
                   handler = std::move(handler)](std::size_t servers) mutable {
      if (alive.expired()) return;
      if (servers <= 1 || closed_) return handler(std::nullopt, {});
      auto pending = std::make_unique<PendingRequest>(home_, MessageType::server_side_emit);
      pending->on_server_acks = std::move(handler);
      start_request(MessageType::server_side_emit, {{"packet", args}}, servers - 1, kDefaultTimeout,
                    std::move(pending));
    });
  });
}

void ClusterAdapter::server_count(std::function<void(std::size_t)> handler) {
  on_home([this, handler = std::move(handler)]() mutable {
    count_servers([alive = std::weak_ptr(alive_), handler = std::move(handler)](std::size_t n) {
      if (!alive.expired()) handler(std::max<std::size_t>(n, 1));
    });
  });
}

void ClusterAdapter::start_request(MessageType type, json data, std::size_t expected,
                                   std::chrono::milliseconds timeout,
                                   std::unique_ptr<PendingRequest> pending) {
  const auto request_id = random_uid();
  pending->expected = expected;
  pending->timer.expires_after(timeout);
  pending->timer.async_wait(
      [this, alive = std::weak_ptr(alive_), request_id](boost::system::error_code ec) {
        if (ec || alive.expired()) return;
        finish_request(request_id, true);
      });
  requests_[request_id] = std::move(pending);
  data["requestId"] = request_id;
  publish(message(type, std::move(data)));
}

void ClusterAdapter::finish_request(const std::string& request_id, bool timed_out) {
  auto it = requests_.find(request_id);
  if (it == requests_.end()) return;
  auto pending = std::move(it->second);
  requests_.erase(it);
  pending->timer.cancel();
  std::optional<std::string> error;
  if (timed_out) {
    error = "timeout reached: only " + std::to_string(pending->received) +
            " responses received out of " + std::to_string(pending->expected);
  }
  if (pending->type == MessageType::fetch_sockets) {
    return pending->on_sockets(std::move(error), std::move(pending->sockets));
  }
  pending->on_server_acks(std::move(error), std::move(pending->responses));
}

// --- what the other servers send -----------------------------------------------------------

void ClusterAdapter::on_message(const json& message, const std::string& offset) {
  if (closed_) return;
  const auto requester = string_field(message, "uid");
  if (requester == uid_ || string_field(message, "nsp") != nsp_.name()) return;
  const auto& data = member_or_null(message, "data");
  switch (clustered::type_of(message)) {
    case MessageType::broadcast:
      return answer_broadcast(data, requester, offset);
    case MessageType::sockets_join:
      return nsp_.join_local(clustered::options_from_json(member_or_null(data, "opts")),
                             redis::rooms_from_json(member_or_null(data, "rooms")));
    case MessageType::sockets_leave:
      return nsp_.leave_local(clustered::options_from_json(member_or_null(data, "opts")),
                              redis::rooms_from_json(member_or_null(data, "rooms")));
    case MessageType::disconnect_sockets:
      return nsp_.disconnect_local(clustered::options_from_json(member_or_null(data, "opts")),
                                   member_or_null(data, "close") == true);
    case MessageType::fetch_sockets:
      return answer_fetch(data, requester);
    case MessageType::server_side_emit:
      return answer_server_side_emit(data, requester);
    case MessageType::fetch_sockets_response:
    case MessageType::server_side_emit_response:
    case MessageType::broadcast_client_count:
    case MessageType::broadcast_ack:
      return on_response(message);
    default:
      return;  // heartbeats and closings of adapters that keep a server list
  }
}

void ClusterAdapter::on_broadcast_event(redis::BroadcastEvent event, const std::string& offset) {
  if (closed_ || event.uid == uid_ || event.nsp != nsp_.name()) return;
  nsp_.deliver_event(std::move(event.data), std::move(event.options), offset);
}

void ClusterAdapter::on_response(const json& message) {
  const auto& data = member_or_null(message, "data");
  const auto request_id = string_field(data, "requestId");
  if (request_id.empty()) return;
  const auto type = clustered::type_of(message);
  if (type == MessageType::broadcast_client_count || type == MessageType::broadcast_ack) {
    auto it = ack_broadcasts_.find(request_id);
    if (it == ack_broadcasts_.end()) return;
    auto state = it->second;  // the handlers may end the broadcast
    if (type == MessageType::broadcast_ack) return state->on_ack(member_or_null(data, "packet"));
    const auto& count = member_or_null(data, "clientCount");
    return state->add_count(count.is_number_unsigned() ? count.get<std::size_t>() : 0);
  }
  auto it = requests_.find(request_id);
  if (it == requests_.end()) return;
  auto& pending = *it->second;
  if (type == MessageType::fetch_sockets_response && pending.type == MessageType::fetch_sockets) {
    ++pending.received;
    if (const auto& sockets = member_or_null(data, "sockets"); sockets.is_array()) {
      for (const auto& socket : sockets) {
        if (!socket.is_object()) continue;
        pending.sockets.push_back({string_field(socket, "id"), member_or_null(socket, "handshake"),
                                   redis::rooms_from_json(member_or_null(socket, "rooms")),
                                   member_or_null(socket, "data")});
      }
    }
  } else if (type == MessageType::server_side_emit_response &&
             pending.type == MessageType::server_side_emit) {
    ++pending.received;
    pending.responses.push_back(member_or_null(data, "packet"));
  } else {
    return;
  }
  if (pending.received >= pending.expected) finish_request(request_id, false);
}

void ClusterAdapter::answer_broadcast(const json& data, const std::string& requester,
                                      const std::string& offset) {
  auto packet = redis::packet_from_json(member_or_null(data, "packet"));
  if (!packet) return;
  packet->nsp = nsp_.name();
  const auto options = clustered::options_from_json(member_or_null(data, "opts"));
  const auto& request_id = member_or_null(data, "requestId");
  if (request_id.is_null()) return nsp_.deliver(*packet, options, offset);
  // Counts and answers go back from the home reactor, whichever reactor reports them.
  auto reply = [this, alive = std::weak_ptr(alive_), requester](MessageType type, json data) {
    on_home([this, alive, requester, type, data = std::move(data)] {
      if (alive.expired() || closed_) return;
      publish_response(requester, message(type, data));
    });
  };
  auto on_count = [reply, request_id](std::size_t clients) {
    reply(MessageType::broadcast_client_count,
          {{"requestId", request_id}, {"clientCount", clients}});
  };
  auto on_ack = [reply, request_id](const json& answer) {
    reply(MessageType::broadcast_ack, {{"requestId", request_id}, {"packet", answer}});
  };
  nsp_.deliver_with_ack(*packet, options, std::move(on_count), std::move(on_ack));
}

void ClusterAdapter::answer_fetch(const json& data, const std::string& requester) {
  nsp_.fetch_local(
      clustered::options_from_json(member_or_null(data, "opts")),
      [this, alive = std::weak_ptr(alive_), requester,
       request_id = member_or_null(data, "requestId")](std::vector<SocketDetails> details) {
        json sockets = json::array();
        for (auto& socket : details) {
          sockets.push_back({{"id", std::move(socket.id)},
                             {"handshake", std::move(socket.handshake)},
                             {"rooms", std::move(socket.rooms)},
                             {"data", std::move(socket.data)}});
        }
        on_home([this, alive, requester,
                 response = json{{"requestId", request_id}, {"sockets", std::move(sockets)}}] {
          if (alive.expired() || closed_) return;
          publish_response(requester, message(MessageType::fetch_sockets_response, response));
        });
      });
}

void ClusterAdapter::answer_server_side_emit(const json& data, const std::string& requester) {
  const auto& args = member_or_null(data, "packet");
  if (!args.is_array() || args.empty()) return;
  const auto& request_id = member_or_null(data, "requestId");
  if (request_id.is_null()) return nsp_.handle_server_side(args, socketio::Ack());
  socketio::Ack ack(
      [this, alive = std::weak_ptr(alive_), requester, request_id](socketio::Args answer) {
        json response{{"requestId", request_id}};
        // Node passes one argument on; `undefined` leaves the member out.
        if (answer.is_array() && !answer.empty()) response["packet"] = answer[0];
        on_home([this, alive, requester, response = std::move(response)] {
          if (alive.expired() || closed_) return;
          publish_response(requester, message(MessageType::server_side_emit_response, response));
        });
      });
  nsp_.handle_server_side(args, std::move(ack));
}

}  // namespace sio::adapter
