#pragma once
// An outgoing packet, encoded once and shared (immutable, reference counted) by every session it
// is sent to: a broadcast to ten thousand sockets builds one Frame, not ten thousand strings.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engineio/packet.hpp"

namespace sio::engineio {

class Frame;
using FramePtr = std::shared_ptr<const Frame>;

class Frame {
 public:
  // A text packet: `data` follows the type character.
  static FramePtr text(PacketType type, std::string_view data = {});
  // A binary message packet carrying raw bytes.
  static FramePtr binary(std::string bytes);

  PacketType type() const { return type_; }
  bool is_binary() const { return binary_; }

  // The bytes of the WebSocket frame: "<type><data>" for text, the raw bytes for binary.
  std::string_view websocket_bytes() const { return bytes_; }

  // The record inside a polling payload. Binary frames are base64-encoded on first use only,
  // so WebSocket-only traffic never pays for it.
  std::string_view polling_bytes() const;

  // Bytes this frame costs in a send queue (what bounded queues count).
  size_t size() const { return bytes_.size(); }

  Frame(PacketType type, std::string bytes, bool binary)
      : type_(type), binary_(binary), bytes_(std::move(bytes)) {}

 private:
  PacketType type_;
  bool binary_;
  std::string bytes_;
  mutable std::once_flag polling_once_;
  mutable std::string polling_;
};

}  // namespace sio::engineio
