#pragma once
// One reactor's slice of a namespace's room index: which of the reactor's sockets are in which
// room. A room holds its members as socket handles in a vector, so that a broadcast walks them
// without building a list of ids or looking any socket up; each socket keeps its own list of
// rooms (with its place in each), so that leaving is constant time and a socket's rooms are
// read without a lookup.
//
// A socket's own room (named by its id) is a flag on the socket, not a room here: every socket
// is in it and alone there, so an idle socket costs no room of its own. It is found through the
// namespace's table of sockets by id.
//
// Single reactor: every member runs on the reactor that owns the slice.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapter/adapter.hpp"

namespace sio::socketio {

class Socket;

class RoomIndex {
 public:
  using Sockets = std::unordered_map<std::string, std::shared_ptr<Socket>>;
  using Members = std::vector<Socket*>;
  using Entry = std::pair<const adapter::Room, Members>;

  // Where a socket sits in the index; the socket keeps it.
  struct Membership {
    struct Slot {
      Entry* room;
      std::size_t position;  // in room->second
    };
    bool own_room = false;
    std::vector<Slot> slots;
    // Marks the socket during one broadcast (excluded, or already reached), so that a socket in
    // several target rooms gets a packet once without a set being built.
    std::uint64_t mark = 0;
  };

  RoomIndex() = default;
  RoomIndex(const RoomIndex&) = delete;
  RoomIndex& operator=(const RoomIndex&) = delete;

  void join(Socket& socket, const adapter::Room& room);
  void leave(Socket& socket, const adapter::Room& room);
  void leave_all(Socket& socket);

  // The rooms of `socket`, its own first when it is in it.
  static std::vector<adapter::Room> rooms_of(const Socket& socket);
  static bool in_room(const Socket& socket, const adapter::Room& room);
  // Rooms with members on this reactor, own rooms included.
  std::vector<adapter::Room> all_rooms(const Sockets& sockets) const;

  // Calls f(Socket&) once for each socket of `sockets` that `options` names: in any of its rooms
  // (every socket when there are none) and in none of its except rooms. `f` must not change the
  // index (collect first to join or leave). Defined in room_index_inl.hpp, which socket.hpp
  // includes.
  template <class F>
  void for_each_target(const adapter::BroadcastOptions& options, const Sockets& sockets, F&& f);

 private:
  template <class F>
  void for_each_member(const adapter::Room& room, const Sockets& sockets, F&& f) const;
  static Membership& membership(Socket& socket);
  static const Membership& membership(const Socket& socket);
  void remove_slot(Socket& socket, std::size_t slot_index);
  static void report_existence(Socket& socket, const adapter::Room& room, bool own, bool exists);

  std::unordered_map<adapter::Room, Members> rooms_;
  std::uint64_t generation_ = 0;
};

}  // namespace sio::socketio
