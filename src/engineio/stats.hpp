#pragma once
// Traffic counters of an Engine.IO server, for /metrics. Each reactor keeps its own (plain
// integers, touched only by that reactor); a report adds them up.

#include <array>
#include <cstdint>

#include "engineio/close_reason.hpp"

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
  // Requests that reached a reactor other than their session's and were moved to it.
  std::uint64_t requests_moved = 0;
  // Sessions closed, by reason (indexed by CloseReason).
  std::array<std::uint64_t, kCloseReasons> closed{};

  Stats& operator+=(const Stats& other) {
    for (std::size_t i = 0; i < closed.size(); ++i) closed[i] += other.closed[i];
    packets_in += other.packets_in;
    packets_out += other.packets_out;
    bytes_in += other.bytes_in;
    bytes_out += other.bytes_out;
    slow_consumer_disconnects += other.slow_consumer_disconnects;
    sessions_opened += other.sessions_opened;
    connections_refused_max += other.connections_refused_max;
    connections_refused_per_ip += other.connections_refused_per_ip;
    handshakes_rate_limited += other.handshakes_rate_limited;
    requests_moved += other.requests_moved;
    return *this;
  }
};

}  // namespace sio::engineio
