#pragma once
// /metrics in Prometheus text format: connections, sockets and rooms per namespace, traffic,
// broadcasts and fan-out, dropped packets, slow consumers, messages, store latency.

#include <string>

#include "app/chat.hpp"
#include "app/store_worker.hpp"
#include "socketio/server.hpp"

namespace sio::app {

std::string render_metrics(socketio::Server& io, StoreWorker& store, Chat& chat);

}  // namespace sio::app
