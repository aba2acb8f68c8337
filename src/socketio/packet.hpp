#pragma once
// Socket.IO v5 packets and their text encoding. Binary values (json::binary_t) anywhere in the
// data travel as separate Engine.IO binary messages, replaced in the text by placeholders
// {"_placeholder":true,"num":n}.

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/frame.hpp"
#include "socketio/parser.hpp"

namespace sio::socketio {

using json = nlohmann::ordered_json;

enum class PacketType : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  // Absent data is null. Events and acks carry an array; CONNECT an object.
  json data;
};

struct EncodedPacket {
  std::string text;
  std::vector<std::string> attachments;
};

// Encodes a packet; EVENT/ACK become BINARY_EVENT/BINARY_ACK when the data holds binary.
EncodedPacket encode(const Packet& packet);

// The Engine.IO frames of a packet (the text first, then each attachment), built once and
// shareable by any number of recipients. Almost every packet is one frame (attachments add
// theirs): the first is kept inline, without an allocation.
using Frames = boost::container::small_vector<engineio::FramePtr, 1>;
Frames encode_frames(const Packet& packet);
// The same in `parser`'s encoding (msgpack: one binary frame). `offset`, when given, is appended
// to an EVENT's data as one more string argument (connection state recovery).
Frames encode_frames(const Packet& packet, Parser parser, std::string_view offset = {});

// True when the value holds a binary somewhere.
bool has_binary(const json& value);

}  // namespace sio::socketio
