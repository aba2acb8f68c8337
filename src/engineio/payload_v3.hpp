#pragma once
// The polling payloads of Engine.IO v3 (socket.io-client 2.x, with ServerOptions::allow_eio3),
// as a client POSTs them. Writing them is the frames' business (Frame::polling_v3_text,
// polling_v3_binary).
//
// Text: packets one after another, each "<length>:<packet>", the length counted in UTF-16 code
// units as JavaScript counts a string; a binary packet travels as "b4" + base64.
// Binary (Content-Type application/octet-stream, from clients that take binary): each packet is
// <0 text | 1 binary> <length in bytes, one byte 0–9 per decimal digit> 0xFF <packet>, a binary
// packet being its type byte (4) then the bytes.
//
// As for v4, one broken packet refuses the whole payload (nullopt).

#include <optional>
#include <string_view>
#include <vector>

#include "engineio/packet.hpp"

namespace sio::engineio {

std::optional<std::vector<Packet>> decode_payload_v3_text(std::string_view body);
std::optional<std::vector<Packet>> decode_payload_v3_binary(std::string_view body);

// A v3 WebSocket binary message: the packet type byte, then the bytes.
std::optional<PacketView> decode_binary_packet_v3(std::string_view message);

}  // namespace sio::engineio
