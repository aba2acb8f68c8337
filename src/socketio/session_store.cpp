#include "socketio/session_store.hpp"

#include <algorithm>
#include <unordered_set>

namespace sio::socketio {

namespace {

// What an entry costs beyond its strings and frames (the entry, its nodes and vectors, the
// Frame objects), roughly.
constexpr std::size_t kEntryOverhead = 256;

std::size_t rooms_bytes(const std::vector<adapter::Room>& rooms) {
  std::size_t bytes = 0;
  for (const auto& room : rooms) bytes += room.size() + sizeof(adapter::Room);
  return bytes;
}

// Node's rule: a packet reaches a session when it was for all sockets or for one of its rooms,
// and for none of the rooms it excluded.
bool reaches(const std::unordered_set<std::string_view>& session_rooms,
             const adapter::BroadcastOptions& target) {
  for (const auto& room : target.except) {
    if (session_rooms.contains(room)) return false;
  }
  if (target.rooms.empty()) return true;
  return std::any_of(target.rooms.begin(), target.rooms.end(),
                     [&](const adapter::Room& room) { return session_rooms.contains(room); });
}

}  // namespace

bool is_recoverable(std::string_view reason) {
  return reason == "transport error" || reason == "transport close" || reason == "forced close" ||
         reason == "ping timeout" || reason == "server shutting down" ||
         reason == "forced server close";
}

SessionStore::SessionStore(ConnectionStateRecovery options, std::size_t reactors)
    : options_(options),
      reactors_(std::max<std::size_t>(reactors, 1)),
      max_bytes_(options.max_bytes / reactors_),
      last_seq_(reactors_, 0),
      by_origin_(reactors_) {}

bool SessionStore::is_logged(const Packet& packet, const adapter::BroadcastOptions& target) {
  // Packets with an ack id are not logged: the callback waiting for the answer is not replayable.
  return packet.type == PacketType::event && !packet.id && !target.flags.is_volatile &&
         packet.data.is_array();
}

void SessionStore::log(const BroadcastPtr& broadcast, Clock::time_point now) {
  if (!broadcast->offset) return;
  expire(now);
  const auto& offset = *broadcast->offset;
  if (offset.origin >= last_seq_.size()) return;  // not an offset of this server's reactors
  last_seq_[offset.origin] = std::max(last_seq_[offset.origin], offset.seq);
  by_origin_[offset.origin].emplace_back(offset.seq, first_position_ + packets_.size());
  std::size_t shared = broadcast->nsp.size() + rooms_bytes(broadcast->target.rooms) +
                       rooms_bytes(broadcast->target.except) + offset.text.size();
  shared += broadcast->frames_size();
  const std::size_t bytes = kEntryOverhead + offset.text.size() + shared / reactors_;
  packets_.push_back(LoggedPacket{broadcast, now, bytes});
  bytes_ += bytes;
  shrink();
}

void SessionStore::persist(PersistedSession session, Clock::time_point now) {
  expire(now);
  if (auto it = sessions_by_pid_.find(session.pid); it != sessions_by_pid_.end()) {
    bytes_ -= it->second->bytes;
    sessions_.erase(it->second);
    sessions_by_pid_.erase(it);
  }
  const std::size_t bytes =
      kEntryOverhead + session.nsp.size() + session.sid.size() + session.pid.size() +
      rooms_bytes(session.rooms) +
      session.data.dump(-1, ' ', false, json::error_handler_t::replace).size();
  auto pid = session.pid;
  sessions_.push_back(KeptSession{std::move(session), now, bytes});
  sessions_by_pid_.emplace(std::move(pid), std::prev(sessions_.end()));
  bytes_ += bytes;
  shrink();
}

const SessionStore::KeptSession* SessionStore::live_session(std::string_view nsp,
                                                            std::string_view pid,
                                                            Clock::time_point now) const {
  auto it = sessions_by_pid_.find(std::string(pid));
  if (it == sessions_by_pid_.end()) return nullptr;
  const auto& kept = *it->second;
  if (kept.session.nsp != nsp) return nullptr;
  if (kept.at + options_.max_disconnection_duration < now) return nullptr;
  return &kept;
}

std::optional<std::size_t> SessionStore::packet_index(std::string_view nsp, std::string_view offset,
                                                      Clock::time_point now) const {
  // An offset names its origin reactor and seq: found by a binary search in that origin's list.
  const auto parsed = parse_offset(offset);
  if (!parsed || parsed->origin >= by_origin_.size()) return std::nullopt;
  const auto& logged = by_origin_[parsed->origin];
  const auto it =
      std::lower_bound(logged.begin(), logged.end(), parsed->seq,
                       [](const auto& entry, std::uint64_t seq) { return entry.first < seq; });
  if (it == logged.end() || it->first != parsed->seq) return std::nullopt;
  const auto index = static_cast<std::size_t>(it->second - first_position_);
  const auto& packet = packets_[index];
  // Only the text this server gave out ("7-0", not "007-0").
  if (packet.broadcast->offset->text != offset) return std::nullopt;
  if (packet.broadcast->nsp != nsp || packet.at + options_.max_disconnection_duration < now)
    return std::nullopt;
  return index;
}

const PersistedSession* SessionStore::find(std::string_view nsp, std::string_view pid,
                                           std::string_view offset, Clock::time_point now) const {
  const auto* kept = live_session(nsp, pid, now);
  if (!kept || !packet_index(nsp, offset, now)) return nullptr;
  return &kept->session;
}

std::optional<RestoredSession> SessionStore::take(std::string_view nsp, std::string_view pid,
                                                  std::string_view offset, Clock::time_point now) {
  const auto* kept = live_session(nsp, pid, now);
  const auto index = packet_index(nsp, offset, now);
  if (!kept || !index) return std::nullopt;

  auto it = sessions_by_pid_.find(std::string(pid));
  RestoredSession restored{std::move(it->second->session), {}, last_seq_};
  bytes_ -= it->second->bytes;
  sessions_.erase(it->second);
  sessions_by_pid_.erase(it);

  const std::unordered_set<std::string_view> rooms(restored.session.rooms.begin(),
                                                   restored.session.rooms.end());
  for (std::size_t i = *index + 1; i < packets_.size(); ++i) {
    const auto& broadcast = packets_[i].broadcast;
    if (broadcast->nsp == nsp && reaches(rooms, broadcast->target)) {
      restored.missed_packets.push_back(frames_of(broadcast));
    }
  }
  return restored;
}

std::vector<Frames> SessionStore::missed_since(std::string_view nsp,
                                               const std::vector<adapter::Room>& rooms,
                                               const std::vector<std::uint64_t>& covered,
                                               Clock::time_point now) const {
  // Each origin's packets are logged in the order of their seq: what came after `covered` is a
  // tail of each, found by a binary search.
  std::vector<std::uint64_t> positions;
  for (std::size_t origin = 0; origin < by_origin_.size(); ++origin) {
    const auto& logged = by_origin_[origin];
    const auto seen = origin < covered.size() ? covered[origin] : 0;
    auto it =
        std::upper_bound(logged.begin(), logged.end(), seen,
                         [](std::uint64_t seq, const auto& entry) { return seq < entry.first; });
    for (; it != logged.end(); ++it) positions.push_back(it->second);
  }
  std::sort(positions.begin(), positions.end());
  const std::unordered_set<std::string_view> room_set(rooms.begin(), rooms.end());
  std::vector<Frames> missed;
  for (const auto position : positions) {
    const auto& packet = packets_[static_cast<std::size_t>(position - first_position_)];
    const auto& broadcast = packet.broadcast;
    if (packet.at + options_.max_disconnection_duration < now) continue;
    if (broadcast->nsp == nsp && reaches(room_set, broadcast->target)) {
      missed.push_back(frames_of(broadcast));
    }
  }
  return missed;
}

void SessionStore::expire(Clock::time_point now) {
  const auto threshold = now - options_.max_disconnection_duration;
  while (!sessions_.empty() && sessions_.front().at < threshold) drop_oldest_session();
  while (!packets_.empty() && packets_.front().at < threshold) drop_oldest_packet();
}

void SessionStore::drop_oldest_packet() {
  bytes_ -= packets_.front().bytes;
  const auto& offset = *packets_.front().broadcast->offset;
  by_origin_[offset.origin].pop_front();
  packets_.pop_front();
  ++first_position_;
}

void SessionStore::drop_oldest_session() {
  bytes_ -= sessions_.front().bytes;
  sessions_by_pid_.erase(sessions_.front().session.pid);
  sessions_.pop_front();
}

void SessionStore::shrink() {
  while (bytes_ > max_bytes_ && (!packets_.empty() || !sessions_.empty())) {
    const bool packet_first =
        sessions_.empty() || (!packets_.empty() && packets_.front().at <= sessions_.front().at);
    if (packet_first)
      drop_oldest_packet();
    else
      drop_oldest_session();
  }
}

}  // namespace sio::socketio
