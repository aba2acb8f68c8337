#pragma once
// An outgoing packet, encoded once and shared (immutable, reference counted) by every session it
// is sent to: a broadcast to ten thousand sockets builds one Frame, not ten thousand strings.
// Its WebSocket frame header is built once too, so a WebSocket send is a gather write of two
// shared buffers.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engineio/packet.hpp"

namespace sio::engineio {

class Frame;
using FramePtr = std::shared_ptr<const Frame>;

// WebSocket opcodes (RFC 6455 §5.2).
enum class WsOpcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA
};

// The header of an unmasked (server-to-client), final WebSocket frame.
struct WsHeader {
  std::array<uint8_t, 10> bytes{};
  uint8_t size = 0;

  static WsHeader make(WsOpcode opcode, std::size_t payload_size);
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), size};
  }
};

class Frame {
 public:
  // A text packet: `data` follows the type character.
  static FramePtr text(PacketType type, std::string_view data = {});
  // The type of a text packet from its whole text (its type character first).
  static PacketType text_packet_type(std::string_view packet);
  // A binary message packet carrying raw bytes.
  static FramePtr binary(std::string bytes);
  // A WebSocket control frame (close, ping, pong); not an Engine.IO packet, never polled.
  static FramePtr websocket_control(WsOpcode opcode, std::string payload);

  PacketType type() const { return type_; }
  bool is_binary() const { return binary_; }

  // The payload of the WebSocket frame: "<type><data>" for text, the raw bytes for binary.
  std::string_view websocket_bytes() const { return bytes_; }
  // The header that goes in front of websocket_bytes().
  std::string_view websocket_header() const { return ws_header_.view(); }

  // The record inside a polling payload. Binary frames are base64-encoded on first use only,
  // so WebSocket-only traffic never pays for it.
  std::string_view polling_bytes() const;

  // The forms Engine.IO v3 (socket.io-client 2.x) reads, built on first use, once for all the
  // v3 sessions the frame goes to: a binary WebSocket message starts with the packet type (0x04);
  // a polling text payload prefixes each packet with its length in UTF-16 code units and ':'
  // (binary as "b4" + base64); an XHR2 binary payload (for clients that take binary) frames each
  // packet as <0 text | 1 binary> <length as one byte per decimal digit> 0xFF <packet>.
  std::string_view websocket_v3_header() const {
    return binary_message() ? v3().ws_header.view() : websocket_header();
  }
  std::string_view websocket_v3_bytes() const {
    return binary_message() ? std::string_view(v3().ws_bytes) : websocket_bytes();
  }
  std::string_view polling_v3_text() const { return v3().polling_text; }
  std::string_view polling_v3_binary() const { return v3().polling_binary; }

  // The permessage-deflate form of a data frame (RSV1 set, payload compressed on its own), built
  // on first use, once for all recipients; the plain form when compressing saves nothing.
  std::string_view websocket_deflated_header() const { return deflated().ws_header.view(); }
  std::string_view websocket_deflated_bytes() const { return deflated().ws_bytes; }
  // A text or binary message, not a control frame.
  bool is_data_frame() const { return (ws_header_.bytes[0] & 0x08) == 0; }

  // Bytes this frame costs in a send queue (what bounded queues count).
  size_t size() const { return bytes_.size(); }

  Frame(PacketType type, std::string bytes, bool binary, WsOpcode opcode)
      : type_(type),
        binary_(binary),
        ws_header_(WsHeader::make(opcode, bytes.size())),  // before bytes_ is made from it
        bytes_(std::move(bytes)) {}

 private:
  PacketType type_;
  bool binary_;
  WsHeader ws_header_;
  std::string bytes_;

  // A binary Engine.IO message, not a WebSocket control frame (close, ping, pong: opcodes 8–10).
  bool binary_message() const { return binary_ && (ws_header_.bytes[0] & 0x08) == 0; }

  struct V3Forms {
    WsHeader ws_header;
    std::string ws_bytes;  // binary only: text frames are the same in v3
    std::string polling_text;
    std::string polling_binary;
  };
  struct DeflatedForm {
    WsHeader ws_header;
    std::string ws_bytes;
  };
  // The forms built on first use, each once, in one object made with the first of them: most
  // frames (text sent over WebSocket to v4 clients without compression) never need one, and a
  // frame kept for recovery or queued for many sessions stays small.
  struct LaterForms {
    std::once_flag polling_once;
    std::string polling;  // binary frames only: text frames poll as they are
    std::once_flag v3_once;
    V3Forms v3;
    std::once_flag deflated_once;
    DeflatedForm deflated;
  };
  LaterForms& later() const;
  const V3Forms& v3() const;
  const DeflatedForm& deflated() const;
  mutable std::once_flag later_once_;
  mutable std::unique_ptr<LaterForms> later_;
};

}  // namespace sio::engineio
