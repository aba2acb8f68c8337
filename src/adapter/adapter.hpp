#pragma once
// The adapter: how a namespace reaches the other servers of a cluster. The Socket.IO layer talks
// to other servers only through this interface, so a Redis adapter drops in without touching it;
// the namespace reaches its own server's sockets itself (on every reactor), and an adapter
// reaches them only through LocalNamespace (local_namespace.hpp), which the namespace implements.
//
// Shaped after Node's socket.io-adapter, minus the local room index: a broadcast is delivered
// here by the namespace and announced to the others by the adapter. One adapter per namespace
// per process; its methods may be called on any reactor, and it calls handlers on a reactor of
// its choice (the namespace brings answers back where they are awaited).

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "socketio/packet.hpp"

namespace sio::adapter {

using json = nlohmann::ordered_json;
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

// A socket's session as connection state recovery keeps it while its client is away.
struct SessionRecord {
  SocketId sid;
  std::string pid;
  std::vector<Room> rooms;  // its own id room included
  json data;
};

// A session taken back, with the event packets (`data` arrays, each ending with its offset) the
// socket missed, oldest first.
struct RestoredSession {
  SessionRecord session;
  std::vector<json> missed;
};

using ClientCountHandler = std::function<void(std::size_t client_count)>;
using AckHandler = std::function<void(const json& response)>;
using FetchHandler = std::function<void(std::vector<SocketDetails>)>;
// `error` is set when some servers did not answer in time; the sockets are then those of the
// servers that did.
using FetchResultHandler =
    std::function<void(std::optional<std::string> error, std::vector<SocketDetails>)>;
// `error` is set when some servers did not answer in time; responses are what arrived.
using ServerAckHandler =
    std::function<void(std::optional<std::string> error, std::vector<json> responses)>;

class LocalNamespace;

class Adapter {
 public:
  virtual ~Adapter() = default;

  // --- what this server tells the others ---
  // A broadcast this server delivers itself (never called for `local` ones).
  virtual void broadcast(const socketio::Packet& packet, const BroadcastOptions& options) = 0;
  // Asks the other servers to deliver with acks (`packet.id` unset: each server numbers its
  // own). `on_client_count` is called once, with how many sockets the others reached together
  // (0 when alone); `on_ack` once per response.
  virtual void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                                  ClientCountHandler on_client_count, AckHandler on_ack) = 0;
  // The matching sockets of the other servers.
  virtual void fetch_sockets(const BroadcastOptions& options, FetchResultHandler handler) = 0;
  virtual void add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void disconnect_sockets(const BroadcastOptions& options, bool close) = 0;

  // --- talking to the other servers ---
  // `args` is the event name followed by its arguments. With a handler, it is told the answers
  // of every other server (an empty list when this server is alone).
  virtual void server_side_emit(const json& args, ServerAckHandler handler) = 0;
  virtual void server_count(std::function<void(std::size_t)> handler) = 0;

  virtual void close() {}

  // --- rooms of this server, for adapters that listen per room (sharded Pub/Sub) ---
  virtual bool wants_room_events() const { return false; }
  // A room got its first member on one reactor of this server (`own`: a socket's own room), or
  // lost its last one there. Called on that reactor, once per reactor: a room with members on
  // two reactors appears twice before it is gone.
  virtual void room_appeared(const Room& /*room*/, bool /*own*/) {}
  virtual void room_vanished(const Room& /*room*/, bool /*own*/) {}

  // --- connection state recovery kept by the cluster (Redis Streams) ---
  // True when the adapter numbers broadcasts (their offsets) and keeps the sessions of
  // disconnected sockets, so that a client recovers on any server: the namespace then neither
  // numbers nor logs broadcasts itself, and asks the adapter for sessions.
  virtual bool keeps_sessions() const { return false; }
  // A broadcast of this server that clients may miss: published, then `on_offset` is called (on
  // any reactor) with its offset — or with "" when it could not be published (it is delivered
  // here all the same, without one).
  virtual void broadcast_with_offset(const socketio::Packet& packet,
                                     const BroadcastOptions& options,
                                     std::function<void(std::string offset)> on_offset) {
    broadcast(packet, options);
    on_offset("");
  }
  virtual void persist_session(const SessionRecord& /*session*/) {}
  // The session `pid` kept, taken (no one else gets it), with what it missed after `offset`;
  // nullopt when there is none, or the offset is unknown. Answered on any reactor.
  virtual void restore_session(const std::string& /*pid*/, const std::string& /*offset*/,
                               std::function<void(std::optional<RestoredSession>)> handler) {
    handler(std::nullopt);
  }
};

// Makes the adapter of a namespace; set on the server, used for every namespace it creates.
using AdapterFactory = std::function<std::unique_ptr<Adapter>(LocalNamespace&)>;

}  // namespace sio::adapter
