// The Redis adapter's side of the conversation that other servers (and emitters) start: their
// broadcasts, and the requests they make of every server. See redis_adapter.hpp.

#include "adapter/redis_adapter.hpp"

namespace sio::adapter {

using redis::member_or_null;
using redis::RequestType;
using redis::string_field;
using redis::type_of;

void RedisAdapter::on_broadcast_message(std::string_view channel, std::string_view payload) {
  if (!channels_.room_of(channel)) return;
  if (auto event = redis::decode_broadcast_event(payload)) {
    if (event->uid == uid_ || event->nsp != nsp_.name()) return;
    return nsp_.deliver_event(std::move(event->data), std::move(event->options), "");
  }
  auto message = redis::decode_broadcast(payload);
  if (!message || message->uid == uid_ || message->packet.nsp != nsp_.name()) return;
  // Decoded once here; the namespace encodes it once and delivers it on each of its reactors.
  nsp_.deliver(message->packet, message->options, "");
}

void RedisAdapter::on_request(std::string_view payload) {
  const auto request = redis::decode_envelope(payload);
  if (request.is_discarded()) return;
  const auto type = type_of(request);
  if (!type) return;
  // Our own requests come back to us; what they ask was done here already.
  const bool own = string_field(request, "uid") == uid_;
  const auto request_id = member_or_null(request, "requestId");

  switch (*type) {
    case RequestType::sockets: {
      if (own) return;
      BroadcastOptions options;
      options.rooms = redis::rooms_from_json(member_or_null(request, "rooms"));
      return nsp_.local_socket_ids(options, [this, alive = std::weak_ptr(alive_), request,
                                             request_id](std::vector<SocketId> ids) {
        if (alive.expired()) return;
        publish_response(request, redis::stringify({{"requestId", request_id}, {"sockets", ids}}));
      });
    }
    case RequestType::all_rooms:
      if (own) return;
      return nsp_.local_rooms([this, alive = std::weak_ptr(alive_), request,
                               request_id](std::vector<Room> rooms) {
        if (alive.expired()) return;
        publish_response(request, redis::stringify({{"requestId", request_id}, {"rooms", rooms}}));
      });
    case RequestType::remote_join:
    case RequestType::remote_leave:
    case RequestType::remote_disconnect: {
      if (own) return;
      if (!request.contains("opts")) return answer_single_socket(request, *type);
      const auto options = redis::options_from_json(request["opts"]);
      const auto rooms = redis::rooms_from_json(member_or_null(request, "rooms"));
      if (*type == RequestType::remote_join) return nsp_.join_local(options, rooms);
      if (*type == RequestType::remote_leave) return nsp_.leave_local(options, rooms);
      return nsp_.disconnect_local(options, member_or_null(request, "close") == true);
    }
    case RequestType::remote_fetch: {
      if (own) return;
      return nsp_.fetch_local(
          redis::options_from_json(member_or_null(request, "opts")),
          [this, alive = std::weak_ptr(alive_), request,
           request_id](std::vector<SocketDetails> details) {
            if (alive.expired()) return;
            json sockets = json::array();
            for (auto& socket : details) {
              sockets.push_back({{"id", socket.id},
                                 {"handshake", socket.handshake},
                                 {"rooms", socket.rooms},
                                 {"data", socket.data}});
            }
            publish_response(request,
                             redis::stringify({{"requestId", request_id}, {"sockets", sockets}}));
          });
    }
    case RequestType::server_side_emit:
      if (own) return;
      return answer_server_side_emit(request);
    case RequestType::broadcast:
      if (own || ack_broadcasts_.contains(string_field(request, "requestId"))) return;
      return answer_broadcast_request(request);
    default:
      return;
  }
}

// The older form of REMOTE_JOIN / REMOTE_LEAVE / REMOTE_DISCONNECT, aimed at one socket by id.
void RedisAdapter::answer_single_socket(const json& request, RequestType type) {
  const auto id = string_field(request, "sid");
  const auto room = string_field(request, "room");
  // Only the server that has the socket answers, once it acted.
  auto reply = [this, alive = std::weak_ptr(alive_), request](bool found) {
    if (alive.expired() || !found) return;
    publish_response(request,
                     redis::stringify({{"requestId", member_or_null(request, "requestId")}}));
  };
  if (type == RequestType::remote_join) return nsp_.join_socket(id, room, std::move(reply));
  if (type == RequestType::remote_leave) return nsp_.leave_socket(id, room, std::move(reply));
  nsp_.disconnect_socket(id, member_or_null(request, "close") == true, std::move(reply));
}

void RedisAdapter::answer_server_side_emit(const json& request) {
  auto data = member_or_null(request, "data");
  if (!data.is_array() || data.empty()) return;
  if (!request.contains("requestId")) return nsp_.handle_server_side(data, socketio::Ack());
  // Answers to a server-side emit always go to the shared response channel (as Node's do).
  socketio::Ack ack([client = client_, channel = channels_.response,
                     request_id = request["requestId"]](socketio::Args args) {
    json response{{"type", RequestType::server_side_emit}, {"requestId", request_id}};
    // Node passes one argument on; `undefined` leaves the member out.
    if (args.is_array() && !args.empty()) response["data"] = args[0];
    client->publish(channel, redis::stringify(response));
  });
  nsp_.handle_server_side(data, std::move(ack));
}

void RedisAdapter::answer_broadcast_request(const json& request) {
  auto packet = redis::packet_from_json(member_or_null(request, "packet"));
  if (!packet) return;
  packet->nsp = nsp_.name();
  const auto options = redis::options_from_json(member_or_null(request, "opts"));
  const auto request_id = string_field(request, "requestId");
  const auto uid = string_field(request, "uid");
  const auto channel = options_.publish_on_specific_response_channel && !uid.empty()
                           ? channels_.specific_response_of(uid)
                           : channels_.response;
  auto on_ack = [client = client_, channel, request_id](const json& response) {
    client->publish(channel, redis::encode_broadcast_ack(request_id, response));
  };
  auto on_count = [client = client_, channel, request_id](std::size_t clients) {
    client->publish(channel, redis::stringify({{"type", RequestType::broadcast_client_count},
                                               {"requestId", request_id},
                                               {"clientCount", clients}}));
  };
  nsp_.deliver_with_ack(*packet, options, std::move(on_count), std::move(on_ack));
}

void RedisAdapter::publish_response(const json& request, const std::string& payload) {
  const auto uid = string_field(request, "uid");
  if (options_.publish_on_specific_response_channel && !uid.empty()) {
    return client_->publish(channels_.specific_response_of(uid), payload);
  }
  client_->publish(channels_.response, payload);
}

}  // namespace sio::adapter
