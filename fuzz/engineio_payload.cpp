// Engine.IO polling payload decoder (a POST body: records separated by "\x1e", binary records as
// "b" + base64). A payload that decodes must encode back to one that decodes to the same packets.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engineio/packet.hpp"

using namespace sio::engineio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto packets = decode_payload(body);
  if (!packets) return 0;

  if (packets->empty()) __builtin_trap();
  for (const auto& packet : *packets) {
    if (packet.binary && packet.type != PacketType::message) __builtin_trap();
  }
  // Base64 may have spent bits that the encoder writes as zero, so the text may differ; the
  // packets may not.
  const auto again = decode_payload(encode_payload(*packets));
  if (!again || *again != *packets) __builtin_trap();
  return 0;
}
