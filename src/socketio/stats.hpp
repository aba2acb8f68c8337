#pragma once
// Socket.IO-level counters of one server, for /metrics (single executor: plain integers).

#include <cstdint>

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
};

}  // namespace sio::socketio
