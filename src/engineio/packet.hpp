#pragma once
// Engine.IO v4 packets and their two encodings: one packet per WebSocket frame, and
// "\x1e"-separated payloads for HTTP long-polling (binary as "b" + base64).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::engineio {

enum class PacketType : uint8_t { open = 0, close, ping, pong, message, upgrade, noop };

// The record separator between packets of a polling payload.
inline constexpr char kRecordSeparator = '\x1e';

// A decoded packet. `data` is the payload without the type character; for a binary packet it
// holds the raw bytes.
struct Packet {
  PacketType type;
  std::string data;
  bool binary = false;

  bool operator==(const Packet&) const = default;
};

// A decoded text packet that still points into the buffer it came from (no copy on the
// WebSocket read path).
struct PacketView {
  PacketType type;
  std::string_view data;
};

// Decodes "<type>[data]" from a WebSocket text frame. Rejects an empty frame, an unknown type
// and invalid UTF-8.
std::optional<PacketView> decode_text_packet(std::string_view frame);

// Decodes a polling request body. Every packet must be well formed or the whole payload is
// refused (nullopt), because the spec leaves no way to resume after a broken record.
std::optional<std::vector<Packet>> decode_payload(std::string_view body);

// Encodes one packet the way it travels inside a polling payload.
std::string encode_for_polling(const Packet& packet);

// Encodes several packets into one polling payload.
std::string encode_payload(const std::vector<Packet>& packets);

}  // namespace sio::engineio
