// Redis Cluster addressing: hash slots, CLUSTER SLOTS replies, -MOVED / -ASK redirections.

#include "adapter/redis_cluster_slots.hpp"

#include <gtest/gtest.h>

namespace cluster = sio::adapter::cluster;
using sio::adapter::RedisReply;

namespace {

RedisReply integer(long long value) {
  return {RedisReply::Type::integer, "", value, {}};
}
RedisReply string(std::string value) {
  return {RedisReply::Type::string, std::move(value), 0, {}};
}
RedisReply array(std::vector<RedisReply> items) {
  return {RedisReply::Type::array, "", 0, std::move(items)};
}
RedisReply node(std::string host, long long port, std::string id) {
  return array({string(std::move(host)), integer(port), string(std::move(id))});
}

}  // namespace

TEST(RedisClusterSlots, hashes_keys_as_redis_does) {
  // CRC16-XMODEM("123456789") = 0x31C3, the reference value of the Redis Cluster spec.
  EXPECT_EQ(cluster::key_slot("123456789"), 0x31C3);
  EXPECT_EQ(cluster::key_slot("foo"), 12182);
  EXPECT_EQ(cluster::key_slot(""), 0);
}

TEST(RedisClusterSlots, hashes_only_a_non_empty_hash_tag) {
  EXPECT_EQ(cluster::key_slot("{user1000}.following"), cluster::key_slot("user1000"));
  EXPECT_EQ(cluster::key_slot("foo{bar}{zap}"), cluster::key_slot("bar"));
  EXPECT_EQ(cluster::key_slot("foo{{bar}}zap"), cluster::key_slot("{bar"));
  // An empty tag does not count: the whole key is hashed.
  EXPECT_NE(cluster::key_slot("foo{}{bar}"), cluster::key_slot("bar"));
  EXPECT_EQ(cluster::key_slot("foo{}{bar}"), cluster::key_slot(std::string("foo{}{bar}")));
  EXPECT_NE(cluster::key_slot("socket.io#/#"), cluster::key_slot("socket.io#/#room#"));
}

TEST(RedisClusterSlots, reads_the_masters_of_a_cluster_slots_reply) {
  const auto reply = array({
      array({integer(0), integer(5460), node("10.0.0.1", 7000, "a"), node("10.0.0.4", 7003, "d")}),
      array({integer(5461), integer(10922), node("", 7001, "b")}),
      array({integer(10923), integer(16383), node("10.0.0.3", 7002, "c")}),
  });
  const auto ranges = cluster::parse_cluster_slots(reply, "seed.internal");
  ASSERT_TRUE(ranges);
  ASSERT_EQ(ranges->size(), 3u);
  EXPECT_EQ((*ranges)[0].first, 0);
  EXPECT_EQ((*ranges)[0].last, 5460);
  EXPECT_EQ((*ranges)[0].master.text(), "10.0.0.1:7000");
  // An unknown address is the node that was asked.
  EXPECT_EQ((*ranges)[1].master.text(), "seed.internal:7001");
  EXPECT_EQ((*ranges)[2].last, 16383);
}

TEST(RedisClusterSlots, refuses_what_is_not_a_slot_map) {
  EXPECT_FALSE(cluster::parse_cluster_slots(string("OK"), "h"));
  EXPECT_FALSE(cluster::parse_cluster_slots(
      array({array({integer(0), integer(20000), node("h", 1, "x")})}), "h"));
  EXPECT_FALSE(cluster::parse_cluster_slots(
      array({array({integer(9), integer(3), node("h", 1, "x")})}), "h"));
  EXPECT_FALSE(cluster::parse_cluster_slots(
      array({array({integer(0), integer(3), node("h", 0, "x")})}), "h"));
  EXPECT_TRUE(cluster::parse_cluster_slots(array({}), "h")->empty());
}

TEST(RedisClusterSlots, reads_redirections) {
  const auto moved = cluster::parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->to.text(), "127.0.0.1:6381");

  const auto ask = cluster::parse_redirect("ASK 12 ::1:7000");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->to.host, "::1");
  EXPECT_EQ(ask->to.port, 7000);

  EXPECT_FALSE(cluster::parse_redirect("ERR unknown command"));
  EXPECT_FALSE(cluster::parse_redirect("MOVED 16384 h:1"));
  EXPECT_FALSE(cluster::parse_redirect("MOVED 1 h:port"));
  EXPECT_FALSE(cluster::parse_redirect("MOVED 1"));
}
