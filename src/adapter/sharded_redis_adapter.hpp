#pragma once
// The sharded Redis adapter: a namespace's adapter for a cluster of servers that share a Redis
// Cluster (or one Redis ≥ 7) through sharded Pub/Sub, wire-compatible with the sharded adapter
// of Node's @socket.io/redis-adapter 8.3 (createShardedAdapter). sio and Node servers with the
// same channel prefix and subscription mode serve one cluster together.
//
// Channels of namespace <nsp> (P = channel prefix, default "socket.io"):
//   P#<nsp>#          everything but responses and dynamic room broadcasts
//   P#<nsp>#<uid>#    responses to the adapter <uid>
//   P#<nsp>#<room>#   broadcasts to exactly that one room, without acks (dynamic modes)
// Messages are the ClusterAdapter's (cluster_adapter.hpp): JSON, or MessagePack when they carry
// binaries. Servers are counted with PUBSUB SHARDNUMSUB on P#<nsp>#.
//
// Subscription modes, as Node's (every server of a cluster must use the same):
//   static           the two channels only; every broadcast goes through P#<nsp>#
//   dynamic          (default) plus one channel per room with members here, sockets' own rooms
//                    excepted; a broadcast to one room goes to its channel, unless the room's
//                    name has 20 characters (Node takes it for a socket id)
//   dynamic_private  plus one channel per room, sockets' own rooms included
//
//   auto redis = sio::adapter::RedisClusterClient::create(ctx, "redis://node-1:6379");
//   io.set_adapter(sio::adapter::make_sharded_redis_adapter_factory(redis));

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapter/cluster_adapter.hpp"
#include "adapter/redis_cluster_client.hpp"

namespace sio::adapter {

enum class SubscriptionMode { static_channels, dynamic, dynamic_private };

// "static", "dynamic", "dynamic-private" (Node's names); nullopt for anything else.
std::optional<SubscriptionMode> parse_subscription_mode(std::string_view name);

struct ShardedRedisAdapterOptions {
  std::string channel_prefix = "socket.io";
  SubscriptionMode subscription_mode = SubscriptionMode::dynamic;
};

class ShardedRedisAdapter : public ClusterAdapter {
 public:
  ShardedRedisAdapter(LocalNamespace& nsp, std::shared_ptr<RedisClusterClient> client,
                      ShardedRedisAdapterOptions options);
  ~ShardedRedisAdapter() override;

  bool wants_room_events() const override {
    return options_.subscription_mode != SubscriptionMode::static_channels;
  }
  void room_appeared(const Room& room, bool own) override;
  void room_vanished(const Room& room, bool own) override;

  RedisClusterClient& client() { return *client_; }

 protected:
  void publish(const json& message) override;
  void publish_response(const std::string& requester_uid, const json& message) override;
  void count_servers(std::function<void(std::size_t)> handler) override;
  void close_transport() override;

 private:
  struct RoomChannel {
    std::size_t reactors = 0;  // reactors of this server where the room has members
    RedisClusterClient::SubscriptionId subscription = 0;
  };

  void subscribe();
  bool has_own_channel(const Room& room, bool own) const;
  std::string channel_of(const json& message) const;
  void on_payload(std::string_view payload);

  std::shared_ptr<RedisClusterClient> client_;
  ShardedRedisAdapterOptions options_;
  std::string channel_;           // P#<nsp>#
  std::string response_channel_;  // P#<nsp>#<uid>#
  std::vector<RedisClusterClient::SubscriptionId> subscriptions_;
  std::unordered_map<Room, RoomChannel> rooms_;
};

// For ServerOptions::adapter / Server::set_adapter: every namespace shares `client`.
AdapterFactory make_sharded_redis_adapter_factory(std::shared_ptr<RedisClusterClient> client,
                                                  ShardedRedisAdapterOptions options = {});

}  // namespace sio::adapter
