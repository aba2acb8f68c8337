#pragma once
// RoomIndex's iteration, inline: it runs once per broadcast and calls `f` once per recipient.
// Included by socket.hpp, once Socket is complete.

#include "socketio/room_index.hpp"

namespace sio::socketio {

inline RoomIndex::Membership& RoomIndex::membership(Socket& socket) { return socket.membership_; }

inline const RoomIndex::Membership& RoomIndex::membership(const Socket& socket) {
  return socket.membership_;
}

template <class F>
void RoomIndex::for_each_member(const adapter::Room& room, const Sockets& sockets, F&& f) const {
  if (auto own = sockets.find(room); own != sockets.end() && membership(*own->second).own_room) {
    f(*own->second);
  }
  if (auto it = rooms_.find(room); it != rooms_.end()) {
    for (auto* socket : it->second) f(*socket);
  }
}

template <class F>
void RoomIndex::for_each_target(const adapter::BroadcastOptions& options, const Sockets& sockets,
                                F&& f) {
  // Fresh marks for this broadcast: older marks never equal them.
  const auto excluded = ++generation_;
  const auto reached = ++generation_;
  for (const auto& room : options.except) {
    for_each_member(room, sockets, [&](Socket& socket) { membership(socket).mark = excluded; });
  }
  if (options.rooms.empty()) {
    for (const auto& [id, socket] : sockets) {
      if (membership(*socket).mark != excluded) f(*socket);
    }
    return;
  }
  for (const auto& room : options.rooms) {
    for_each_member(room, sockets, [&](Socket& socket) {
      auto& mark = membership(socket).mark;
      if (mark == excluded || mark == reached) return;
      mark = reached;
      f(socket);
    });
  }
}

}  // namespace sio::socketio
