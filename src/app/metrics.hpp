#pragma once
// /metrics in Prometheus text format: connections (and those the limits refused), sockets and
// rooms per namespace, traffic, broadcasts and fan-out, dropped packets, slow consumers,
// messages, store latency.

#include <string>

#include "adapter/redis_client.hpp"
#include "app/chat.hpp"
#include "app/store_worker.hpp"
#include "socketio/server.hpp"

namespace sio::app {

// `redis` may be null (no Redis adapter).
std::string render_metrics(socketio::Server& io, StoreWorker& store, Chat& chat,
                           const adapter::RedisClient* redis);

}  // namespace sio::app
