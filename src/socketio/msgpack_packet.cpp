#include "socketio/msgpack_packet.hpp"

#include <cmath>

#include "socketio/msgpack.hpp"

namespace sio::socketio {

namespace {

// Above 2^53 a JavaScript number is no longer an exact integer.
constexpr double kMaxSafeInteger = 9007199254740991.0;

std::optional<std::uint64_t> whole_number(const json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto n = value.get<std::int64_t>();
    if (n >= 0) return static_cast<std::uint64_t>(n);
    return std::nullopt;
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (d >= 0 && d <= kMaxSafeInteger && std::floor(d) == d) return static_cast<std::uint64_t>(d);
  }
  return std::nullopt;
}

// Where a packet's data may be an object: CONNECT (auth, the reply) and CONNECT_ERROR.
bool data_valid(PacketType type, const json* data) {
  switch (type) {
    case PacketType::connect:
      return !data || data->is_object();
    case PacketType::disconnect:
      return !data;
    case PacketType::connect_error:
      return data && (data->is_string() || data->is_object());
    default:
      return data && data->is_array();
  }
}

}  // namespace

std::string encode_msgpack_packet(const Packet& packet, std::string_view offset) {
  // The binary forms of the text parser do not exist here: binaries are inline.
  auto type = packet.type;
  if (type == PacketType::binary_event) type = PacketType::event;
  if (type == PacketType::binary_ack) type = PacketType::ack;
  const bool has_data = !packet.data.is_null() || !offset.empty();
  std::string out;
  msgpack::Writer w(out);
  w.map_header(2 + (has_data ? 1 : 0) + (packet.id ? 1 : 0));
  w.string("type");
  w.unsigned_integer(static_cast<std::uint64_t>(type));
  if (has_data) {
    w.string("data");
    if (offset.empty()) {
      w.value(packet.data);
    } else {
      w.array_header(packet.data.size() + 1);
      for (const auto& item : packet.data) w.value(item);
      w.string(offset);
    }
  }
  if (packet.id) {
    w.string("id");
    w.unsigned_integer(*packet.id);
  }
  w.string("nsp");
  w.string(packet.nsp);
  return out;
}

std::optional<Packet> decode_msgpack_packet(std::string_view bytes, const DecoderLimits& limits,
                                            std::string* error) {
  auto fail = [&](const char* message) -> std::optional<Packet> {
    if (error) *error = message;
    return std::nullopt;
  };
  json map;
  try {
    // One level more than the data's own limit: the packet's map.
    map = msgpack::decode(bytes, limits.max_depth + 1);
  } catch (const msgpack::DecodeError& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
  if (!map.is_object()) return fail("msgpack packet is not a map");
  const auto type_it = map.find("type");
  const auto type_number = type_it == map.end() ? std::nullopt : whole_number(*type_it);
  if (!type_number || *type_number > static_cast<std::uint64_t>(PacketType::connect_error)) {
    return fail("invalid packet type");
  }
  const auto nsp_it = map.find("nsp");
  if (nsp_it == map.end() || !nsp_it->is_string()) return fail("invalid namespace");

  Packet packet;
  packet.type = static_cast<PacketType>(*type_number);
  packet.nsp = nsp_it->get<std::string>();
  const auto data_it = map.find("data");
  const json* data = data_it == map.end() ? nullptr : &*data_it;
  if (!data_valid(packet.type, data)) return fail("invalid payload");
  if (const auto id_it = map.find("id"); id_it != map.end()) {
    const auto id = whole_number(*id_it);
    if (!id || *id > static_cast<std::uint64_t>(kMaxSafeInteger)) return fail("invalid packet id");
    if (packet.type != PacketType::event && packet.type != PacketType::ack) {
      return fail("invalid packet id");
    }
    packet.id = id;
  }
  if (packet.type == PacketType::event) {
    // As the text parser: the first argument names the event, and the client API's own names
    // cannot be emitted.
    if (data->empty() || !(*data)[0].is_string()) return fail("invalid payload");
    const auto& name = (*data)[0].get_ref<const std::string&>();
    if (is_reserved_event(name)) return fail("invalid payload");
    if (name.size() > limits.max_event_name_bytes) return fail("event name too long");
  }
  if (data) packet.data = std::move(*data_it);
  if (packet.type == PacketType::connect && !data) packet.data = json::object();
  return packet;
}

}  // namespace sio::socketio
