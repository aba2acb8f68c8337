#pragma once
// The link of one Socket.IO server to a Redis Cluster for sharded Pub/Sub (SPUBLISH,
// SSUBSCRIBE, PUBSUB SHARDNUMSUB), shared by the adapters of all its namespaces. Also works with
// a single Redis (≥ 7) that is not a cluster: every slot is then that server's.
//
// The URL names any node. The client learns the slot map (CLUSTER SLOTS), keeps a command
// connection and a subscriber connection per master it needs, sends each publish to the master
// of its channel's slot and subscribes each channel there. A node that answers -MOVED or -ASK is
// followed; a node that drops a subscription (the slot moved away, a failover) or a connection
// that breaks makes the client read the slot map again and move what it must. The map is also
// read every `refresh_interval`, so a master that died without a word is replaced once the
// cluster has promoted one of its replicas.
//
// Publishes to one channel keep their order while the slot stays put. Messages published to a
// channel while its subscription moves are lost, as with every Pub/Sub client.
//
// Single-threaded: every member runs on the io_context the client was made with.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "adapter/redis_client.hpp"
#include "adapter/redis_cluster_slots.hpp"
#include "adapter/redis_connection.hpp"
#include "adapter/redis_handlers.hpp"
#include "adapter/redis_url.hpp"
#include "adapter/string_map.hpp"

namespace sio::adapter {

struct RedisClusterStats {
  std::uint64_t redirects = 0;         // -MOVED / -ASK followed
  std::uint64_t slot_map_changes = 0;  // reads of the slot map that changed an owner
  std::size_t masters = 0;             // masters serving slots
};

class RedisClusterClient : public RedisLink,
                           public std::enable_shared_from_this<RedisClusterClient> {
 public:
  using MessageHandler = RedisHandlers::Handler;
  using SubscriptionId = RedisHandlers::Id;

  struct Options {
    RedisUrl url;
    std::size_t max_queued_bytes = 16 * 1024 * 1024;
    std::chrono::milliseconds health_check_interval{5000};
    std::chrono::milliseconds refresh_interval{1000};
  };

  // Connects at once (asynchronously); throws std::invalid_argument for a bad URL.
  static std::shared_ptr<RedisClusterClient> create(boost::asio::io_context& ctx,
                                                    const std::string& url);
  RedisClusterClient(boost::asio::io_context& ctx, Options options);
  ~RedisClusterClient();
  RedisClusterClient(const RedisClusterClient&) = delete;
  RedisClusterClient& operator=(const RedisClusterClient&) = delete;

  void spublish(std::string_view channel, std::string_view payload);
  // The subscribers of `channel` on the master of its slot (what Node's sharded adapter counts
  // servers with); nullopt when the cluster cannot tell right now. Always answers later.
  void shardnumsub(const std::string& channel,
                   std::function<void(std::optional<std::size_t>)> handler);

  SubscriptionId ssubscribe(const std::string& channel, MessageHandler handler);
  void unsubscribe(SubscriptionId id);
  // Runs `handler` (later) once every subscription made so far is confirmed by its master.
  void when_subscribed(std::function<void()> handler);

  boost::asio::io_context& context() const override { return ctx_; }
  // The slot map is known and every master needed is reachable.
  bool connected() const override;
  RedisClientStats stats() const override;
  RedisClusterStats cluster_stats() const;
  // Drops every connection for good; called by the destructor too.
  void close() override;

 private:
  struct Node {
    cluster::NodeAddress address;
    std::shared_ptr<RedisConnection> commands;
    std::shared_ptr<RedisConnection> subscriber;  // made on first need
  };
  struct Channel {
    RedisHandlers handlers;
    std::uint16_t slot = 0;
    std::string node;  // the node it is subscribed at ("" when none)
    bool confirmed = false;
  };

  Node& node(const cluster::NodeAddress& address);
  std::shared_ptr<RedisConnection> subscriber_of(Node& node);
  const std::string& owner_of(std::uint16_t slot) const;
  void send_publish(std::string channel, std::string payload, std::string node_key, bool asking,
                    int attempts);
  void on_publish_reply(const RedisReply& reply, std::string channel, std::string payload,
                        const std::string& node_key, int attempts);
  void publish_failed(std::string_view reason);

  void refresh_soon();
  void refresh();
  void schedule_periodic_refresh();
  void apply_slot_map(const std::vector<cluster::SlotRange>& ranges);
  void place_subscriptions();
  void subscribe_at(const std::string& node_key, const std::string& channel);
  void on_subscriber_ready(const std::string& node_key);
  void on_push(const std::string& node_key, RedisReply& push);
  void dispatch(std::string_view channel, std::string_view payload);
  void sweep();
  void notify_if_subscribed();

  boost::asio::io_context& ctx_;
  Options options_;
  std::string seed_;  // the node the URL names
  std::map<std::string, Node> nodes_;
  // The owner of each slot ("" until known; with a single Redis, all the seed's).
  std::vector<std::string> owners_;
  // The nodes that serve slots in the last map read (derived from it once per read).
  std::set<std::string> masters_;
  // The map as last applied, range by range: a read that says the same (as nearly every periodic
  // one does), with no slot moved by a redirect since, leaves owners_ as it is instead of
  // rewriting all 16384.
  std::vector<std::tuple<std::uint16_t, std::uint16_t, std::string>> applied_ranges_;
  bool owners_redirected_ = false;
  bool slot_map_known_ = false;
  bool refreshing_ = false;
  bool refresh_wanted_ = false;
  boost::asio::steady_timer soon_timer_;
  bool soon_pending_ = false;
  boost::asio::steady_timer periodic_timer_;
  StringMap<Channel> channels_;
  SubscriptionId next_id_ = 1;
  int dispatching_ = 0;
  bool sweep_needed_ = false;
  std::vector<std::function<void()>> subscribed_waiters_;
  RedisClientStats stats_;
  RedisClusterStats cluster_stats_;
  bool failing_ = false;
  bool closed_ = false;
  // Deferred work (timers, replies) holds this weakly: the client may be gone by then.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sio::adapter
