#include <gtest/gtest.h>

#include <algorithm>

#include "socketio/server.hpp"

using namespace sio;

namespace {

class MemoryAdapterTest : public ::testing::Test {
 protected:
  boost::asio::io_context ctx;
  socketio::Server server{ctx};
  adapter::Adapter& rooms = server.of("/").adapter();

  std::vector<std::string> reached(std::vector<std::string> to = {},
                                   std::vector<std::string> except = {}) {
    adapter::BroadcastOptions options;
    options.rooms = std::move(to);
    options.except = std::move(except);
    auto ids = rooms.local_sockets(options);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

}  // namespace

TEST_F(MemoryAdapterTest, reaches_every_socket_without_rooms) {
  rooms.add_all("a", {"a"});
  rooms.add_all("b", {"b", "r1"});
  EXPECT_EQ(reached(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(MemoryAdapterTest, reaches_members_of_any_room_once) {
  rooms.add_all("a", {"r1", "r2"});
  rooms.add_all("b", {"r2"});
  rooms.add_all("c", {"r3"});
  EXPECT_EQ(reached({"r1", "r2"}), (std::vector<std::string>{"a", "b"}));
}

TEST_F(MemoryAdapterTest, excludes_members_of_except_rooms) {
  rooms.add_all("a", {"r1", "vip"});
  rooms.add_all("b", {"r1"});
  EXPECT_EQ(reached({"r1"}, {"vip"}), (std::vector<std::string>{"b"}));
  // "b" is no room yet: excluding it excludes nobody.
  EXPECT_EQ(reached({}, {"b"}), (std::vector<std::string>{"a", "b"}));
  rooms.add_all("b", {"b"});
  EXPECT_EQ(reached({}, {"b"}), (std::vector<std::string>{"a"}));
}

TEST_F(MemoryAdapterTest, leaving_last_member_forgets_the_room) {
  rooms.add_all("a", {"r1"});
  rooms.del("a", "r1");
  EXPECT_TRUE(rooms.all_rooms().empty());
  EXPECT_TRUE(rooms.socket_rooms("a").empty());
}

TEST_F(MemoryAdapterTest, del_all_removes_socket_from_every_room) {
  rooms.add_all("a", {"r1", "r2"});
  rooms.add_all("b", {"r2"});
  rooms.del_all("a");
  EXPECT_EQ(reached({"r1", "r2"}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(rooms.all_rooms(), (std::vector<std::string>{"r2"}));
}

TEST_F(MemoryAdapterTest, joining_twice_is_idempotent) {
  rooms.add_all("a", {"r1"});
  rooms.add_all("a", {"r1"});
  EXPECT_EQ(rooms.socket_rooms("a"), (std::vector<std::string>{"r1"}));
  EXPECT_EQ(reached({"r1"}), (std::vector<std::string>{"a"}));
}

// A socket's own room is kept as a flag, not a room set: it must still behave like any room.
TEST_F(MemoryAdapterTest, own_room_behaves_like_a_room) {
  rooms.add_all("a", {"a", "r1"});
  rooms.add_all("b", {"b"});
  EXPECT_EQ(reached({"a"}), (std::vector<std::string>{"a"}));
  auto all = rooms.all_rooms();
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "r1"}));
  auto of_a = rooms.socket_rooms("a");
  std::sort(of_a.begin(), of_a.end());
  EXPECT_EQ(of_a, (std::vector<std::string>{"a", "r1"}));
  // Another socket may join a room named after a socket: both are reached, once each.
  rooms.add_all("b", {"a"});
  EXPECT_EQ(reached({"a"}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reached({"a", "b"}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reached({}, {"a"}), (std::vector<std::string>{}));
  // Leaving one's own room (Node allows it) stops `to(id)` from reaching it.
  rooms.del("a", "a");
  EXPECT_EQ(reached({"a"}), (std::vector<std::string>{"b"}));
  rooms.del("b", "a");
  EXPECT_EQ(reached({"a"}), (std::vector<std::string>{}));
  rooms.del_all("a");
  EXPECT_EQ(reached({"r1"}), (std::vector<std::string>{}));
}
