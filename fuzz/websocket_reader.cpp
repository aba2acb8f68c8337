// WebSocket frame reader (client-to-server frames, src/engineio/websocket_reader.*). The first
// byte picks how the stream is cut into reads (its low 7 bits) and whether permessage-deflate was
// negotiated (its high bit: compressed messages are then inflated, bounded by the same limit); the
// rest is the stream. Whatever the cut, the
// reader must hand over the same messages and control frames and end with the same verdict as
// when it gets the whole stream at once, and never a message over its limit.

#include "engineio/websocket_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using namespace sio::engineio;

namespace {

constexpr std::size_t kMaxMessage = 4096;

struct Recorder : WebSocketReader::Handler {
  std::vector<std::pair<int, std::string>> events;  // opcode (text 1, binary 2, control), data
  bool on_message(std::string_view data, bool binary) override {
    if (data.size() > kMaxMessage) __builtin_trap();
    events.emplace_back(binary ? 2 : 1, std::string(data));
    return true;
  }
  bool on_control(WsOpcode opcode, std::string_view payload) override {
    if (payload.size() > 125) __builtin_trap();
    events.emplace_back(static_cast<int>(opcode), std::string(payload));
    return true;
  }
};

std::pair<std::vector<std::pair<int, std::string>>, uint16_t> run(std::string stream,
                                                                  std::size_t chunk, bool deflate) {
  WebSocketReader reader(kMaxMessage);
  if (deflate) reader.enable_deflate();
  Recorder recorder;
  uint16_t verdict = 0;
  for (std::size_t pos = 0; pos < stream.size() && verdict == 0; pos += chunk) {
    std::string piece = stream.substr(pos, chunk);
    verdict = reader.consume(piece.data(), piece.size(), recorder);
  }
  return {std::move(recorder.events), verdict};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool deflate = (data[0] & 0x80) != 0;
  const std::size_t chunk = (data[0] & 0x7f) == 0 ? 1 : (data[0] & 0x7f);
  const std::string stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto whole = run(stream, stream.size() + 1, deflate);
  const auto cut = run(stream, chunk, deflate);
  if (whole != cut) __builtin_trap();
  return 0;
}
