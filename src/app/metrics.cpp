#include "app/metrics.hpp"

#include <boost/asio/post.hpp>
#include <optional>
#include <sstream>

namespace sio::app {

namespace {

void metric(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

struct RedisState {
  bool connected = false;
  adapter::RedisClientStats stats;
};

std::string render(const socketio::ServerStats& server, std::size_t reactors, StoreWorker& store,
                   const Chat::Stats& chat, const std::optional<RedisState>& redis) {
  std::ostringstream out;
  const auto& engine = server.engine;
  const auto& sio = server.sio;

  metric(out, "sio_reactors", "gauge", "Reactor threads serving connections.");
  out << "sio_reactors " << reactors << '\n';
  metric(out, "sio_connections", "gauge", "Open Engine.IO sessions.");
  out << "sio_connections " << server.sessions << '\n';
  metric(out, "sio_connections_opened_total", "counter", "Engine.IO sessions opened.");
  out << "sio_connections_opened_total " << engine.sessions_opened << '\n';
  metric(out, "sio_tcp_connections", "gauge", "Open TCP connections (HTTP and WebSocket).");
  out << "sio_tcp_connections " << server.tcp_connections << '\n';
  metric(out, "sio_connections_refused_total", "counter",
         "TCP connections closed at accept time, by the limit they exceeded.");
  out << "sio_connections_refused_total{limit=\"max_connections\"} "
      << engine.connections_refused_max << '\n';
  out << "sio_connections_refused_total{limit=\"max_connections_per_ip\"} "
      << engine.connections_refused_per_ip << '\n';
  metric(out, "sio_handshakes_rate_limited_total", "counter",
         "Handshakes refused with 429 (handshake rate per IP).");
  out << "sio_handshakes_rate_limited_total " << engine.handshakes_rate_limited << '\n';
  metric(out, "sio_requests_moved_total", "counter",
         "Requests that reached a reactor other than their session's and were moved to it.");
  out << "sio_requests_moved_total " << engine.requests_moved << '\n';
  metric(out, "sio_online_users", "gauge", "Users with at least one socket on this server.");
  out << "sio_online_users " << chat.online_users << '\n';
  metric(out, "sio_namespaces", "gauge", "Namespaces.");
  out << "sio_namespaces " << server.namespaces.size() << '\n';
  metric(out, "sio_sockets", "gauge", "Connected sockets per namespace.");
  for (const auto& [name, counts] : server.namespaces) {
    out << "sio_sockets{namespace=\"" << name << "\"} " << counts.sockets << '\n';
  }
  metric(out, "sio_rooms", "gauge", "Rooms with local members per namespace.");
  for (const auto& [name, counts] : server.namespaces) {
    out << "sio_rooms{namespace=\"" << name << "\"} " << counts.rooms << '\n';
  }

  metric(out, "sio_packets_total", "counter", "Engine.IO packets by direction.");
  out << "sio_packets_total{direction=\"in\"} " << engine.packets_in << '\n';
  out << "sio_packets_total{direction=\"out\"} " << engine.packets_out << '\n';
  metric(out, "sio_bytes_total", "counter", "Engine.IO payload bytes by direction.");
  out << "sio_bytes_total{direction=\"in\"} " << engine.bytes_in << '\n';
  out << "sio_bytes_total{direction=\"out\"} " << engine.bytes_out << '\n';
  metric(out, "sio_broadcasts_total", "counter", "Broadcasts emitted.");
  out << "sio_broadcasts_total " << sio.broadcasts << '\n';
  metric(out, "sio_broadcast_deliveries_total", "counter", "Sockets reached by broadcasts (fan-out).");
  out << "sio_broadcast_deliveries_total " << sio.broadcast_deliveries << '\n';
  metric(out, "sio_volatile_dropped_total", "counter", "Volatile packets dropped.");
  out << "sio_volatile_dropped_total " << sio.volatile_dropped << '\n';
  metric(out, "sio_recovered_sockets_total", "counter",
         "Sockets restored by connection state recovery (same id, rooms, missed packets).");
  out << "sio_recovered_sockets_total " << sio.recovered_sockets << '\n';
  metric(out, "sio_slow_consumer_disconnects_total", "counter",
         "Sessions closed because their send queue was full.");
  out << "sio_slow_consumer_disconnects_total " << engine.slow_consumer_disconnects << '\n';
  metric(out, "sio_rate_limited_events_total", "counter",
         "Events refused by the per-socket event rate limit (answered \"Rate limited\").");
  out << "sio_rate_limited_events_total " << sio.rate_limited_events << '\n';
  metric(out, "sio_rate_limited_disconnects_total", "counter",
         "Sockets disconnected for exceeding the event rate limit for too long.");
  out << "sio_rate_limited_disconnects_total " << sio.rate_limited_disconnects << '\n';
  metric(out, "sio_parse_errors_total", "counter", "Clients closed for malformed packets.");
  out << "sio_parse_errors_total " << sio.parse_errors << '\n';

  metric(out, "sio_messages_stored_total", "counter", "Chat messages stored and broadcast.");
  out << "sio_messages_stored_total " << chat.messages_stored << '\n';
  metric(out, "sio_store_queue_depth", "gauge", "Store calls waiting for the worker.");
  out << "sio_store_queue_depth " << store.queued() << '\n';
  metric(out, "sio_store_failures_total", "counter", "Store calls that failed.");
  out << "sio_store_failures_total " << store.failures() << '\n';
  metric(out, "sio_store_timeouts_total", "counter",
         "Store calls that failed because the database did not answer by their deadline.");
  out << "sio_store_timeouts_total " << store.timeouts() << '\n';

  const auto& latency = store.latency();
  metric(out, "sio_store_batch_seconds", "histogram", "Duration of store transactions (group commits).");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < std::size(StoreLatency::kBoundsMs); ++i) {
    cumulative += latency.buckets[i].load();
    out << "sio_store_batch_seconds_bucket{le=\"" << StoreLatency::kBoundsMs[i] / 1000.0 << "\"} "
        << cumulative << '\n';
  }
  cumulative += latency.buckets[std::size(StoreLatency::kBoundsMs)].load();
  out << "sio_store_batch_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n';
  out << "sio_store_batch_seconds_sum " << latency.sum_us.load() / 1e6 << '\n';
  out << "sio_store_batch_seconds_count " << latency.count.load() << '\n';

  if (redis) {
    const auto& stats = redis->stats;
    metric(out, "sio_redis_connected", "gauge", "1 while both Redis connections are up.");
    out << "sio_redis_connected " << (redis->connected ? 1 : 0) << '\n';
    metric(out, "sio_redis_published_total", "counter", "Messages published to Redis.");
    out << "sio_redis_published_total " << stats.published << '\n';
    metric(out, "sio_redis_publish_failures_total", "counter",
           "Publishes lost (Redis unreachable, refused, or queue full).");
    out << "sio_redis_publish_failures_total " << stats.publish_failures << '\n';
    metric(out, "sio_redis_messages_received_total", "counter", "Messages received from Redis.");
    out << "sio_redis_messages_received_total " << stats.messages_received << '\n';
    metric(out, "sio_redis_reconnects_total", "counter", "Reconnections to Redis.");
    out << "sio_redis_reconnects_total " << stats.reconnects << '\n';
  }
  return out.str();
}

}  // namespace

void collect_metrics(socketio::Server& io, StoreWorker& store, Chat& chat,
                     std::shared_ptr<adapter::RedisLink> redis,
                     std::function<void(std::string)> done) {
  io.collect_stats([&io, &store, &chat, redis = std::move(redis),
                    done = std::move(done)](socketio::ServerStats server) mutable {
    chat.collect_stats([&io, &store, redis = std::move(redis), done = std::move(done),
                        server = std::move(server)](Chat::Stats chat_stats) mutable {
      const auto reactors = io.reactors().size();
      if (!redis) return done(render(server, reactors, store, chat_stats, std::nullopt));
      // The client's counters are read where it lives, and the page is made back here.
      boost::asio::post(redis->context(), [redis, here = io.executor(), reactors, &store,
                                           done = std::move(done), server = std::move(server),
                                           chat_stats]() mutable {
        RedisState state{redis->connected(), redis->stats()};
        boost::asio::post(here, [&store, done = std::move(done), server = std::move(server),
                                 chat_stats, state, reactors] {
          done(render(server, reactors, store, chat_stats, state));
        });
      });
    });
  });
}

}  // namespace sio::app
