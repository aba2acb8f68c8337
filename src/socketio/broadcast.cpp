#include "socketio/broadcast.hpp"

#include <charconv>

namespace sio::socketio {

std::string offset_text(std::uint64_t seq, std::size_t origin) {
  char text[48];  // two 64-bit numbers (20 digits each at most) and the dash
  auto* end = std::to_chars(text, text + 20, seq).ptr;
  *end++ = '-';
  end = std::to_chars(end, text + sizeof text, origin).ptr;
  return std::string(text, end);
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

void Broadcast::set_text_packet(std::string packet) {
  const auto type = engineio::Frame::text_packet_type(packet);
  frames_.clear();
  text_packet_.emplace(type, std::move(packet), false, engineio::WsOpcode::text);
}

std::size_t Broadcast::frames_size() const {
  std::size_t size = text_packet_ ? text_packet_->size() : 0;
  for (const auto& frame : frames_) size += frame->size();
  return size;
}

Frames frames_of(const BroadcastPtr& broadcast) {
  if (!broadcast->text_packet_) return broadcast->frames_;
  Frames frames;
  frames.emplace_back(broadcast, &*broadcast->text_packet_);  // shares the broadcast's ownership
  return frames;
}

BroadcastPtr encode_broadcast(const Packet& packet, const adapter::BroadcastOptions& target,
                              Parser parser, std::optional<Broadcast::Offset> offset) {
  auto broadcast = std::make_shared<Broadcast>();
  broadcast->nsp = packet.nsp;
  broadcast->target = target;
  broadcast->set_frames(
      encode_frames(packet, parser, offset ? std::string_view(offset->text) : ""));
  broadcast->offset = std::move(offset);
  return broadcast;
}

BroadcastPtr encode_event_broadcast(std::string_view nsp, std::string data,
                                    adapter::BroadcastOptions target,
                                    std::optional<Broadcast::Offset> offset) {
  auto broadcast = std::make_shared<Broadcast>();
  broadcast->nsp = std::string(nsp);
  broadcast->target = std::move(target);
  // The packet's text is written in the data's own buffer: its type characters (and namespace)
  // before, the offset (if any) inside the closing bracket.
  if (offset) {
    const auto close = data.find_last_of(']');
    const auto last = data.find_last_not_of(" \t\r\n", close - 1);
    std::string tail = data[last] == '[' ? "\"" : ",\"";
    tail += offset->text;
    tail += '"';
    data.insert(close, tail);
  }
  std::string head;
  head += static_cast<char>('0' + static_cast<int>(engineio::PacketType::message));
  head += static_cast<char>('0' + static_cast<int>(PacketType::event));
  if (nsp != "/") {
    head += nsp;
    head += ',';
  }
  data.insert(0, head);
  broadcast->set_text_packet(std::move(data));
  broadcast->offset = std::move(offset);
  return broadcast;
}

}  // namespace sio::socketio
