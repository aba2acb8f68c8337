#pragma once
// The adapter: where a namespace keeps its room index and through which it reaches sockets,
// locally and — for cluster adapters — on other servers. The Socket.IO layer talks to other
// servers only through this interface, so a Redis adapter drops in without touching it.
//
// Shaped after Node's socket.io-adapter. An adapter belongs to one namespace and lives on its
// executor; every call is made there.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "socketio/packet.hpp"

namespace sio::socketio {
class Namespace;
}

namespace sio::adapter {

using json = nlohmann::json;
using Room = std::string;
using SocketId = std::string;

struct BroadcastFlags {
  // Dropped for a recipient that cannot take it right now.
  bool is_volatile = false;
  // This server only, even with a cluster adapter.
  bool local = false;
  // For broadcasts with acks: how long to wait for the responses.
  std::optional<std::chrono::milliseconds> timeout;
};

// Who a broadcast or a utility reaches: sockets in any of `rooms` (every socket when empty),
// minus those in any of `except`.
struct BroadcastOptions {
  std::vector<Room> rooms;
  std::vector<Room> except;
  BroadcastFlags flags;
};

// What fetch_sockets reports of a socket, wherever it lives.
struct SocketDetails {
  SocketId id;
  json handshake;
  std::vector<Room> rooms;
  json data;
};

class Adapter {
 public:
  using ClientCountHandler = std::function<void(std::size_t client_count)>;
  using AckHandler = std::function<void(const json& response)>;
  using FetchHandler = std::function<void(std::vector<SocketDetails>)>;
  // `error` is set when some servers did not answer in time; responses are what arrived.
  using ServerAckHandler =
      std::function<void(std::optional<std::string> error, std::vector<json> responses)>;

  virtual ~Adapter() = default;

  // --- the local room index ---
  virtual void add_all(const SocketId& id, const std::vector<Room>& rooms) = 0;
  virtual void del(const SocketId& id, const Room& room) = 0;
  virtual void del_all(const SocketId& id) = 0;
  virtual std::vector<Room> socket_rooms(const SocketId& id) const = 0;
  // Local sockets matched by `options` (no duplicates).
  virtual std::vector<SocketId> local_sockets(const BroadcastOptions& options) const = 0;
  // Rooms that have local members.
  virtual std::vector<Room> all_rooms() const = 0;

  // --- reaching sockets (cluster-wide unless flags.local) ---
  virtual void broadcast(const socketio::Packet& packet, const BroadcastOptions& options) = 0;
  // `packet.id` is set by the adapter. `on_client_count` is called once, with how many sockets
  // were reached on all servers together; `on_ack` once per response.
  virtual void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                                  ClientCountHandler on_client_count, AckHandler on_ack) = 0;
  virtual void fetch_sockets(const BroadcastOptions& options, FetchHandler handler) = 0;
  virtual void add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void disconnect_sockets(const BroadcastOptions& options, bool close) = 0;

  // --- talking to the other servers ---
  // `args` is the event name followed by its arguments. With a handler, it is told the answers
  // of every other server (an empty list when this server is alone).
  virtual void server_side_emit(const json& args, ServerAckHandler handler) = 0;
  virtual void server_count(std::function<void(std::size_t)> handler) = 0;

  virtual void close() {}
};

// Makes the adapter of a namespace; set on the server, used for every namespace it creates.
using AdapterFactory = std::function<std::unique_ptr<Adapter>(socketio::Namespace&)>;

}  // namespace sio::adapter
