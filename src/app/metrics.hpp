#pragma once
// /metrics in Prometheus text format: connections (and those the limits refused), sockets and
// rooms per namespace, traffic, broadcasts and fan-out, dropped packets, slow consumers,
// messages, store latency. Everything is added up over the reactors.

#include <functional>
#include <string>

#include "adapter/redis_link.hpp"
#include "app/chat.hpp"
#include "app/store_worker.hpp"
#include "socketio/server.hpp"

namespace sio::app {

// Gathers the numbers from every reactor (and from the Redis client's), then `done` gets the
// page on the calling reactor. `redis` may be null (no Redis adapter).
void collect_metrics(socketio::Server& io, StoreWorker& store, Chat& chat,
                     std::shared_ptr<adapter::RedisLink> redis,
                     std::function<void(std::string)> done);

}  // namespace sio::app
