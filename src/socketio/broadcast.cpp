#include "socketio/broadcast.hpp"

#include <charconv>

namespace sio::socketio {

std::string offset_text(std::uint64_t seq, std::size_t origin) {
  return std::to_string(seq) + "-" + std::to_string(origin);
}

std::optional<Broadcast::Offset> parse_offset(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  Broadcast::Offset offset;
  const auto* end = text.data() + dash;
  auto [seq_end, seq_ec] = std::from_chars(text.data(), end, offset.seq);
  if (seq_ec != std::errc() || seq_end != end) return std::nullopt;
  end = text.data() + text.size();
  auto [origin_end, origin_ec] = std::from_chars(text.data() + dash + 1, end, offset.origin);
  if (origin_ec != std::errc() || origin_end != end) return std::nullopt;
  offset.text = std::string(text);
  return offset;
}

namespace {

// The frames of an EVENT whose data array gets `offset` as one more, last, string: the text
// `…]` becomes `…,"<offset>"]`. Offsets are digits and a dash, so nothing needs escaping, and the
// JSON of the data is built once, as for any packet.
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

}  // namespace

BroadcastPtr encode_broadcast(const Packet& packet, const adapter::BroadcastOptions& target,
                              std::optional<Broadcast::Offset> offset) {
  auto broadcast = std::make_shared<Broadcast>();
  broadcast->nsp = packet.nsp;
  broadcast->target = target;
  broadcast->frames = offset ? encode_with_offset(packet, offset->text) : encode_frames(packet);
  broadcast->offset = std::move(offset);
  return broadcast;
}

}  // namespace sio::socketio
