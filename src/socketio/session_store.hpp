#pragma once
// Connection state recovery (Node's `connectionStateRecovery`): what a server keeps so that a
// client whose connection dropped comes back as the same socket — same id, rooms and data — and
// gets the packets it missed meanwhile.
//
// Each reactor keeps a store of its own, holding two things, bounded together in bytes (oldest
// entry dropped first) and each in time (max_disconnection_duration):
//  - the packet log: every broadcast the reactor delivered that a client could miss (an EVENT
//    with no ack id, not volatile; broadcasts and private emits alike, as Node logs them), in the
//    order the reactor delivered them. Each carries an offset as its last argument (see
//    broadcast.hpp) — the official client remembers the last one it saw and sends it back on
//    reconnection — and the log keeps the very broadcast every reactor and recipient shares,
//    never a copy;
//  - the sessions of the reactor's sockets that left for a reason a client recovers from
//    (transport close or error, ping timeout, forced close, server shutting down): id, private
//    id (pid), rooms, data.
// A client that reconnects to a namespace with its pid and a logged offset, in time, takes its
// session back with the logged packets after that offset that its rooms would have received —
// from the store of the reactor its socket was on, plus whatever the reactor it comes back on
// delivered that the first one had not yet seen (missed_since).
//
// Single reactor: every member runs on the reactor that owns the store.

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
#include "socketio/broadcast.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

struct ConnectionStateRecovery {
  // How long a disconnected socket's session, and a logged packet, are kept.
  std::chrono::milliseconds max_disconnection_duration{120000};
  // Whether a socket that recovered its session skips the namespace's middlewares.
  bool skip_middlewares = true;
  // Bytes of sessions and logged packets kept, all namespaces and reactors together (a packet
  // counts its frames, shared with the send queues and the other reactors' logs, once).
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
  // For each origin reactor, the newest of its broadcasts the store had logged: what came later
  // is for the reactor the socket comes back on to replay (missed_since).
  std::vector<std::uint64_t> covered;
};

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;

  // One of `reactors` stores, each logging every broadcast: each holds its share of max_bytes,
  // and counts a logged broadcast's bytes as its share of them.
  explicit SessionStore(ConnectionStateRecovery options, std::size_t reactors = 1);

  const ConnectionStateRecovery& options() const { return options_; }

  // Whether a packet sent with `target` goes to the log.
  static bool is_logged(const Packet& packet, const adapter::BroadcastOptions& target);

  // Logs a broadcast (with an offset) this reactor delivers.
  void log(const BroadcastPtr& broadcast, Clock::time_point now);

  // Keeps the session of a socket that has just disconnected.
  void persist(PersistedSession session, Clock::time_point now);

  // The session `pid` left in namespace `nsp`, when it can be restored from `offset`: kept, not
  // expired, and `offset` still in the log as a packet of that namespace. Null otherwise.
  const PersistedSession* find(std::string_view nsp, std::string_view pid, std::string_view offset,
                               Clock::time_point now) const;
  // Same check; the session is handed over (it leaves the store) with the packets it missed.
  std::optional<RestoredSession> take(std::string_view nsp, std::string_view pid,
                                      std::string_view offset, Clock::time_point now);
  // The logged packets of `nsp` for `rooms` that came after what `covered` names (see
  // RestoredSession), oldest first.
  std::vector<Frames> missed_since(std::string_view nsp, const std::vector<adapter::Room>& rooms,
                                   const std::vector<std::uint64_t>& covered,
                                   Clock::time_point now) const;

  // Drops sessions and packets older than max_disconnection_duration.
  void expire(Clock::time_point now);

  std::size_t bytes() const { return bytes_; }
  std::size_t session_count() const { return sessions_.size(); }
  std::size_t packet_count() const { return packets_.size(); }

 private:
  struct LoggedPacket {
    BroadcastPtr broadcast;
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
  std::size_t reactors_;
  std::size_t max_bytes_;  // this store's share
  // packets_.front() has the local position first_position_; by_origin_ finds one by offset.
  std::deque<LoggedPacket> packets_;
  std::uint64_t first_position_ = 0;
  // The newest seq logged per origin reactor.
  std::vector<std::uint64_t> last_seq_;
  // Per origin reactor, its logged packets in order: (seq, local position).
  std::vector<std::deque<std::pair<std::uint64_t, std::uint64_t>>> by_origin_;
  std::list<KeptSession> sessions_;  // oldest first
  std::unordered_map<std::string, std::list<KeptSession>::iterator> sessions_by_pid_;
  std::size_t bytes_ = 0;
};

}  // namespace sio::socketio
