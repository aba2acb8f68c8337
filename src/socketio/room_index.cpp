#include "socketio/room_index.hpp"

#include <algorithm>

#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

namespace {

void report_room_change(Socket& socket, const adapter::Room& room, bool joined) {
  if (auto* observer = socket.nsp().server().observer())
    observer->room_changed(socket, room, joined);
}

}  // namespace

// A room got its first member on this reactor, or lost its last one.
void RoomIndex::report_existence(Socket& socket, const adapter::Room& room, bool own, bool exists) {
  socket.nsp().room_existence_changed(room, own, exists);
}

namespace {}  // namespace

void RoomIndex::join(Socket& socket, const adapter::Room& room) {
  auto& joined = membership(socket);
  if (room == socket.id()) {
    if (joined.own_room) return;
    joined.own_room = true;
    report_existence(socket, room, true, true);
    report_room_change(socket, room, true);
    return;
  }
  if (in_room(socket, room)) return;
  auto [it, created] = rooms_.try_emplace(room);
  auto& entry = *it;
  joined.slots.push_back({&entry, entry.second.size()});
  entry.second.push_back(&socket);
  if (created) report_existence(socket, room, false, true);
  report_room_change(socket, room, true);
}

void RoomIndex::leave(Socket& socket, const adapter::Room& room) {
  auto& joined = membership(socket);
  if (room == socket.id()) {
    if (!joined.own_room) return;
    joined.own_room = false;
    report_existence(socket, room, true, false);
    report_room_change(socket, room, false);
    return;
  }
  for (std::size_t i = 0; i < joined.slots.size(); ++i) {
    if (joined.slots[i].room->first == room) {
      remove_slot(socket, i);
      return report_room_change(socket, room, false);
    }
  }
}

void RoomIndex::leave_all(Socket& socket) {
  auto& joined = membership(socket);
  if (joined.own_room) {
    joined.own_room = false;
    report_existence(socket, socket.id(), true, false);
    report_room_change(socket, socket.id(), false);
  }
  while (!joined.slots.empty()) {
    const adapter::Room room = joined.slots.back().room->first;
    remove_slot(socket, joined.slots.size() - 1);
    report_room_change(socket, room, false);
  }
}

// The last member of the room takes the leaver's place, so the members stay contiguous.
void RoomIndex::remove_slot(Socket& socket, std::size_t slot_index) {
  auto& joined = membership(socket);
  const auto slot = joined.slots[slot_index];
  auto& members = slot.room->second;
  auto* moved = members.back();
  members[slot.position] = moved;
  members.pop_back();
  if (moved != &socket) {
    for (auto& other : membership(*moved).slots) {
      if (other.room == slot.room) {
        other.position = slot.position;
        break;
      }
    }
  }
  joined.slots[slot_index] = joined.slots.back();
  joined.slots.pop_back();
  if (members.empty()) {
    const adapter::Room room = slot.room->first;
    rooms_.erase(rooms_.find(room));
    report_existence(socket, room, false, false);
  }
}

std::vector<adapter::Room> RoomIndex::rooms_of(const Socket& socket) {
  const auto& joined = membership(socket);
  std::vector<adapter::Room> rooms;
  rooms.reserve(joined.slots.size() + 1);
  if (joined.own_room) rooms.push_back(socket.id());
  for (const auto& slot : joined.slots) rooms.push_back(slot.room->first);
  return rooms;
}

bool RoomIndex::in_room(const Socket& socket, const adapter::Room& room) {
  const auto& joined = membership(socket);
  if (room == socket.id()) return joined.own_room;
  return std::any_of(joined.slots.begin(), joined.slots.end(),
                     [&](const Membership::Slot& slot) { return slot.room->first == room; });
}

std::vector<adapter::Room> RoomIndex::all_rooms(const Sockets& sockets) const {
  std::vector<adapter::Room> rooms;
  rooms.reserve(rooms_.size() + sockets.size());
  for (const auto& [room, members] : rooms_) rooms.push_back(room);
  for (const auto& [id, socket] : sockets) {
    if (membership(*socket).own_room && !rooms_.contains(id)) rooms.push_back(id);
  }
  return rooms;
}

}  // namespace sio::socketio
