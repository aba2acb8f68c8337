#include "engineio/frame.hpp"

#include "engineio/base64.hpp"
#include "engineio/deflate.hpp"

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

PacketType Frame::text_packet_type(std::string_view packet) {
  return packet.empty() ? PacketType::message : static_cast<PacketType>(packet[0] - '0');
}

FramePtr Frame::binary(std::string bytes) {
  return std::make_shared<const Frame>(PacketType::message, std::move(bytes), true,
                                       WsOpcode::binary);
}

FramePtr Frame::websocket_control(WsOpcode opcode, std::string payload) {
  return std::make_shared<const Frame>(PacketType::noop, std::move(payload), true, opcode);
}

namespace {

// The length of UTF-8 text as JavaScript counts it: UTF-16 code units (two for a character past
// U+FFFF, which takes four bytes in UTF-8).
std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++units;  // a leading byte (or ASCII)
    if (c >= 0xF0) ++units;           // a four-byte sequence: a surrogate pair
  }
  return units;
}

}  // namespace

Frame::LaterForms& Frame::later() const {
  std::call_once(later_once_, [this] { later_ = std::make_unique<LaterForms>(); });
  return *later_;
}

const Frame::V3Forms& Frame::v3() const {
  auto& later_forms = later();
  std::call_once(later_forms.v3_once, [this, &later_forms] {
    auto& forms = later_forms.v3;
    const std::string_view packet = binary_ ? std::string_view() : std::string_view(bytes_);
    if (binary_) {
      forms.ws_bytes = '\x04' + bytes_;
      forms.ws_header = WsHeader::make(WsOpcode::binary, forms.ws_bytes.size());
      forms.polling_text = "b4" + base64_encode(bytes_);
      forms.polling_text.insert(0, std::to_string(forms.polling_text.size()) + ":");
    } else {
      forms.polling_text = std::to_string(utf16_length(packet)) + ":";
      forms.polling_text += packet;
    }
    const std::string_view record = binary_ ? std::string_view(forms.ws_bytes) : packet;
    auto& out = forms.polling_binary;
    out += static_cast<char>(binary_ ? 1 : 0);
    for (char digit : std::to_string(record.size())) out += static_cast<char>(digit - '0');
    out += '\xff';
    out += record;
  });
  return later_forms.v3;
}

const Frame::DeflatedForm& Frame::deflated() const {
  auto& later_forms = later();
  std::call_once(later_forms.deflated_once, [this, &later_forms] {
    auto& form = later_forms.deflated;
    auto compressed = deflate_message(bytes_);
    const auto opcode = static_cast<WsOpcode>(ws_header_.bytes[0] & 0x0F);
    if (compressed.size() < bytes_.size()) {
      form.ws_bytes = std::move(compressed);
      form.ws_header = WsHeader::make(opcode, form.ws_bytes.size());
      form.ws_header.bytes[0] |= 0x40;  // RSV1: a compressed message
    } else {
      form.ws_bytes = bytes_;
      form.ws_header = ws_header_;
    }
  });
  return later_forms.deflated;
}

std::string_view Frame::polling_bytes() const {
  if (!binary_) return bytes_;
  auto& later_forms = later();
  std::call_once(later_forms.polling_once, [this, &later_forms] {
    later_forms.polling = 'b';
    later_forms.polling += base64_encode(bytes_);
  });
  return later_forms.polling;
}

}  // namespace sio::engineio
