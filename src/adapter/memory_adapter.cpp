#include "adapter/memory_adapter.hpp"

#include <algorithm>

#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::adapter {

void MemoryAdapter::add_all(const SocketId& id, const std::vector<Room>& rooms) {
  auto& joined = sids_[id];
  for (const auto& room : rooms) {
    if (room == id) {
      joined.own_room = true;
    } else if (std::find(joined.rooms.begin(), joined.rooms.end(), room) == joined.rooms.end()) {
      joined.rooms.push_back(room);
      rooms_[room].insert(id);
    }
  }
}

void MemoryAdapter::del(const SocketId& id, const Room& room) {
  auto joined = sids_.find(id);
  if (joined != sids_.end()) {
    if (room == id) {
      joined->second.own_room = false;
      return;
    }
    auto& list = joined->second.rooms;
    if (auto it = std::find(list.begin(), list.end(), room); it != list.end()) list.erase(it);
  }
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) rooms_.erase(it);
}

void MemoryAdapter::del_all(const SocketId& id) {
  auto it = sids_.find(id);
  if (it == sids_.end()) return;
  for (const auto& room : it->second.rooms) {
    auto members = rooms_.find(room);
    if (members == rooms_.end()) continue;
    members->second.erase(id);
    if (members->second.empty()) rooms_.erase(members);
  }
  sids_.erase(it);
}

std::vector<Room> MemoryAdapter::socket_rooms(const SocketId& id) const {
  auto it = sids_.find(id);
  if (it == sids_.end()) return {};
  std::vector<Room> rooms;
  rooms.reserve(it->second.rooms.size() + 1);
  if (it->second.own_room) rooms.push_back(id);
  rooms.insert(rooms.end(), it->second.rooms.begin(), it->second.rooms.end());
  return rooms;
}

std::vector<Room> MemoryAdapter::all_rooms() const {
  std::vector<Room> rooms;
  rooms.reserve(rooms_.size() + sids_.size());
  for (const auto& [room, members] : rooms_) rooms.push_back(room);
  for (const auto& [id, joined] : sids_) {
    if (joined.own_room && !rooms_.contains(id)) rooms.push_back(id);
  }
  return rooms;
}

bool MemoryAdapter::in_own_room(const Room& room) const {
  auto it = sids_.find(room);
  return it != sids_.end() && it->second.own_room;
}

template <class Out>
void MemoryAdapter::members_of(const Room& room, Out&& out) const {
  if (in_own_room(room)) out(room);
  if (auto it = rooms_.find(room); it != rooms_.end()) {
    for (const auto& id : it->second) out(id);
  }
}

std::vector<SocketId> MemoryAdapter::local_sockets(const BroadcastOptions& options) const {
  std::unordered_set<SocketId> excluded;
  for (const auto& room : options.except) {
    members_of(room, [&](const SocketId& id) { excluded.insert(id); });
  }
  std::vector<SocketId> ids;
  if (options.rooms.empty()) {
    ids.reserve(sids_.size());
    for (const auto& [id, joined] : sids_) {
      if (!excluded.contains(id)) ids.push_back(id);
    }
    return ids;
  }
  // A socket in several of the target rooms gets the packet once. Within one room there are no
  // duplicates: a socket's own room flag and a same-named entry of rooms_ never list the same
  // socket (joining one's own id sets the flag).
  std::unordered_set<SocketId> seen;
  const bool dedupe = options.rooms.size() > 1;
  for (const auto& room : options.rooms) {
    members_of(room, [&](const SocketId& id) {
      if (excluded.contains(id)) return;
      if (dedupe && !seen.insert(id).second) return;
      ids.push_back(id);
    });
  }
  return ids;
}

std::size_t MemoryAdapter::deliver_locally(const socketio::Packet& packet,
                                           const BroadcastOptions& options, AckHandler on_ack) {
  // Encoded once; every recipient shares the same frames. With connection state recovery, every
  // broadcast delivered here — this server's, or another's through a cluster adapter — is
  // logged under an offset of this server, for the sessions of this server to replay.
  auto* store = nsp_.server().session_store();
  const auto frames = store ? store->encode(packet, options, socketio::SessionStore::Clock::now())
                            : socketio::encode_frames(packet);
  std::size_t reached = 0;
  for (const auto& id : local_sockets(options)) {
    auto* socket = nsp_.find_socket(id);
    if (!socket) continue;
    if (on_ack) socket->register_broadcast_ack(*packet.id, on_ack);
    socket->send_frames(frames, options.flags.is_volatile);
    ++reached;
  }
  auto& stats = nsp_.server().stats();
  ++stats.broadcasts;
  stats.broadcast_deliveries += reached;
  return reached;
}

void MemoryAdapter::broadcast(const socketio::Packet& packet, const BroadcastOptions& options) {
  deliver_locally(packet, options);
}

void MemoryAdapter::broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                                       ClientCountHandler on_client_count, AckHandler on_ack) {
  auto with_id = packet;
  with_id.id = nsp_.next_ack_id();
  on_client_count(deliver_locally(with_id, options, std::move(on_ack)));
}

std::vector<SocketDetails> MemoryAdapter::local_details(const BroadcastOptions& options) const {
  std::vector<SocketDetails> details;
  for (const auto& id : local_sockets(options)) {
    auto* socket = nsp_.find_socket(id);
    if (!socket) continue;
    details.push_back({id, socket->handshake().to_json(), socket->rooms(), socket->data});
  }
  return details;
}

void MemoryAdapter::fetch_sockets(const BroadcastOptions& options, FetchHandler handler) {
  handler(local_details(options));
}

void MemoryAdapter::add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  for (const auto& id : local_sockets(options)) add_all(id, rooms);
}

void MemoryAdapter::del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) {
  for (const auto& id : local_sockets(options)) {
    for (const auto& room : rooms) del(id, room);
  }
}

void MemoryAdapter::disconnect_sockets(const BroadcastOptions& options, bool close) {
  std::vector<std::shared_ptr<socketio::Socket>> targets;
  for (const auto& id : local_sockets(options)) {
    if (auto* socket = nsp_.find_socket(id)) targets.push_back(socket->shared_from_this());
  }
  for (auto& socket : targets) socket->disconnect(close);
}

void MemoryAdapter::server_side_emit(const json&, ServerAckHandler handler) {
  // No other server to tell; one waiting for answers gets none.
  if (handler) handler(std::nullopt, {});
}

void MemoryAdapter::server_count(std::function<void(std::size_t)> handler) { handler(1); }

}  // namespace sio::adapter
