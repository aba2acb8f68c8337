// The ClusterAdapter messages as the sharded Redis adapter puts them on the wire.

#include "adapter/cluster_messages.hpp"

#include <gtest/gtest.h>

namespace clustered = sio::adapter::clustered;
using sio::adapter::BroadcastOptions;
using sio::adapter::json;

TEST(ClusterMessages, options_carry_only_the_flags_set) {
  BroadcastOptions options;
  options.rooms = {"room1"};
  EXPECT_EQ(clustered::options_to_json(options).dump(),
            R"({"rooms":["room1"],"except":[],"flags":{}})");
  options.flags.is_volatile = true;
  options.flags.timeout = std::chrono::milliseconds(1000);
  EXPECT_EQ(clustered::options_to_json(options).dump(),
            R"({"rooms":["room1"],"except":[],"flags":{"volatile":true,"timeout":1000}})");
  const auto back = clustered::options_from_json(clustered::options_to_json(options));
  EXPECT_EQ(back.rooms, options.rooms);
  EXPECT_TRUE(back.flags.is_volatile);
  EXPECT_EQ(back.flags.timeout, std::chrono::milliseconds(1000));
}

TEST(ClusterMessages, a_message_without_binaries_is_json_as_node_writes_it) {
  // The bytes Node's sharded adapter published for io.to("room1").emit("ev", "world", 1).
  const json message = {
      {"type", 3},
      {"data",
       {{"packet", {{"type", 2}, {"data", {"ev", "world", 1}}}},
        {"opts", {{"rooms", {"room1"}}, {"except", json::array()}, {"flags", json::object()}}}}},
      {"uid", "5c1a8704481dc719"},
      {"nsp", "/"}};
  EXPECT_EQ(clustered::encode(message),
            R"({"type":3,"data":{"packet":{"type":2,"data":["ev","world",1]},"opts":{"rooms":)"
            R"(["room1"],"except":[],"flags":{}}},"uid":"5c1a8704481dc719","nsp":"/"})");
  EXPECT_EQ(clustered::decode(clustered::encode(message)), message);
}

TEST(ClusterMessages, a_message_with_binaries_is_msgpack) {
  const json message = {
      {"type", 3},
      {"data", {{"packet", {{"type", 2}, {"data", {"ev", json::binary({1, 2, 3})}}}}}},
      {"uid", "5c1a8704481dc719"},
      {"nsp", "/"}};
  const auto bytes = clustered::encode(message);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x84);  // a map of 4
  const auto decoded = clustered::decode(bytes);
  EXPECT_EQ(decoded["data"]["packet"]["data"][1], json::binary({1, 2, 3}));
}

TEST(ClusterMessages, what_is_not_a_message_is_discarded) {
  EXPECT_TRUE(clustered::decode("").is_discarded());
  EXPECT_TRUE(clustered::decode("{not json").is_discarded());
  EXPECT_TRUE(clustered::decode(R"({"type":99,"uid":"x"})").is_discarded());
  EXPECT_TRUE(clustered::decode(R"({"uid":"x"})").is_discarded());
  EXPECT_TRUE(clustered::decode("[1,2]").is_discarded());
  EXPECT_TRUE(clustered::decode("\xc1").is_discarded());
  EXPECT_EQ(clustered::type_of(clustered::decode(R"({"type":7,"uid":"x","nsp":"/"})")),
            clustered::MessageType::fetch_sockets);
}
