#include "engineio/frame.hpp"

#include "engineio/base64.hpp"

namespace sio::engineio {

WsHeader WsHeader::make(WsOpcode opcode, std::size_t payload_size) {
  WsHeader header;
  auto& b = header.bytes;
  b[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(opcode));  // FIN
  if (payload_size < 126) {
    b[1] = static_cast<uint8_t>(payload_size);
    header.size = 2;
  } else if (payload_size <= 0xFFFF) {
    b[1] = 126;
    b[2] = static_cast<uint8_t>(payload_size >> 8);
    b[3] = static_cast<uint8_t>(payload_size);
    header.size = 4;
  } else {
    b[1] = 127;
    for (int i = 0; i < 8; ++i) b[2 + i] = static_cast<uint8_t>(uint64_t(payload_size) >> (56 - 8 * i));
    header.size = 10;
  }
  return header;
}

FramePtr Frame::text(PacketType type, std::string_view data) {
  std::string bytes;
  bytes.reserve(data.size() + 1);
  bytes += char('0' + static_cast<int>(type));
  bytes += data;
  return std::make_shared<const Frame>(type, std::move(bytes), false, WsOpcode::text);
}

FramePtr Frame::binary(std::string bytes) {
  return std::make_shared<const Frame>(PacketType::message, std::move(bytes), true,
                                       WsOpcode::binary);
}

FramePtr Frame::websocket_control(WsOpcode opcode, std::string payload) {
  return std::make_shared<const Frame>(PacketType::noop, std::move(payload), true, opcode);
}

std::string_view Frame::polling_bytes() const {
  if (!binary_) return bytes_;
  std::call_once(polling_once_, [this] {
    polling_ = 'b';
    polling_ += base64_encode(bytes_);
  });
  return polling_;
}

}  // namespace sio::engineio
