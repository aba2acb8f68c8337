#include "engineio/websocket_reader.hpp"

#include "engineio/deflate.hpp"

namespace sio::engineio {

namespace {

// Buffers that grew for one large message are given back rather than kept per connection.
constexpr std::size_t kKeepCapacity = 4096;

void release_if_large(std::string& s) {
  if (s.empty() && s.capacity() > kKeepCapacity) std::string().swap(s);
}

uint64_t read_be(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

void unmask(char* payload, std::size_t size, const unsigned char* key) {
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
}

bool is_control(uint8_t opcode) {
  return (opcode & 0x8) != 0;
}

}  // namespace

uint16_t WebSocketReader::consume(char* data, std::size_t size, Handler& handler) {
  const bool carried = !pending_.empty();
  if (carried) pending_.append(data, size);
  char* buf = carried ? pending_.data() : data;
  const std::size_t len = carried ? pending_.size() : size;

  std::size_t pos = 0;
  uint16_t error = 0;
  Step step = Step::next;
  while (step == Step::next) step = parse_one(buf, len, pos, handler, error);
  if (error || step == Step::stop) {
    pending_.clear();
    release_if_large(pending_);
    return error;
  }
  if (carried) {
    pending_.erase(0, pos);
  } else {
    pending_.assign(data + pos, len - pos);
  }
  release_if_large(pending_);
  return 0;
}

WebSocketReader::Step WebSocketReader::parse_one(char* buf, std::size_t size, std::size_t& pos,
                                                 Handler& handler, uint16_t& error) {
  const std::size_t avail = size - pos;
  if (avail < 2) return Step::need_more;
  const auto* p = reinterpret_cast<const unsigned char*>(buf + pos);
  const bool fin = (p[0] & 0x80) != 0;
  const uint8_t opcode = p[0] & 0x0F;
  // RSV1 marks the first frame of a compressed message when permessage-deflate was negotiated;
  // the other reserved bits must be clear. Clients must mask.
  const bool compressed = (p[0] & 0x40) != 0;
  if ((p[0] & 0x30) != 0 || (p[1] & 0x80) == 0 ||
      (compressed && (!deflate_ || is_control(opcode) || opcode == 0x0))) {
    error = kProtocolError;
    return Step::stop;
  }
  uint64_t length = p[1] & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (avail < 4) return Step::need_more;
    length = read_be(p + 2, 2);
    header = 4;
  } else if (length == 127) {
    if (avail < 10) return Step::need_more;
    length = read_be(p + 2, 8);
    header = 10;
    if (length >> 63) {
      error = kProtocolError;
      return Step::stop;
    }
  }
  if (is_control(opcode)) {
    const bool known = opcode == 0x8 || opcode == 0x9 || opcode == 0xA;
    if (!known || !fin || length > 125) {
      error = kProtocolError;
      return Step::stop;
    }
  } else {
    const bool known = opcode <= 0x2;
    const bool continues = opcode == 0x0;
    if (!known || continues != in_message_) {
      error = kProtocolError;
      return Step::stop;
    }
    if (length > max_message_ - message_.size()) {
      error = kMessageTooBig;
      return Step::stop;
    }
  }
  header += 4;  // masking key
  if (avail < header || avail - header < length) return Step::need_more;

  char* payload = buf + pos + header;
  unmask(payload, length, p + header - 4);
  pos += header + length;
  const std::string_view view(payload, length);
  if (!deliver(static_cast<WsOpcode>(opcode), fin, compressed, view, handler, error)) {
    return Step::stop;
  }
  return Step::next;
}

bool WebSocketReader::deliver(WsOpcode opcode, bool fin, bool compressed,
                              std::string_view payload, Handler& handler, uint16_t& error) {
  if (is_control(static_cast<uint8_t>(opcode))) return handler.on_control(opcode, payload);
  if (opcode != WsOpcode::continuation) {
    if (fin) {
      return deliver_message(payload, opcode == WsOpcode::binary, compressed, handler, error);
    }
    in_message_ = true;
    message_binary_ = opcode == WsOpcode::binary;
    message_compressed_ = compressed;
    message_.assign(payload);
    return true;
  }
  message_.append(payload);
  if (!fin) return true;
  in_message_ = false;
  const bool go_on =
      deliver_message(message_, message_binary_, message_compressed_, handler, error);
  message_.clear();
  release_if_large(message_);
  return go_on;
}

bool WebSocketReader::deliver_message(std::string_view data, bool binary, bool compressed,
                                      Handler& handler, uint16_t& error) {
  if (!compressed) return handler.on_message(data, binary);
  bool too_big = false;
  auto inflated = inflate_message(data, max_message_, too_big);
  if (!inflated) {
    error = too_big ? kMessageTooBig : kProtocolError;
    return false;
  }
  return handler.on_message(*inflated, binary);
}

}  // namespace sio::engineio
