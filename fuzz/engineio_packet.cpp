// Engine.IO text packet decoder (one WebSocket text frame, "<type>[data]"). Anything decoded
// must be what was sent: the type character followed by valid UTF-8 data, nothing lost.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engineio/packet.hpp"
#include "engineio/utf8.hpp"

using namespace sio::engineio;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto packet = decode_text_packet(frame);
  if (!packet) return 0;

  if (static_cast<int>(packet->type) > static_cast<int>(PacketType::noop)) __builtin_trap();
  if (!is_valid_utf8(packet->data)) __builtin_trap();
  // The view points into the frame, right after the type character.
  if (packet->data.data() != frame.data() + 1 || packet->data.size() + 1 != frame.size())
    __builtin_trap();
  const Packet copy{packet->type, std::string(packet->data), false};
  if (encode_for_polling(copy) != frame) __builtin_trap();
  return 0;
}
