#pragma once
// The link of one Socket.IO server to Redis, shared by the adapters of all its namespaces: a
// publisher connection (PUBLISH, PUBSUB NUMSUB) and a subscriber connection on which each
// adapter registers the channels and patterns it listens to. After a loss, both reconnect by
// themselves and the subscriber renews every subscription.
//
// While Redis is unreachable, publishes wait in a bounded queue; beyond it they are dropped.
// Either way they are counted, so /metrics can tell how the link is doing.
//
// Single-threaded: every member runs on the io_context the client was made with (its "home": a
// process keeps one client, on one reactor, whatever the number of reactors).

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/redis_connection.hpp"
#include "adapter/redis_handlers.hpp"
#include "adapter/redis_link.hpp"
#include "adapter/redis_url.hpp"
#include "adapter/string_map.hpp"

namespace sio::adapter {

// Always owned by a shared_ptr (create() or std::make_shared): deferred work holds it weakly.
class RedisClient : public RedisLink, public std::enable_shared_from_this<RedisClient> {
 public:
  using MessageHandler = RedisHandlers::Handler;
  using SubscriptionId = RedisHandlers::Id;

  struct Options {
    RedisUrl url;
    // Bytes of publishes that may wait for the link (per connection).
    std::size_t max_queued_bytes = 16 * 1024 * 1024;
    // How often each connection checks that Redis still answers.
    std::chrono::milliseconds health_check_interval{5000};
  };

  // Connects at once (asynchronously); throws std::invalid_argument for a bad URL.
  static std::shared_ptr<RedisClient> create(boost::asio::io_context& ctx, const std::string& url);
  RedisClient(boost::asio::io_context& ctx, Options options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  void publish(std::string_view channel, std::string_view payload);
  // The number of subscribers of `channel` across the Redis server; nullopt when Redis cannot
  // tell right now. Always answers later, never from within the call.
  void numsub(const std::string& channel, std::function<void(std::optional<std::size_t>)> handler);

  // Any other command, on the publisher connection (waiting for the link while it is down);
  // false when its queue is full (then `handler` is never called).
  bool command(const std::vector<std::string_view>& argv, RedisConnection::ReplyHandler handler) {
    return publisher_->send(argv, std::move(handler));
  }
  // command(), grouped with its neighbours in one transaction (RedisConnection::send_batched).
  bool command_batched(const std::vector<std::string_view>& argv,
                       RedisConnection::ReplyHandler handler) {
    return publisher_->send_batched(argv, std::move(handler));
  }

  SubscriptionId subscribe(const std::string& channel, MessageHandler handler);
  SubscriptionId psubscribe(const std::string& pattern, MessageHandler handler);
  void unsubscribe(SubscriptionId id);
  // Runs `handler` (later) once Redis has confirmed every subscription made so far.
  void when_subscribed(std::function<void()> handler);

  const Options& options() const { return options_; }
  // The io_context the client runs on.
  boost::asio::io_context& context() const override { return ctx_; }
  // Both connections are up.
  bool connected() const override;
  RedisClientStats stats() const override;
  // Drops both connections for good; called by the destructor too.
  void close() override;

 private:
  struct Topic {
    RedisHandlers handlers;
    bool confirmed = false;
  };
  using Topics = StringMap<Topic>;

  SubscriptionId add(Topics& topics, const char* command, const std::string& name,
                     MessageHandler handler);
  void on_push(RedisReply& push);
  void on_message(const PushedMessage& message);
  void dispatch(Topics& topics, std::string_view name, std::string_view channel,
                std::string_view payload);
  void confirm(Topics& topics, const std::string& name);
  void resubscribe();
  void sweep();
  void notify_if_subscribed();
  void on_publish_result(const RedisReply& reply);
  void publish_failed(std::string_view reason);

  boost::asio::io_context& ctx_;
  Options options_;
  std::shared_ptr<RedisConnection> publisher_;
  std::shared_ptr<RedisConnection> subscriber_;
  Topics channels_;
  Topics patterns_;
  SubscriptionId next_id_ = 1;
  int dispatching_ = 0;
  bool sweep_needed_ = false;
  std::vector<std::function<void()>> subscribed_waiters_;
  RedisClientStats stats_;
  bool failing_ = false;  // publishes are failing; logged once until one succeeds again
  std::uint64_t failures_logged_at_ = 0;
};

}  // namespace sio::adapter
