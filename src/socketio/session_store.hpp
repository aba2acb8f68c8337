#pragma once
// Connection state recovery (Node's `connectionStateRecovery`): what a server keeps so that a
// client whose connection dropped comes back as the same socket — same id, rooms and data — and
// gets the packets it missed meanwhile.
//
// The store holds two things, bounded together in bytes (oldest entry dropped first) and each in
// time (max_disconnection_duration):
//  - the packet log: every EVENT a client could miss (no ack id, not volatile; broadcasts and
//    private emits alike, as Node logs them). Each gets an offset, appended as its last argument
//    — the official client remembers the last one it saw and sends it back on reconnection — and
//    the log keeps the very frames every recipient shares, never a copy;
//  - the sessions of sockets that left for a reason a client recovers from (transport close or
//    error, ping timeout, forced close, server shutting down): id, private id (pid), rooms, data.
// A client that reconnects to a namespace with its pid and a logged offset, in time, takes its
// session back with the logged packets after that offset that its rooms would have received.
//
// One store per server, on the server's executor.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

struct ConnectionStateRecovery {
  // How long a disconnected socket's session, and a logged packet, are kept.
  std::chrono::milliseconds max_disconnection_duration{120000};
  // Whether a socket that recovered its session skips the namespace's middlewares.
  bool skip_middlewares = true;
  // Bytes of sessions and logged packets kept, all namespaces together (a packet counts its
  // frames, shared with the send queues, once).
  std::size_t max_bytes = 64 * 1024 * 1024;
};

// Whether a socket that disconnected for `reason` keeps its session (Node's list).
bool is_recoverable(std::string_view reason);

struct PersistedSession {
  std::string nsp;
  std::string sid;
  std::string pid;
  std::vector<adapter::Room> rooms;  // the socket's own id room included
  json data;
};

struct RestoredSession {
  PersistedSession session;
  // The logged packets it missed, oldest first: the frames that were sent to the others.
  std::vector<Frames> missed_packets;
};

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionStore(ConnectionStateRecovery options) : options_(options) {}

  const ConnectionStateRecovery& options() const { return options_; }

  // Whether a packet sent with `target` goes to the log.
  static bool is_logged(const Packet& packet, const adapter::BroadcastOptions& target);

  // The frames of a packet for the sockets `target` names, encoded once. A logged packet carries
  // its offset as last argument and its frames stay in the log.
  Frames encode(const Packet& packet, const adapter::BroadcastOptions& target,
                Clock::time_point now);

  // Keeps the session of a socket that has just disconnected.
  void persist(PersistedSession session, Clock::time_point now);

  // The session `pid` left in namespace `nsp`, when it can be restored from `offset`: kept, not
  // expired, and `offset` still in the log as a packet of that namespace. Null otherwise.
  const PersistedSession* find(std::string_view nsp, std::string_view pid, std::string_view offset,
                               Clock::time_point now) const;
  // Same check; the session is handed over (it leaves the store) with the packets it missed.
  std::optional<RestoredSession> take(std::string_view nsp, std::string_view pid,
                                      std::string_view offset, Clock::time_point now);

  // Drops sessions and packets older than max_disconnection_duration.
  void expire(Clock::time_point now);

  std::size_t bytes() const { return bytes_; }
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t packet_count() const { return packets_.size(); }

 private:
  struct LoggedPacket {
    std::string nsp;
    std::vector<adapter::Room> rooms;
    std::vector<adapter::Room> except;
    Frames frames;
    Clock::time_point at;
    std::size_t bytes;
  };
  struct KeptSession {
    PersistedSession session;
    Clock::time_point at;
    std::size_t bytes;
  };

  // Index in packets_ of the packet with this offset in namespace `nsp`, if it is still there
  // and not expired.
  std::optional<std::size_t> packet_index(std::string_view nsp, std::string_view offset,
                                          Clock::time_point now) const;
  const KeptSession* live_session(std::string_view nsp, std::string_view pid,
                                  Clock::time_point now) const;
  void drop_oldest_packet();
  void drop_oldest_session();
  // Drops the oldest entries, sessions or packets, until the bound holds.
  void shrink();

  ConnectionStateRecovery options_;
  // Offsets are sequence numbers; packets_.front() has first_sequence_.
  std::deque<LoggedPacket> packets_;
  std::uint64_t first_sequence_ = 1;
  std::list<KeptSession> sessions_;  // oldest first
  std::unordered_map<std::string, std::list<KeptSession>::iterator> sessions_by_pid_;
  std::size_t bytes_ = 0;
};

}  // namespace sio::socketio
