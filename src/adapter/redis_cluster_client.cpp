#include "adapter/redis_cluster_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

namespace sio::adapter {

namespace {

// As node-redis: a command follows at most this many redirections.
constexpr int kMaxRedirections = 16;
constexpr std::chrono::milliseconds kSoon{100};

std::optional<std::size_t> count_of(const RedisReply& reply) {
  if (reply.type == RedisReply::Type::array && reply.elements.size() == 2 &&
      reply.elements[1].type == RedisReply::Type::integer && reply.elements[1].integer >= 0) {
    return static_cast<std::size_t>(reply.elements[1].integer);
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<RedisClusterClient> RedisClusterClient::create(boost::asio::io_context& ctx,
                                                               const std::string& url) {
  return std::make_shared<RedisClusterClient>(ctx, Options{parse_redis_url(url)});
}

RedisClusterClient::RedisClusterClient(boost::asio::io_context& ctx, Options options)
    : ctx_(ctx),
      options_(std::move(options)),
      owners_(cluster::kSlotCount),
      soon_timer_(ctx),
      periodic_timer_(ctx) {
  seed_ = node({options_.url.host, options_.url.port}).address.text();
  refresh();
  schedule_periodic_refresh();
}

RedisClusterClient::~RedisClusterClient() {
  close();
}

void RedisClusterClient::close() {
  if (closed_) return;
  closed_ = true;
  soon_timer_.cancel();
  periodic_timer_.cancel();
  auto nodes = std::move(nodes_);
  nodes_.clear();
  for (auto& [key, node] : nodes) {
    node.commands->close();
    if (node.subscriber) node.subscriber->close();
  }
  channels_.clear();
  subscribed_waiters_.clear();
}

bool RedisClusterClient::connected() const {
  if (!slot_map_known_) return false;
  for (const auto& [key, node] : nodes_) {
    // The seed stays known even when it serves nothing any more (a master that failed over).
    if (!masters_.contains(key)) continue;
    if (!node.commands->ready() || (node.subscriber && !node.subscriber->ready())) return false;
  }
  return true;
}

RedisClientStats RedisClusterClient::stats() const {
  auto out = stats_;
  out.reconnects = 0;
  for (const auto& [key, node] : nodes_) {
    out.reconnects += node.commands->reconnects();
    if (node.subscriber) out.reconnects += node.subscriber->reconnects();
  }
  return out;
}

RedisClusterStats RedisClusterClient::cluster_stats() const {
  auto out = cluster_stats_;
  out.masters = masters_.size();
  return out;
}

RedisClusterClient::Node& RedisClusterClient::node(const cluster::NodeAddress& address) {
  const auto key = address.text();
  if (auto it = nodes_.find(key); it != nodes_.end()) return it->second;
  RedisConnection::Options connection;
  connection.url = options_.url;  // credentials and TLS as the URL says, for every node
  connection.url.host = address.host;
  connection.url.port = address.port;
  connection.max_queued_bytes = options_.max_queued_bytes;
  connection.health_check_interval = options_.health_check_interval;
  connection.name = "cluster node";
  auto& node = nodes_[key];
  node.address = address;
  node.commands = RedisConnection::create(ctx_, connection);
  node.commands->on_lost([this] { refresh_soon(); });
  node.commands->start();
  return node;
}

std::shared_ptr<RedisConnection> RedisClusterClient::subscriber_of(Node& node) {
  if (node.subscriber) return node.subscriber;
  RedisConnection::Options connection;
  connection.url = options_.url;
  connection.url.host = node.address.host;
  connection.url.port = node.address.port;
  connection.max_queued_bytes = options_.max_queued_bytes;
  connection.health_check_interval = options_.health_check_interval;
  connection.name = "cluster subscriber";
  node.subscriber = RedisConnection::create(ctx_, connection);
  const auto key = node.address.text();
  node.subscriber->on_push([this, key](RedisReply& push) { on_push(key, push); });
  node.subscriber->on_message([this](const PushedMessage& message) {
    if (message.kind != "smessage") return;
    ++stats_.messages_received;
    dispatch(message.channel, message.payload);
  });
  node.subscriber->on_ready([this, key] { on_subscriber_ready(key); });
  node.subscriber->on_lost([this] { refresh_soon(); });
  node.subscriber->start();
  return node.subscriber;
}

const std::string& RedisClusterClient::owner_of(std::uint16_t slot) const {
  const auto& owner = owners_[slot];
  return owner.empty() ? seed_ : owner;
}

// --- publishing ----------------------------------------------------------------------------

void RedisClusterClient::spublish(std::string_view channel, std::string_view payload) {
  if (closed_) return;
  send_publish(std::string(channel), std::string(payload), owner_of(cluster::key_slot(channel)),
               false, 0);
}

void RedisClusterClient::send_publish(std::string channel, std::string payload,
                                      std::string node_key, bool asking, int attempts) {
  auto it = nodes_.find(node_key);
  if (it == nodes_.end()) {
    node_key = owner_of(cluster::key_slot(channel));
    it = nodes_.find(node_key);
    if (it == nodes_.end()) return publish_failed("no node for the channel");
  }
  auto& commands = *it->second.commands;
  if (asking) commands.send({"ASKING"}, nullptr);
  const std::vector<std::string_view> argv{"SPUBLISH", channel, payload};
  auto on_reply = [this, alive = std::weak_ptr(alive_), channel, payload, node_key,
                   attempts](const RedisReply& reply) mutable {
    if (alive.expired()) return;
    on_publish_reply(reply, std::move(channel), std::move(payload), node_key, attempts);
  };
  if (!commands.send(argv, std::move(on_reply))) {
    ++stats_.publish_dropped;
    publish_failed("outgoing queue full");
  }
}

void RedisClusterClient::on_publish_reply(const RedisReply& reply, std::string channel,
                                          std::string payload, const std::string& node_key,
                                          int attempts) {
  if (!reply.is_error()) {
    ++stats_.published;
    if (failing_) {
      failing_ = false;
      spdlog::info("redis cluster: publishing again");
    }
    return;
  }
  if (closed_) return;
  if (attempts < kMaxRedirections) {
    if (auto redirect = cluster::parse_redirect(reply.str)) {
      ++cluster_stats_.redirects;
      if (redirect->to.host.empty())
        redirect->to.host =
            nodes_.contains(node_key) ? nodes_.at(node_key).address.host : options_.url.host;
      auto& target = node(redirect->to);
      if (!redirect->ask) {
        owners_[redirect->slot] = target.address.text();
        owners_redirected_ = true;
        refresh_soon();
      }
      return send_publish(std::move(channel), std::move(payload), target.address.text(),
                          redirect->ask, attempts + 1);
    }
    // A node that went away while the publish waited for it: the slot's new owner takes it.
    const auto& owner = owner_of(cluster::key_slot(channel));
    if (owner != node_key && reply.str.starts_with("connection")) {
      return send_publish(std::move(channel), std::move(payload), owner, false, attempts + 1);
    }
  }
  if (reply.str.starts_with("CLUSTERDOWN") || reply.str.starts_with("TRYAGAIN")) refresh_soon();
  publish_failed(reply.str);
}

void RedisClusterClient::publish_failed(std::string_view reason) {
  ++stats_.publish_failures;
  if (failing_) return;
  failing_ = true;
  spdlog::warn("redis cluster: publish failed ({}); other servers miss messages until it is back",
               reason);
}

void RedisClusterClient::shardnumsub(const std::string& channel,
                                     std::function<void(std::optional<std::size_t>)> handler) {
  auto answer_later = [this, &handler] {
    boost::asio::post(ctx_, [handler = std::move(handler)] { handler(std::nullopt); });
  };
  if (closed_ || !slot_map_known_) return answer_later();
  auto it = nodes_.find(owner_of(cluster::key_slot(channel)));
  if (it == nodes_.end() || !it->second.commands->ready()) return answer_later();
  auto on_reply = [handler](const RedisReply& reply) { handler(count_of(reply)); };
  if (!it->second.commands->send({"PUBSUB", "SHARDNUMSUB", channel}, on_reply)) answer_later();
}

// --- the slot map --------------------------------------------------------------------------

void RedisClusterClient::refresh_soon() {
  if (closed_ || soon_pending_) return;
  soon_pending_ = true;
  soon_timer_.expires_after(kSoon);
  soon_timer_.async_wait([this, alive = std::weak_ptr(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired()) return;
    soon_pending_ = false;
    refresh();
  });
}

void RedisClusterClient::schedule_periodic_refresh() {
  periodic_timer_.expires_after(options_.refresh_interval);
  periodic_timer_.async_wait([this, alive = std::weak_ptr(alive_)](boost::system::error_code ec) {
    if (ec || alive.expired() || closed_) return;
    refresh();
    schedule_periodic_refresh();
  });
}

void RedisClusterClient::refresh() {
  if (closed_) return;
  if (refreshing_) {
    refresh_wanted_ = true;
    return;
  }
  // Any node that answers now knows the map; the seed waits for its link otherwise.
  Node* asked = nullptr;
  for (auto& [key, node] : nodes_) {
    if (node.commands->ready()) {
      asked = &node;
      break;
    }
  }
  if (!asked) asked = &nodes_.at(seed_);
  refreshing_ = true;
  const auto host = asked->address.host;
  const bool sent = asked->commands->send(
      {"CLUSTER", "SLOTS"}, [this, alive = std::weak_ptr(alive_), host](const RedisReply& reply) {
        if (alive.expired() || closed_) return;
        refreshing_ = false;
        if (reply.is_error()) {
          if (reply.str.find("cluster support disabled") != std::string::npos) {
            // A single Redis: every slot is the seed's.
            apply_slot_map({{0, cluster::kSlotCount - 1, nodes_.at(seed_).address}});
          }
        } else if (auto ranges = cluster::parse_cluster_slots(reply, host); ranges) {
          apply_slot_map(*ranges);
        } else {
          spdlog::warn("redis cluster: unexpected CLUSTER SLOTS reply");
        }
        if (refresh_wanted_) {
          refresh_wanted_ = false;
          refresh_soon();
        }
      });
  if (!sent) refreshing_ = false;
}

void RedisClusterClient::apply_slot_map(const std::vector<cluster::SlotRange>& ranges) {
  if (ranges.empty()) return;  // a cluster still forming: keep what we know
  std::vector<std::tuple<std::uint16_t, std::uint16_t, std::string>> applied;
  applied.reserve(ranges.size());
  for (const auto& range : ranges) {
    applied.emplace_back(range.first, range.last, node(range.master).address.text());
  }
  if (!slot_map_known_ || owners_redirected_ || applied != applied_ranges_) {
    std::vector<std::string> owners(cluster::kSlotCount);
    masters_.clear();
    for (const auto& [first, last, key] : applied) {
      for (std::size_t slot = first; slot <= last; ++slot) owners[slot] = key;
      masters_.insert(key);
    }
    if (owners != owners_) {
      if (slot_map_known_) {
        ++cluster_stats_.slot_map_changes;
        spdlog::info("redis cluster: the slot map changed; moving subscriptions as needed");
      }
      owners_ = std::move(owners);
    }
    applied_ranges_ = std::move(applied);
    owners_redirected_ = false;
  }
  slot_map_known_ = true;
  place_subscriptions();
  // Nodes that serve no slot any more are dropped (not the seed: it stays to be asked). What
  // waited for them goes to the new owners (their replies say "connection closed").
  std::vector<Node> gone;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (masters_.contains(it->first) || it->first == seed_) {
      ++it;
      continue;
    }
    gone.push_back(std::move(it->second));
    it = nodes_.erase(it);
  }
  for (auto& node : gone) {
    node.commands->close();
    if (node.subscriber) node.subscriber->close();
  }
  notify_if_subscribed();
}

// --- subscribing ---------------------------------------------------------------------------

RedisClusterClient::SubscriptionId RedisClusterClient::ssubscribe(const std::string& name,
                                                                  MessageHandler handler) {
  const auto id = next_id_++;
  auto [it, created] = channels_.try_emplace(name);
  it->second.handlers.add(id, std::move(handler));
  if (created) {
    it->second.slot = cluster::key_slot(name);
    if (slot_map_known_) subscribe_at(owner_of(it->second.slot), name);
  }
  return id;
}

void RedisClusterClient::subscribe_at(const std::string& node_key, const std::string& name) {
  auto& channel = channels_.at(name);
  channel.node = node_key;
  channel.confirmed = false;
  auto subscriber = subscriber_of(nodes_.at(node_key));
  // Not ready: on_subscriber_ready() sends it once the link is up.
  if (subscriber->ready()) subscriber->send_subscription({"SSUBSCRIBE", name});
}

void RedisClusterClient::place_subscriptions() {
  for (auto& [name, channel] : channels_) {
    const auto& owner = owner_of(channel.slot);
    if (channel.node == owner) continue;
    if (!channel.node.empty()) {
      if (auto it = nodes_.find(channel.node);
          it != nodes_.end() && it->second.subscriber && it->second.subscriber->ready()) {
        it->second.subscriber->send_subscription({"SUNSUBSCRIBE", name});
      }
    }
    subscribe_at(owner, name);
  }
}

void RedisClusterClient::on_subscriber_ready(const std::string& node_key) {
  for (auto& [name, channel] : channels_) {
    if (channel.node != node_key) continue;
    channel.confirmed = false;
    nodes_.at(node_key).subscriber->send_subscription({"SSUBSCRIBE", name});
  }
}

void RedisClusterClient::on_push(const std::string& node_key, RedisReply& push) {
  if (push.is_error()) {
    // An SSUBSCRIBE sent to a node that does not serve the slot (any more).
    if (auto redirect = cluster::parse_redirect(push.str); redirect && !redirect->ask) {
      ++cluster_stats_.redirects;
      if (redirect->to.host.empty()) redirect->to.host = nodes_.at(node_key).address.host;
      owners_[redirect->slot] = node(redirect->to).address.text();
      owners_redirected_ = true;
      place_subscriptions();
    } else {
      spdlog::warn("redis cluster: a subscription was refused: {}", push.str);
    }
    return refresh_soon();
  }
  auto& items = push.elements;
  if (push.type != RedisReply::Type::array || items.size() < 3) return;
  const auto& kind = items[0].str;
  const auto& name = items[1].str;
  auto it = channels_.find(name);
  if (it == channels_.end() || it->second.node != node_key) return;
  if (kind == "ssubscribe") {
    it->second.confirmed = true;
    return notify_if_subscribed();
  }
  if (kind == "sunsubscribe") {
    // Not asked for: the node no longer serves the slot. Where it went, the map will say.
    it->second.node.clear();
    it->second.confirmed = false;
    refresh_soon();
  }
}

void RedisClusterClient::dispatch(std::string_view name, std::string_view payload) {
  auto it = channels_.find(name);
  if (it == channels_.end()) return;
  ++dispatching_;
  it->second.handlers.deliver(name, payload, "redis cluster");
  if (--dispatching_ == 0) sweep();
}

void RedisClusterClient::unsubscribe(SubscriptionId id) {
  for (auto& [name, channel] : channels_) {
    if (channel.handlers.unsubscribe(id)) sweep_needed_ = true;
  }
  if (dispatching_ == 0) sweep();
}

void RedisClusterClient::sweep() {
  if (!sweep_needed_) return;
  sweep_needed_ = false;
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (!it->second.handlers.drop_unsubscribed()) {
      ++it;
      continue;
    }
    if (auto node = nodes_.find(it->second.node);
        node != nodes_.end() && node->second.subscriber && node->second.subscriber->ready()) {
      node->second.subscriber->send_subscription({"SUNSUBSCRIBE", it->first});
    }
    it = channels_.erase(it);
  }
  notify_if_subscribed();
}

void RedisClusterClient::when_subscribed(std::function<void()> handler) {
  subscribed_waiters_.push_back(std::move(handler));
  boost::asio::post(ctx_, [this, alive = std::weak_ptr(alive_)] {
    if (!alive.expired()) notify_if_subscribed();
  });
}

void RedisClusterClient::notify_if_subscribed() {
  if (subscribed_waiters_.empty() || !slot_map_known_) return;
  for (const auto& [name, channel] : channels_) {
    if (!channel.confirmed) return;
  }
  auto waiters = std::move(subscribed_waiters_);
  subscribed_waiters_.clear();
  for (auto& waiter : waiters) waiter();
}

}  // namespace sio::adapter
