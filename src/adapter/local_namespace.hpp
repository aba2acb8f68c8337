#pragma once
// What an adapter may ask of the namespace it serves: this server's side of every cluster
// operation, over all of its reactors. socketio::Namespace implements it; an adapter sees no
// socket, room index or frame of its own.
//
// Each method may be called on any reactor; its handler then runs on that same reactor.

#include <functional>
#include <string>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/ack.hpp"

namespace sio::adapter {

class LocalNamespace {
 public:
  virtual ~LocalNamespace() = default;

  virtual const std::string& name() const = 0;

  // Delivers a packet from another server to the sockets of this one that `options` names;
  // `offset` is its offset when the adapter keeps sessions (keeps_sessions()), else "".
  virtual void deliver(const socketio::Packet& packet, const BroadcastOptions& options,
                       const std::string& offset) = 0;
  // The same for an EVENT whose data comes as JSON text (a JSON array, valid JSON): the packet is
  // encoded around the text, which is not parsed again.
  virtual void deliver_event(std::string data, BroadcastOptions options,
                             const std::string& offset) = 0;
  // Delivers a packet asking each recipient for an ack: `on_client_count` once with how many sockets were
  // reached, `on_ack` once per answer.
  virtual void deliver_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                                ClientCountHandler on_client_count, AckHandler on_ack) = 0;

  virtual void fetch_local(const BroadcastOptions& options, FetchHandler handler) = 0;
  virtual void local_socket_ids(const BroadcastOptions& options,
                                std::function<void(std::vector<SocketId>)> handler) = 0;
  // Rooms with members on this server.
  virtual void local_rooms(std::function<void(std::vector<Room>)> handler) = 0;
  virtual void join_local(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void leave_local(const BroadcastOptions& options, const std::vector<Room>& rooms) = 0;
  virtual void disconnect_local(const BroadcastOptions& options, bool close) = 0;

  // One socket by id, wherever it is on this server (the older form of remote join/leave/
  // disconnect). `done` is told whether this server has it.
  using FoundHandler = std::function<void(bool found)>;
  virtual void join_socket(const SocketId& id, const Room& room, FoundHandler done) = 0;
  virtual void leave_socket(const SocketId& id, const Room& room, FoundHandler done) = 0;
  virtual void disconnect_socket(const SocketId& id, bool close, FoundHandler done) = 0;

  // An event another server sent with server_side_emit (`args`: the name, then the arguments).
  virtual void handle_server_side(const json& args, socketio::Ack ack) = 0;
};

}  // namespace sio::adapter
