#pragma once
// Traffic counters of one Engine.IO server, for /metrics. Plain integers: a server and its
// sessions live on one executor, so nothing here is shared across threads.

#include <cstdint>

namespace sio::engineio {

struct Stats {
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  // Sessions closed because their send queue outgrew max_send_buffer.
  std::uint64_t slow_consumer_disconnects = 0;
  std::uint64_t sessions_opened = 0;
  // TCP connections closed at accept time for exceeding max_connections / max_connections_per_ip.
  std::uint64_t connections_refused_max = 0;
  std::uint64_t connections_refused_per_ip = 0;
  // Handshakes refused with 429 for exceeding handshake_rate.
  std::uint64_t handshakes_rate_limited = 0;
};

}  // namespace sio::engineio
