#pragma once
// The packets of socket.io-msgpack-parser 3.x: each packet is one MessagePack map written as one
// binary Engine.IO message, {type, data, id?, nsp}, in notepack.io's encoding (msgpack.hpp).
// Types 0–4 only: binaries sit inline in `data`, there are no BINARY_EVENT/BINARY_ACK packets and
// no attachments. Keys may come in any order, extra keys (the client's `options`) are ignored, and
// a key whose value is `undefined` counts as absent.

#include <optional>
#include <string>
#include <string_view>

#include "socketio/decoder.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

// `offset`, when given, is appended to an EVENT's data as one more string argument (connection
// state recovery), without copying the data.
std::string encode_msgpack_packet(const Packet& packet, std::string_view offset = {});

// nullopt (and `error` says why) for anything socket.io-msgpack-parser's decoder refuses, and
// past `limits` (nesting of `data`, event name length).
std::optional<Packet> decode_msgpack_packet(std::string_view bytes, const DecoderLimits& limits,
                                            std::string* error = nullptr);

}  // namespace sio::socketio
