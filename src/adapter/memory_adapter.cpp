#include "adapter/memory_adapter.hpp"

#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::adapter {

void MemoryAdapter::add_all(const SocketId& id, const std::vector<Room>& rooms) {
  auto& joined = sids_[id];
  for (const auto& room : rooms) {
    if (joined.insert(room).second) rooms_[room].insert(id);
  }
}

void MemoryAdapter::del(const SocketId& id, const Room& room) {
  if (auto it = sids_.find(id); it != sids_.end()) it->second.erase(room);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  it->second.erase(id);
  if (it->second.empty()) rooms_.erase(it);
}

void MemoryAdapter::del_all(const SocketId& id) {
  auto it = sids_.find(id);
  if (it == sids_.end()) return;
  for (const auto& room : it->second) {
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
  return {it->second.begin(), it->second.end()};
}

std::vector<Room> MemoryAdapter::all_rooms() const {
  std::vector<Room> rooms;
  rooms.reserve(rooms_.size());
  for (const auto& [room, members] : rooms_) rooms.push_back(room);
  return rooms;
}

std::vector<SocketId> MemoryAdapter::local_sockets(const BroadcastOptions& options) const {
  std::unordered_set<SocketId> excluded;
  for (const auto& room : options.except) {
    if (auto it = rooms_.find(room); it != rooms_.end()) excluded.insert(it->second.begin(), it->second.end());
  }
  std::vector<SocketId> ids;
  if (options.rooms.empty()) {
    ids.reserve(sids_.size());
    for (const auto& [id, rooms] : sids_) {
      if (!excluded.contains(id)) ids.push_back(id);
    }
    return ids;
  }
  // A socket in several of the rooms is reached once.
  std::unordered_set<SocketId> seen;
  for (const auto& room : options.rooms) {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) continue;
    for (const auto& id : it->second) {
      if (excluded.contains(id)) continue;
      if (options.rooms.size() == 1 || seen.insert(id).second) ids.push_back(id);
    }
  }
  return ids;
}

std::size_t MemoryAdapter::deliver_locally(const socketio::Packet& packet,
                                           const BroadcastOptions& options, AckHandler on_ack) {
  // Encoded once; every recipient shares the same frames.
  const auto frames = socketio::encode_frames(packet);
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
