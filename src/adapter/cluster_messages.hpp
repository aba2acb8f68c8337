#pragma once
// The messages servers of a cluster exchange in the protocol of Node's socket.io-adapter
// ClusterAdapter (2.5), which @socket.io/redis-adapter's sharded adapter and
// @socket.io/redis-streams-adapter carry: {type, data, uid, nsp}, `type` one of the numbers
// below, `data` as Node's adapter shapes it (cluster_adapter.cpp builds and reads them).

#include <string>
#include <string_view>

#include "adapter/adapter.hpp"
#include "adapter/redis_messages.hpp"
#include "socketio/packet.hpp"

namespace sio::adapter::clustered {

enum class MessageType : int {
  initial_heartbeat = 1,
  heartbeat = 2,
  broadcast = 3,
  sockets_join = 4,
  sockets_leave = 5,
  disconnect_sockets = 6,
  fetch_sockets = 7,
  fetch_sockets_response = 8,
  server_side_emit = 9,
  server_side_emit_response = 10,
  broadcast_client_count = 11,
  broadcast_ack = 12,
  adapter_close = 13,
};

// {rooms, except, flags}; flags hold only what is set (volatile, timeout), as Node's.
json options_to_json(const BroadcastOptions& options);
BroadcastOptions options_from_json(const json& value);
// The packet of a BROADCAST: {type: 2, data: [event, ...args]}, no namespace and no id.
json packet_to_json(const socketio::Packet& packet);

// As the sharded Redis adapter puts a message on the wire: JSON text, or MessagePack (notepack)
// when its data holds a binary. Decoding takes either, told apart by the first byte; a
// discarded value when the bytes are neither, or not an object with a known type.
std::string encode(const json& message);
json decode(std::string_view bytes);
// The common message read the short way (see redis::decode_broadcast_event): a BROADCAST of an
// EVENT without acks, in JSON text, its packet's data handed on as the text it is. nullopt for
// anything else, which decode() reads in full. From a whole message {type, data, uid, nsp} (the
// sharded adapter's), or from its data {opts, packet} alone (a stream entry's field).
std::optional<redis::BroadcastEvent> decode_broadcast_event(std::string_view message);
std::optional<redis::BroadcastEvent> decode_broadcast_data(std::string_view data);

// The type of a decoded message.
MessageType type_of(const json& message);

}  // namespace sio::adapter::clustered
