// One reactor's slice of a namespace's room index: who a broadcast reaches, with rooms, except
// rooms, a socket's own room and the room lists kept on the sockets.

#include "socketio/room_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "socketio/server.hpp"

using namespace sio;
using socketio::RoomIndex;
using socketio::Socket;

namespace {

class RoomIndexTest : public ::testing::Test {
 protected:
  // Sockets named a, b, c… in the tests; their ids are random.
  Socket& socket(const std::string& name) {
    auto& slot = by_name[name];
    if (!slot) {
      slot = std::make_shared<Socket>(server.sockets(), nullptr,
                                      std::make_shared<socketio::Handshake>());
      sockets[slot->id()] = slot;
      names[slot->id()] = name;
    }
    return *slot;
  }
  // A room name, or the id of the socket named so when written "#a".
  std::string room(const std::string& name) {
    return name.starts_with('#') ? socket(name.substr(1)).id() : name;
  }
  void join(const std::string& who, std::vector<std::string> rooms) {
    for (auto& r : rooms) index.join(socket(who), room(r));
  }
  void leave(const std::string& who, const std::string& r) { index.leave(socket(who), room(r)); }

  std::vector<std::string> reached(std::vector<std::string> to = {},
                                   std::vector<std::string> except = {}) {
    adapter::BroadcastOptions options;
    for (auto& r : to) options.rooms.push_back(room(r));
    for (auto& r : except) options.except.push_back(room(r));
    std::vector<std::string> out;
    index.for_each_target(options, sockets, [&](Socket& s) { out.push_back(names[s.id()]); });
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> rooms_of(const std::string& who) {
    std::vector<std::string> out;
    for (auto& r : RoomIndex::rooms_of(socket(who))) out.push_back(names.contains(r) ? "#" + names[r] : r);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<std::string> all_rooms() {
    std::vector<std::string> out;
    for (auto& r : index.all_rooms(sockets)) out.push_back(names.contains(r) ? "#" + names[r] : r);
    std::sort(out.begin(), out.end());
    return out;
  }

  static socketio::ServerOptions one_reactor() {
    socketio::ServerOptions options;
    options.threads = 1;
    return options;
  }

  boost::asio::io_context ctx;
  socketio::Server server{ctx, one_reactor()};
  RoomIndex index;
  RoomIndex::Sockets sockets;
  std::map<std::string, std::shared_ptr<Socket>> by_name;
  std::map<std::string, std::string> names;  // id → name
};

using Names = std::vector<std::string>;

}  // namespace

TEST_F(RoomIndexTest, reaches_every_socket_without_rooms) {
  join("a", {"#a"});
  join("b", {"#b", "r1"});
  EXPECT_EQ(reached(), (Names{"a", "b"}));
}

TEST_F(RoomIndexTest, reaches_members_of_any_room_once) {
  join("a", {"r1", "r2"});
  join("b", {"r2"});
  join("c", {"r3"});
  EXPECT_EQ(reached({"r1", "r2"}), (Names{"a", "b"}));
}

TEST_F(RoomIndexTest, excludes_members_of_except_rooms) {
  join("a", {"r1", "vip"});
  join("b", {"r1"});
  EXPECT_EQ(reached({"r1"}, {"vip"}), (Names{"b"}));
  // b is not in its own room yet: excluding it excludes nobody.
  EXPECT_EQ(reached({}, {"#b"}), (Names{"a", "b"}));
  join("b", {"#b"});
  EXPECT_EQ(reached({}, {"#b"}), (Names{"a"}));
}

TEST_F(RoomIndexTest, leaving_last_member_forgets_the_room) {
  join("a", {"r1"});
  leave("a", "r1");
  EXPECT_TRUE(all_rooms().empty());
  EXPECT_TRUE(rooms_of("a").empty());
  EXPECT_TRUE(reached({"r1"}).empty());
}

TEST_F(RoomIndexTest, leave_all_removes_socket_from_every_room) {
  join("a", {"#a", "r1", "r2"});
  join("b", {"r2"});
  index.leave_all(socket("a"));
  EXPECT_EQ(reached({"r1", "r2", "#a"}), (Names{"b"}));
  EXPECT_EQ(all_rooms(), (Names{"r2"}));
}

TEST_F(RoomIndexTest, joining_twice_is_idempotent) {
  join("a", {"r1", "r1"});
  EXPECT_EQ(rooms_of("a"), (Names{"r1"}));
  EXPECT_EQ(reached({"r1"}), (Names{"a"}));
}

// Members leave from anywhere in a room's list: the others stay reachable, each once.
TEST_F(RoomIndexTest, keeps_the_others_when_members_leave_from_the_middle) {
  for (auto name : {"a", "b", "c", "d", "e"}) join(name, {"r1", "r2"});
  leave("b", "r1");
  leave("d", "r2");
  leave("a", "r1");
  EXPECT_EQ(reached({"r1"}), (Names{"c", "d", "e"}));
  EXPECT_EQ(reached({"r2"}), (Names{"a", "b", "c", "e"}));
  leave("e", "r1");
  leave("c", "r1");
  leave("d", "r1");
  EXPECT_TRUE(reached({"r1"}).empty());
  EXPECT_EQ(all_rooms(), (Names{"r2"}));
  EXPECT_EQ(rooms_of("a"), (Names{"r2"}));
}

// A socket's own room is kept as a flag, not a room: it must still behave like any room.
TEST_F(RoomIndexTest, own_room_behaves_like_a_room) {
  join("a", {"#a", "r1"});
  join("b", {"#b"});
  EXPECT_EQ(reached({"#a"}), (Names{"a"}));
  EXPECT_EQ(all_rooms(), (Names{"#a", "#b", "r1"}));
  EXPECT_EQ(rooms_of("a"), (Names{"#a", "r1"}));
  EXPECT_TRUE(RoomIndex::in_room(socket("a"), room("#a")));
  // Another socket may join a room named after a socket: both are reached, once each.
  join("b", {"#a"});
  EXPECT_EQ(reached({"#a"}), (Names{"a", "b"}));
  EXPECT_EQ(reached({"#a", "#b"}), (Names{"a", "b"}));
  EXPECT_EQ(reached({}, {"#a"}), (Names{}));
  // Leaving one's own room (Node allows it) stops `to(id)` from reaching it.
  leave("a", "#a");
  EXPECT_EQ(reached({"#a"}), (Names{"b"}));
  leave("b", "#a");
  EXPECT_EQ(reached({"#a"}), (Names{}));
  index.leave_all(socket("a"));
  EXPECT_EQ(reached({"r1"}), (Names{}));
}
