#pragma once
// A broadcast as the reactors deliver it: encoded once, immutable, shared (atomically reference
// counted) by every reactor it goes to and by every recipient's send queue.
//
// With connection state recovery a broadcast carries an offset, "<seq>-<origin>": the reactor it
// was encoded on (its origin) and that reactor's count of broadcasts so far. Every reactor sees
// one origin's broadcasts in the order they were made, which is what lets a socket recover its
// session on another reactor without a gap (see SessionStore::take).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/adapter.hpp"
#include "engineio/frame.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

struct Broadcast {
  std::string nsp;
  adapter::BroadcastOptions target;
  // Set when the broadcast is logged for recovery: then the frames end with the offset.
  struct Offset {
    std::uint64_t seq = 0;
    std::size_t origin = 0;
    std::string text;
  };
  // The origin of an offset an adapter gave (no reactor's: the stores do not log it).
  static constexpr std::size_t kAdapterOrigin = static_cast<std::size_t>(-1);
  std::optional<Offset> offset;

  // Its frames, made apart from it.
  void set_frames(Frames frames) {
    text_packet_.reset();
    frames_ = std::move(frames);
  }
  // Its one frame, a text packet whose whole text is `packet` (type characters first), made
  // inside the broadcast: one allocation less for each broadcast relayed from another server.
  void set_text_packet(std::string packet);
  // The bytes of its frames (what a send queue counts).
  std::size_t frames_size() const;

 private:
  friend Frames frames_of(const std::shared_ptr<const Broadcast>& broadcast);
  Frames frames_;
  std::optional<engineio::Frame> text_packet_;
};
using BroadcastPtr = std::shared_ptr<const Broadcast>;

// The frames to send for `broadcast`; a frame made inside it keeps the broadcast alive while a
// send queue holds it.
Frames frames_of(const BroadcastPtr& broadcast);

// The offset `seq` of reactor `origin`, as clients see it.
std::string offset_text(std::uint64_t seq, std::size_t origin);
// The parts of an offset made by offset_text; nullopt for any other string.
std::optional<Broadcast::Offset> parse_offset(std::string_view text);

// Encodes `packet` once, in the server's `parser`, for the sockets `target` names; with an offset,
// it is appended as the last argument of the event (what the official client remembers and sends
// back to recover).
BroadcastPtr encode_broadcast(const Packet& packet, const adapter::BroadcastOptions& target,
                              Parser parser, std::optional<Broadcast::Offset> offset = std::nullopt);
// The same for an EVENT of the text parser whose data is JSON text already (a JSON array, as
// another server sent it): the packet is written around the text, which is not parsed again.
BroadcastPtr encode_event_broadcast(std::string_view nsp, std::string data,
                                    adapter::BroadcastOptions target,
                                    std::optional<Broadcast::Offset> offset = std::nullopt);

}  // namespace sio::socketio
