#include "socketio/session_store.hpp"

#include <algorithm>
#include <charconv>
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

// The frames of an EVENT whose data array gets `offset` as one more, last, string: the text
// `…]` becomes `…,"<offset>"]`. Offsets are digits, so nothing needs escaping, and the JSON of
// the data is built once, as for any packet.
Frames encode_with_offset(const Packet& packet, const std::string& offset) {
  auto encoded = encode(packet);
  auto& text = encoded.text;
  std::string tail = packet.data.empty() ? "\"" : ",\"";
  tail += offset;
  tail += '"';
  text.insert(text.size() - 1, tail);
  Frames frames;
  frames.reserve(1 + encoded.attachments.size());
  frames.push_back(engineio::Frame::text(engineio::PacketType::message, text));
  for (auto& attachment : encoded.attachments) {
    frames.push_back(engineio::Frame::binary(std::move(attachment)));
  }
  return frames;
}

// Node's rule: a packet reaches a session when it was for all sockets or for one of its rooms,
// and for none of the rooms it excluded.
bool reaches(const std::unordered_set<std::string_view>& session_rooms,
             const std::vector<adapter::Room>& rooms, const std::vector<adapter::Room>& except) {
  for (const auto& room : except) {
    if (session_rooms.contains(room)) return false;
  }
  if (rooms.empty()) return true;
  return std::any_of(rooms.begin(), rooms.end(),
                     [&](const adapter::Room& room) { return session_rooms.contains(room); });
}

}  // namespace

bool is_recoverable(std::string_view reason) {
  return reason == "transport error" || reason == "transport close" || reason == "forced close" ||
         reason == "ping timeout" || reason == "server shutting down" ||
         reason == "forced server close";
}

bool SessionStore::is_logged(const Packet& packet, const adapter::BroadcastOptions& target) {
  // Packets with an ack id are not logged: the callback waiting for the answer is not replayable.
  return packet.type == PacketType::event && !packet.id && !target.flags.is_volatile &&
         packet.data.is_array();
}

Frames SessionStore::encode(const Packet& packet, const adapter::BroadcastOptions& target,
                            Clock::time_point now) {
  if (!is_logged(packet, target)) return encode_frames(packet);
  expire(now);
  const auto sequence = first_sequence_ + packets_.size();
  auto frames = encode_with_offset(packet, std::to_string(sequence));
  LoggedPacket logged{packet.nsp, target.rooms, target.except, frames, now, 0};
  logged.bytes =
      kEntryOverhead + logged.nsp.size() + rooms_bytes(logged.rooms) + rooms_bytes(logged.except);
  for (const auto& frame : frames) logged.bytes += frame->size();
  bytes_ += logged.bytes;
  packets_.push_back(std::move(logged));
  shrink();
  return frames;
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
  std::uint64_t sequence = 0;
  const auto* end = offset.data() + offset.size();
  auto [ptr, ec] = std::from_chars(offset.data(), end, sequence);
  // Only the form this store wrote: digits, no sign, no leading zero.
  if (ec != std::errc() || ptr != end || offset.empty() || offset[0] == '0') return std::nullopt;
  if (sequence < first_sequence_ || sequence - first_sequence_ >= packets_.size())
    return std::nullopt;
  const auto index = static_cast<std::size_t>(sequence - first_sequence_);
  const auto& packet = packets_[index];
  if (packet.nsp != nsp || packet.at + options_.max_disconnection_duration < now)
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
  RestoredSession restored{std::move(it->second->session), {}};
  bytes_ -= it->second->bytes;
  sessions_.erase(it->second);
  sessions_by_pid_.erase(it);

  const std::unordered_set<std::string_view> rooms(restored.session.rooms.begin(),
                                                   restored.session.rooms.end());
  for (std::size_t i = *index + 1; i < packets_.size(); ++i) {
    const auto& packet = packets_[i];
    if (packet.nsp == nsp && reaches(rooms, packet.rooms, packet.except)) {
      restored.missed_packets.push_back(packet.frames);
    }
  }
  return restored;
}

void SessionStore::expire(Clock::time_point now) {
  const auto threshold = now - options_.max_disconnection_duration;
  while (!sessions_.empty() && sessions_.front().at < threshold) drop_oldest_session();
  while (!packets_.empty() && packets_.front().at < threshold) drop_oldest_packet();
}

void SessionStore::drop_oldest_packet() {
  bytes_ -= packets_.front().bytes;
  packets_.pop_front();
  ++first_sequence_;
}

void SessionStore::drop_oldest_session() {
  bytes_ -= sessions_.front().bytes;
  sessions_by_pid_.erase(sessions_.front().session.pid);
  sessions_.pop_front();
}

void SessionStore::shrink() {
  while (bytes_ > options_.max_bytes && (!packets_.empty() || !sessions_.empty())) {
    const bool packet_first =
        sessions_.empty() || (!packets_.empty() && packets_.front().at <= sessions_.front().at);
    if (packet_first)
      drop_oldest_packet();
    else
      drop_oldest_session();
  }
}

}  // namespace sio::socketio
