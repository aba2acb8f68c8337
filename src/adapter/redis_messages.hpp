#pragma once
// What the Redis adapter puts on the wire, exactly as @socket.io/redis-adapter 8.3 (classic) and
// @socket.io/redis-emitter 5 do, so that sio and Node servers share one cluster.
//
// Channels of namespace <nsp> under key prefix <key> (default "socket.io"):
//   <key>#<nsp>#          broadcasts (+ "<room>#" when sent to exactly one room)
//   <key>-request#<nsp>#  requests to every server; PUBSUB NUMSUB on it counts the servers
//   <key>-response#<nsp>#  and  <key>-response#<nsp>#<uid>#   responses
//
// A broadcast is msgpack([uid, packet, {rooms, except, flags}]), packet being the Socket.IO
// packet object {type, data, nsp}. Requests and responses are JSON objects {type, requestId, …},
// except the BROADCAST request and the BROADCAST_ACK response, which are msgpack: they carry
// client data, which may hold binaries. A receiver tells the two apart by the first byte ('{').

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/packet.hpp"

namespace sio::adapter::redis {

enum class RequestType : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

struct Channels {
  Channels(const std::string& key, const std::string& nsp, const std::string& uid);
  // Where a broadcast with these options is published.
  std::string broadcast_for(const BroadcastOptions& options) const;
  // The room a broadcast channel names ("" for the namespace channel); nullopt when the
  // channel is not one of this namespace.
  std::optional<std::string_view> room_of(std::string_view channel) const;
  std::string specific_response_of(std::string_view uid) const {
    return response + std::string(uid) + "#";
  }

  std::string broadcast;  // "<key>#<nsp>#"
  std::string request;
  std::string response;
  std::string specific_response;  // this server's own
};

struct BroadcastMessage {
  std::string uid;
  socketio::Packet packet;
  BroadcastOptions options;
};

std::string encode_broadcast(std::string_view uid, const socketio::Packet& packet,
                             const BroadcastOptions& options);
// nullopt when the bytes are not a broadcast message.
std::optional<BroadcastMessage> decode_broadcast(std::string_view bytes);

// The common broadcast read the short way: an EVENT whose data JSON text carries as it is,
// its data copied across as JSON text and nothing else built. nullopt for anything else (a
// binary, an ack id, a date, an unusual encoding): decode_broadcast() then reads it in full.
struct BroadcastEvent {
  std::string_view uid;
  std::string_view nsp;
  std::string data;  // a JSON array: the event name, then its arguments
  BroadcastOptions options;
};
std::optional<BroadcastEvent> decode_broadcast_event(std::string_view bytes);

// The BROADCAST request (of a broadcast with acks) and its BROADCAST_ACK responses.
std::string encode_broadcast_request(std::string_view uid, std::string_view request_id,
                                     const socketio::Packet& packet,
                                     const BroadcastOptions& options);
std::string encode_broadcast_ack(std::string_view request_id, const json& response);

// A request or a response, JSON or msgpack; a discarded value when it is neither, or not an object.
json decode_envelope(std::string_view bytes);

// The parts of requests.
json options_to_json(const BroadcastOptions& options);  // {rooms, except} (no flags: as Node)
BroadcastOptions options_from_json(const json& value);  // missing fields are empty
std::optional<socketio::Packet> packet_from_json(json value);
std::vector<Room> rooms_from_json(const json& value);

// Reading requests and responses: their type (nullopt when absent or unknown), a string member
// ("" when absent), any member (null when absent).
std::optional<RequestType> type_of(const json& message);
std::string string_field(const json& message, const char* name);
json member_or_null(const json& message, const char* name);

// JSON text of a request or response; invalid UTF-8 (which other servers may send) becomes U+FFFD,
// as JavaScript would decode it, rather than an exception.
std::string stringify(const json& value);

// A random id as uid2(6) makes them, for server uids and request ids.
std::string random_id();
// `count` bytes from the kernel's random source.
std::vector<unsigned char> random_bytes(std::size_t count);

}  // namespace sio::adapter::redis
