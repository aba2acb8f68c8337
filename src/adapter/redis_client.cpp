#include "adapter/redis_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace sio::adapter {

std::shared_ptr<RedisClient> RedisClient::create(boost::asio::io_context& ctx,
                                                 const std::string& url) {
  return std::make_shared<RedisClient>(ctx, Options{parse_redis_url(url)});
}

RedisClient::RedisClient(boost::asio::io_context& ctx, Options options)
    : ctx_(ctx), options_(options) {
  RedisConnection::Options connection;
  connection.url = options.url;
  connection.max_queued_bytes = options.max_queued_bytes;
  connection.health_check_interval = options.health_check_interval;
  connection.name = "publisher";
  publisher_ = RedisConnection::create(ctx, connection);
  connection.name = "subscriber";
  subscriber_ = RedisConnection::create(ctx, connection);
  subscriber_->on_push([this](RedisReply& push) { on_push(push); });
  subscriber_->on_message([this](const PushedMessage& message) { on_message(message); });
  subscriber_->on_ready([this] { resubscribe(); });
  publisher_->start();
  subscriber_->start();
}

RedisClient::~RedisClient() {
  close();
}

void RedisClient::close() {
  publisher_->close();
  subscriber_->close();
  channels_.clear();
  patterns_.clear();
  subscribed_waiters_.clear();
}

bool RedisClient::connected() const {
  return publisher_->ready() && subscriber_->ready();
}

RedisClientStats RedisClient::stats() const {
  auto out = stats_;
  out.reconnects = publisher_->reconnects() + subscriber_->reconnects();
  return out;
}

// --- publishing ----------------------------------------------------------------------------

void RedisClient::publish(std::string_view channel, std::string_view payload) {
  const bool queued = publisher_->send(
      {"PUBLISH", channel, payload}, [this](const RedisReply& reply) { on_publish_result(reply); });
  if (!queued) {
    ++stats_.publish_dropped;
    publish_failed("outgoing queue full");
  }
}

void RedisClient::on_publish_result(const RedisReply& reply) {
  if (reply.is_error()) return publish_failed(reply.str);
  ++stats_.published;
  if (failing_) {
    failing_ = false;
    spdlog::info("redis: publishing again ({} publish(es) lost meanwhile)",
                 stats_.publish_failures - failures_logged_at_ + 1);
  }
}

void RedisClient::publish_failed(std::string_view reason) {
  ++stats_.publish_failures;
  // One line per outage, not one per message.
  if (failing_) return;
  failing_ = true;
  failures_logged_at_ = stats_.publish_failures;
  spdlog::warn("redis: publish failed ({}); other servers miss messages until Redis is back",
               reason);
}

void RedisClient::numsub(const std::string& channel,
                         std::function<void(std::optional<std::size_t>)> handler) {
  // A command waiting for the link would leave the caller hanging for as long as Redis is away.
  auto answer_later = [this, &handler] {
    boost::asio::post(ctx_, [handler = std::move(handler)] { handler(std::nullopt); });
  };
  if (!publisher_->ready()) return answer_later();
  auto on_reply = [handler](const RedisReply& reply) {
    if (reply.type == RedisReply::Type::array && reply.elements.size() == 2 &&
        reply.elements[1].type == RedisReply::Type::integer && reply.elements[1].integer >= 0) {
      return handler(static_cast<std::size_t>(reply.elements[1].integer));
    }
    handler(std::nullopt);
  };
  if (!publisher_->send({"PUBSUB", "NUMSUB", channel}, on_reply)) answer_later();
}

// --- subscribing ---------------------------------------------------------------------------

RedisClient::SubscriptionId RedisClient::subscribe(const std::string& channel,
                                                   MessageHandler handler) {
  return add(channels_, "SUBSCRIBE", channel, std::move(handler));
}

RedisClient::SubscriptionId RedisClient::psubscribe(const std::string& pattern,
                                                    MessageHandler handler) {
  return add(patterns_, "PSUBSCRIBE", pattern, std::move(handler));
}

RedisClient::SubscriptionId RedisClient::add(Topics& topics, const char* command,
                                             const std::string& name, MessageHandler handler) {
  const auto id = next_id_++;
  auto [it, created] = topics.try_emplace(name);
  it->second.handlers.add(id, std::move(handler));
  // Not ready: resubscribe() sends it once the link is up.
  if (created && subscriber_->ready()) subscriber_->send_subscription({command, name});
  return id;
}

void RedisClient::unsubscribe(SubscriptionId id) {
  for (auto* topics : {&channels_, &patterns_}) {
    for (auto& [name, topic] : *topics) {
      if (topic.handlers.unsubscribe(id)) sweep_needed_ = true;
    }
  }
  if (dispatching_ == 0) sweep();
}

// Drops unsubscribed handlers, and the Redis subscriptions nobody needs any more. Deferred while
// a message is being dispatched, so that a handler may unsubscribe.
void RedisClient::sweep() {
  if (!sweep_needed_) return;
  sweep_needed_ = false;
  for (auto [topics, command] :
       {std::pair{&channels_, "UNSUBSCRIBE"}, std::pair{&patterns_, "PUNSUBSCRIBE"}}) {
    for (auto it = topics->begin(); it != topics->end();) {
      if (!it->second.handlers.drop_unsubscribed()) {
        ++it;
        continue;
      }
      if (subscriber_->ready()) subscriber_->send_subscription({command, it->first});
      it = topics->erase(it);
    }
  }
  notify_if_subscribed();
}

void RedisClient::resubscribe() {
  for (auto* topics : {&channels_, &patterns_}) {
    for (auto& [name, topic] : *topics) topic.confirmed = false;
  }
  // Patterns first: once a channel shows in PUBSUB NUMSUB, the patterns are in place too.
  for (auto& [name, topic] : patterns_) subscriber_->send_subscription({"PSUBSCRIBE", name});
  for (auto& [name, topic] : channels_) subscriber_->send_subscription({"SUBSCRIBE", name});
}

void RedisClient::on_message(const PushedMessage& message) {
  ++stats_.messages_received;
  if (message.kind == "pmessage") {
    return dispatch(patterns_, message.pattern, message.channel, message.payload);
  }
  dispatch(channels_, message.channel, message.channel, message.payload);
}

void RedisClient::on_push(RedisReply& push) {
  auto& items = push.elements;
  if (items.size() < 3) return;
  const auto& kind = items[0].str;
  if (kind == "subscribe") return confirm(channels_, items[1].str);
  if (kind == "psubscribe") return confirm(patterns_, items[1].str);
}

void RedisClient::dispatch(Topics& topics, std::string_view name, std::string_view channel,
                           std::string_view payload) {
  auto it = topics.find(name);
  if (it == topics.end()) return;
  // Nothing is swept while dispatching, so the topic stays put.
  ++dispatching_;
  it->second.handlers.deliver(channel, payload, "redis");
  if (--dispatching_ == 0) sweep();
}

void RedisClient::confirm(Topics& topics, const std::string& name) {
  auto it = topics.find(name);
  if (it == topics.end()) return;
  it->second.confirmed = true;
  notify_if_subscribed();
}

void RedisClient::when_subscribed(std::function<void()> handler) {
  subscribed_waiters_.push_back(std::move(handler));
  boost::asio::post(ctx_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->notify_if_subscribed();
  });
}

void RedisClient::notify_if_subscribed() {
  if (subscribed_waiters_.empty() || !subscriber_->ready()) return;
  for (auto* topics : {&channels_, &patterns_}) {
    for (auto& [name, topic] : *topics) {
      if (!topic.confirmed) return;
    }
  }
  auto waiters = std::move(subscribed_waiters_);
  subscribed_waiters_.clear();
  for (auto& waiter : waiters) waiter();
}

}  // namespace sio::adapter
