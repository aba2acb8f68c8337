#include "adapter/sharded_redis_adapter.hpp"

namespace sio::adapter {

namespace {

// A string's length in UTF-16 code units, as JavaScript's `length`.
std::size_t js_length(std::string_view text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xc0) != 0x80) ++units;  // a code point starts here
    if (c >= 0xf0) ++units;           // beyond the BMP: a surrogate pair
  }
  return units;
}

}  // namespace

std::optional<SubscriptionMode> parse_subscription_mode(std::string_view name) {
  if (name == "static") return SubscriptionMode::static_channels;
  if (name == "dynamic") return SubscriptionMode::dynamic;
  if (name == "dynamic-private") return SubscriptionMode::dynamic_private;
  return std::nullopt;
}

ShardedRedisAdapter::ShardedRedisAdapter(LocalNamespace& nsp,
                                         std::shared_ptr<RedisClusterClient> client,
                                         ShardedRedisAdapterOptions options)
    : ClusterAdapter(nsp, client->context()),
      client_(std::move(client)),
      options_(std::move(options)),
      channel_(options_.channel_prefix + "#" + nsp.name() + "#"),
      response_channel_(channel_ + uid() + "#") {
  // A namespace may be made on any reactor (a dynamic one, when a client first asks for it).
  on_home([this] { subscribe(); });
}

ShardedRedisAdapter::~ShardedRedisAdapter() {
  close();
}

void ShardedRedisAdapter::subscribe() {
  if (closed_) return;
  auto handler = [this](std::string_view, std::string_view payload) { on_payload(payload); };
  subscriptions_ = {client_->ssubscribe(channel_, handler),
                    client_->ssubscribe(response_channel_, handler)};
}

void ShardedRedisAdapter::close_transport() {
  for (auto id : subscriptions_) client_->unsubscribe(id);
  subscriptions_.clear();
  for (auto& [room, channel] : rooms_) client_->unsubscribe(channel.subscription);
  rooms_.clear();
}

void ShardedRedisAdapter::on_payload(std::string_view payload) {
  if (auto event = clustered::decode_broadcast_event(payload)) {
    return on_broadcast_event(std::move(*event));
  }
  const auto message = clustered::decode(payload);
  if (!message.is_discarded()) on_message(message);
}

// --- rooms ---------------------------------------------------------------------------------

bool ShardedRedisAdapter::has_own_channel(const Room& room, bool own) const {
  (void)room;
  switch (options_.subscription_mode) {
    case SubscriptionMode::dynamic:
      return !own;
    case SubscriptionMode::dynamic_private:
      return true;
    default:
      return false;
  }
}

void ShardedRedisAdapter::room_appeared(const Room& room, bool own) {
  if (!has_own_channel(room, own)) return;
  on_home([this, room] {
    if (closed_) return;
    auto& channel = rooms_[room];
    if (channel.reactors++ > 0) return;
    channel.subscription = client_->ssubscribe(
        channel_ + room + "#",
        [this](std::string_view, std::string_view payload) { on_payload(payload); });
  });
}

void ShardedRedisAdapter::room_vanished(const Room& room, bool own) {
  if (!has_own_channel(room, own)) return;
  on_home([this, room] {
    auto it = rooms_.find(room);
    if (closed_ || it == rooms_.end() || --it->second.reactors > 0) return;
    client_->unsubscribe(it->second.subscription);
    rooms_.erase(it);
  });
}

// --- the transport -------------------------------------------------------------------------

// Node's computeChannel: a broadcast without acks to exactly one room goes to the room's channel
// in the dynamic modes (in "dynamic", unless the room looks like a socket id).
std::string ShardedRedisAdapter::channel_of(const json& message) const {
  if (options_.subscription_mode == SubscriptionMode::static_channels ||
      clustered::type_of(message) != clustered::MessageType::broadcast) {
    return channel_;
  }
  const auto& data = message.at("data");
  if (data.contains("requestId")) return channel_;
  const auto& rooms = data.at("opts").at("rooms");
  if (rooms.size() != 1 || !rooms[0].is_string()) return channel_;
  const auto& room = rooms[0].get_ref<const std::string&>();
  if (options_.subscription_mode == SubscriptionMode::dynamic && js_length(room) == 20) {
    return channel_;
  }
  return channel_ + room + "#";
}

void ShardedRedisAdapter::publish(const json& message) {
  client_->spublish(channel_of(message), clustered::encode(message));
}

void ShardedRedisAdapter::publish_response(const std::string& requester_uid, const json& message) {
  client_->spublish(channel_ + requester_uid + "#", clustered::encode(message));
}

void ShardedRedisAdapter::count_servers(std::function<void(std::size_t)> handler) {
  client_->shardnumsub(channel_, [alive = std::weak_ptr(alive_), handler = std::move(handler)](
                                     std::optional<std::size_t> servers) {
    if (alive.expired()) return;
    // Without Redis this server is on its own.
    handler(std::max<std::size_t>(servers.value_or(1), 1));
  });
}

AdapterFactory make_sharded_redis_adapter_factory(std::shared_ptr<RedisClusterClient> client,
                                                  ShardedRedisAdapterOptions options) {
  return [client = std::move(client), options = std::move(options)](LocalNamespace& nsp) {
    return std::make_unique<ShardedRedisAdapter>(nsp, client, options);
  };
}

}  // namespace sio::adapter
