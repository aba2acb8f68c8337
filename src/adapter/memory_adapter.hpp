#pragma once
// The in-memory adapter: the room index of one namespace on one server, and delivery to the
// sockets it holds. With no other servers, the cluster operations reduce to local ones.

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "adapter/adapter.hpp"

namespace sio::adapter {

class MemoryAdapter : public Adapter {
 public:
  explicit MemoryAdapter(socketio::Namespace& nsp) : nsp_(nsp) {}

  void add_all(const SocketId& id, const std::vector<Room>& rooms) override;
  void del(const SocketId& id, const Room& room) override;
  void del_all(const SocketId& id) override;
  std::vector<Room> socket_rooms(const SocketId& id) const override;
  std::vector<SocketId> local_sockets(const BroadcastOptions& options) const override;
  std::vector<Room> all_rooms() const override;

  void broadcast(const socketio::Packet& packet, const BroadcastOptions& options) override;
  void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                          ClientCountHandler on_client_count, AckHandler on_ack) override;
  void fetch_sockets(const BroadcastOptions& options, FetchHandler handler) override;
  void add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void disconnect_sockets(const BroadcastOptions& options, bool close) override;
  void server_side_emit(const json& args, ServerAckHandler handler) override;
  void server_count(std::function<void(std::size_t)> handler) override;

 protected:
  // Delivery to this server's sockets, shared with cluster adapters built on this one (so the
  // broadcasts of other servers are logged for connection state recovery like local ones).
  std::size_t deliver_locally(const socketio::Packet& packet, const BroadcastOptions& options,
                              AckHandler on_ack = nullptr);
  std::vector<SocketDetails> local_details(const BroadcastOptions& options) const;
  socketio::Namespace& nsp_;

 private:
  // What one socket joined. Its own room (named by its id) is a flag, not an entry of rooms_:
  // every socket is in it and alone there (unless someone else joins that name), so an idle
  // socket costs no room set of its own. Sockets join few rooms: a vector beats a hash set.
  struct Membership {
    bool own_room = false;
    std::vector<Room> rooms;  // other than its own
  };

  bool in_own_room(const Room& room) const;
  // Adds the members of `room` (both kinds) to `out`.
  template <class Out>
  void members_of(const Room& room, Out&& out) const;

  std::unordered_map<Room, std::unordered_set<SocketId>> rooms_;
  std::unordered_map<SocketId, Membership> sids_;
};

}  // namespace sio::adapter
