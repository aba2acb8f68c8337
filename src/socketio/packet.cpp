#include "socketio/packet.hpp"

#include "socketio/msgpack_packet.hpp"

namespace sio::socketio {

namespace {

std::string dump(const json& value) {
  // Invalid UTF-8 in a string the application built is replaced rather than thrown on.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Moves every binary out of `value` (depth-first, in array/object order) into `attachments`.
void deconstruct(json& value, std::vector<std::string>& attachments) {
  if (value.is_binary()) {
    const auto& bytes = value.get_binary();
    attachments.emplace_back(bytes.begin(), bytes.end());
    value = json{{"_placeholder", true}, {"num", attachments.size() - 1}};
    return;
  }
  if (value.is_array() || value.is_object()) {
    for (auto& child : value) deconstruct(child, attachments);
  }
}

}  // namespace

bool has_binary(const json& value) {
  if (value.is_binary()) return true;
  if (value.is_array() || value.is_object()) {
    for (const auto& child : value) {
      if (has_binary(child)) return true;
    }
  }
  return false;
}

EncodedPacket encode(const Packet& packet) {
  EncodedPacket out;
  auto type = packet.type;
  const bool binary = (type == PacketType::event || type == PacketType::ack ||
                       type == PacketType::binary_event || type == PacketType::binary_ack) &&
                      has_binary(packet.data);
  std::string body;
  if (binary) {
    type = (type == PacketType::event || type == PacketType::binary_event) ? PacketType::binary_event
                                                                           : PacketType::binary_ack;
    json copy = packet.data;
    deconstruct(copy, out.attachments);
    body = dump(copy);
  } else if (!packet.data.is_null()) {
    body = dump(packet.data);
  }

  auto& text = out.text;
  text.reserve(body.size() + packet.nsp.size() + 24);
  text += static_cast<char>('0' + static_cast<int>(type));
  if (binary) {
    text += std::to_string(out.attachments.size());
    text += '-';
  }
  if (packet.nsp != "/") {
    text += packet.nsp;
    text += ',';
  }
  if (packet.id) text += std::to_string(*packet.id);
  text += body;
  return out;
}

Frames encode_frames(const Packet& packet) { return encode_frames(packet, Parser::text); }

Frames encode_frames(const Packet& packet, Parser parser, std::string_view offset) {
  if (parser == Parser::msgpack) {
    Frames frames;
    frames.push_back(engineio::Frame::binary(encode_msgpack_packet(packet, offset)));
    return frames;
  }
  auto encoded = encode(packet);
  if (!offset.empty()) {
    // The text `…]` becomes `…,"<offset>"]`. Offsets are digits and a dash, so nothing needs
    // escaping, and the JSON of the data is built once, as for any packet.
    auto& text = encoded.text;
    std::string tail = packet.data.empty() ? "\"" : ",\"";
    tail += offset;
    tail += '"';
    text.insert(text.size() - 1, tail);
  }
  Frames frames;
  frames.reserve(1 + encoded.attachments.size());
  frames.push_back(engineio::Frame::text(engineio::PacketType::message, encoded.text));
  for (auto& attachment : encoded.attachments) {
    frames.push_back(engineio::Frame::binary(std::move(attachment)));
  }
  return frames;
}

}  // namespace sio::socketio
