// Engine.IO polling payload decoders: v4 (a POST body: records separated by "\x1e", binary
// records as "b" + base64) and v3 (length-prefixed text, and XHR2 binary payloads). A payload that
// decodes must encode back to one that decodes to the same packets.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/frame.hpp"
#include "engineio/packet.hpp"
#include "engineio/payload_v3.hpp"

using namespace sio::engineio;

namespace {

// What the server writes for these packets in v3, text and binary forms.
void check_v3_round_trip(const std::vector<Packet>& packets) {
  std::string text, binary;
  for (const auto& packet : packets) {
    if (packet.binary && packet.type != PacketType::message) __builtin_trap();
    auto frame = packet.binary ? Frame::binary(packet.data) : Frame::text(packet.type, packet.data);
    text += frame->polling_v3_text();
    binary += frame->polling_v3_binary();
  }
  const auto from_text = decode_payload_v3_text(text);
  const auto from_binary = decode_payload_v3_binary(binary);
  if (!from_text || *from_text != packets || !from_binary || *from_binary != packets)
    __builtin_trap();
}

void check_v4(std::string_view body) {
  const auto packets = decode_payload(body);
  if (!packets) return;

  if (packets->empty()) __builtin_trap();
  for (const auto& packet : *packets) {
    if (packet.binary && packet.type != PacketType::message) __builtin_trap();
  }
  // Base64 may have spent bits that the encoder writes as zero, so the text may differ; the
  // packets may not.
  const auto again = decode_payload(encode_payload(*packets));
  if (!again || *again != *packets) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  check_v4(body);
  if (const auto packets = decode_payload_v3_text(body)) check_v3_round_trip(*packets);
  if (const auto packets = decode_payload_v3_binary(body)) check_v3_round_trip(*packets);
  return 0;
}
