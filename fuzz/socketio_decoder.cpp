// Socket.IO packet decoder, binary attachments included: the messages one client sends, in
// order. The input is split on 0xFF (never part of UTF-8 text); a message that starts with 0xFE
// is a binary attachment (the bytes after it), any other is a text message.
//
// Every packet the decoder accepts must survive a round trip: encoded again (binary values back
// into placeholders and attachments) and fed to a fresh decoder, it must come out the same. And
// it may not hold more binary bytes than the client sent as attachments.
//
// The whole input is also one message for the msgpack parser: a packet it accepts must encode
// and decode back to itself.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "socketio/decoder.hpp"
#include "socketio/msgpack_packet.hpp"
#include "socketio/packet.hpp"

using namespace sio::socketio;

namespace {

constexpr char kSeparator = '\xff';
constexpr char kBinaryMark = '\xfe';

std::size_t binary_bytes(const json& value) {
  if (value.is_binary()) return value.get_binary().size();
  std::size_t total = 0;
  if (value.is_array() || value.is_object()) {
    for (const auto& child : value) total += binary_bytes(child);
  }
  return total;
}

void check_round_trip(const Packet& packet) {
  if (packet.type == PacketType::binary_event || packet.type == PacketType::binary_ack)
    __builtin_trap();  // the application only ever sees EVENT/ACK
  const auto encoded = encode(packet);
  Decoder decoder;
  auto status = decoder.add_text(encoded.text);
  for (const auto& attachment : encoded.attachments) {
    if (status != Decoder::Status::need_more) __builtin_trap();
    status = decoder.add_binary(attachment);
  }
  if (status != Decoder::Status::packet) __builtin_trap();
  const auto again = decoder.take();
  if (again.type != packet.type || again.nsp != packet.nsp || again.id != packet.id ||
      again.data != packet.data) {
    __builtin_trap();
  }
}

void check_msgpack(std::string_view message) {
  const auto packet = decode_msgpack_packet(message, DecoderLimits{});
  if (!packet) return;
  const auto again = decode_msgpack_packet(encode_msgpack_packet(*packet), DecoderLimits{});
  if (!again || again->type != packet->type || again->nsp != packet->nsp ||
      again->id != packet->id || again->data != packet->data) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Decoder decoder;
  std::size_t attached = 0;  // attachment bytes since the last text message
  while (true) {
    const auto end = input.find(kSeparator);
    const auto message = input.substr(0, end);
    const bool binary = !message.empty() && message.front() == kBinaryMark;
    if (binary)
      attached += message.size() - 1;
    else
      attached = 0;
    const auto status = binary ? decoder.add_binary(message.substr(1)) : decoder.add_text(message);
    if (status == Decoder::Status::packet) {
      const auto packet = decoder.take();
      if (binary_bytes(packet.data) > attached) __builtin_trap();
      check_round_trip(packet);
    }
    if (status == Decoder::Status::error && decoder.error().empty()) __builtin_trap();
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  check_msgpack(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
