#pragma once
// Socket.IO-level counters, for /metrics. Each reactor keeps its own (plain integers, touched
// only there); Server::collect_stats adds them up with everything else a report needs.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "engineio/stats.hpp"

namespace sio::socketio {

struct Stats {
  std::uint64_t broadcasts = 0;
  // Deliveries made by broadcasts (one per recipient socket).
  std::uint64_t broadcast_deliveries = 0;
  // Volatile packets dropped because the client could not take them at once.
  std::uint64_t volatile_dropped = 0;
  std::uint64_t parse_errors = 0;
  // Sockets that took their session back after a disconnection (connection state recovery).
  std::uint64_t recovered_sockets = 0;
  // Events refused by a namespace's event rate limit, and sockets disconnected for going on.
  std::uint64_t rate_limited_events = 0;
  std::uint64_t rate_limited_disconnects = 0;

  Stats& operator+=(const Stats& other);
};

struct NamespaceStats {
  std::size_t sockets = 0;
  // Rooms with members on this server (own rooms included), each counted once whatever the
  // reactors its members are on.
  std::size_t rooms = 0;
};

// One server's state over all of its reactors.
struct ServerStats {
  engineio::Stats engine;
  Stats sio;
  std::size_t sessions = 0;         // open Engine.IO sessions
  std::size_t polling_sessions = 0;  // of which on long-polling
  std::size_t tcp_connections = 0;  // open TCP connections (HTTP and WebSocket)
  std::map<std::string, NamespaceStats> namespaces;
};

}  // namespace sio::socketio
