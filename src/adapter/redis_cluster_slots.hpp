#pragma once
// What a client of a Redis Cluster must know to reach the right node: the slot of a key or
// sharded channel, the slot map (CLUSTER SLOTS) and the redirections (-MOVED, -ASK) a node
// answers with when it does not serve a slot.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/redis_resp.hpp"

namespace sio::adapter::cluster {

constexpr std::size_t kSlotCount = 16384;

// CRC16-XMODEM of the key (or of its {hash tag}) modulo 16384, as Redis computes it.
std::uint16_t key_slot(std::string_view key);

// "host:port" of a node.
struct NodeAddress {
  std::string host;
  unsigned short port = 0;
  std::string text() const { return host + ":" + std::to_string(port); }
  bool operator==(const NodeAddress&) const = default;
};

struct SlotRange {
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  NodeAddress master;
};

// The ranges of a CLUSTER SLOTS reply; nullopt when the reply is not one. A node whose address
// is unknown to the cluster (an empty or "?" host) is at `asked`'s host.
std::optional<std::vector<SlotRange>> parse_cluster_slots(const RedisReply& reply,
                                                          const std::string& asked_host);

struct Redirect {
  bool ask = false;  // -ASK: this command only; -MOVED: the slot has a new owner
  std::uint16_t slot = 0;
  NodeAddress to;
};

// The redirection an error reply names, if it is one ("MOVED 3999 127.0.0.1:6381").
std::optional<Redirect> parse_redirect(std::string_view error);

}  // namespace sio::adapter::cluster
