#include "adapter/redis_messages.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>

#include "adapter/broadcast_event_reader.hpp"
#include "socketio/json_parse.hpp"
#include "socketio/msgpack.hpp"
#include "socketio/msgpack_cursor.hpp"

namespace sio::adapter::redis {

namespace msgpack = socketio::msgpack;

namespace {

// Flags as Node's BroadcastOperator sets them; `local` never travels (local broadcasts are not
// published).
std::size_t flag_count(const BroadcastFlags& flags) {
  return (flags.is_volatile ? 1 : 0) + (flags.timeout ? 1 : 0);
}

void write_flags(msgpack::Writer& w, const BroadcastFlags& flags) {
  w.map_header(flag_count(flags));
  if (flags.is_volatile) {
    w.string("volatile");
    w.boolean(true);
  }
  if (flags.timeout) {
    w.string("timeout");
    w.integer(flags.timeout->count());
  }
}

void write_rooms(msgpack::Writer& w, const std::vector<Room>& rooms) {
  w.array_header(rooms.size());
  for (const auto& room : rooms) w.string(room);
}

// {rooms, except, flags}, in the key order of the Node adapter.
void write_options(msgpack::Writer& w, const BroadcastOptions& options) {
  w.map_header(3);
  w.string("rooms");
  write_rooms(w, options.rooms);
  w.string("except");
  write_rooms(w, options.except);
  w.string("flags");
  write_flags(w, options.flags);
}

// {type, data, nsp[, id]}: the packet object of Node's BroadcastOperator, after the adapter set
// its namespace.
void write_packet(msgpack::Writer& w, const socketio::Packet& packet) {
  w.map_header(packet.id ? 4 : 3);
  w.string("type");
  w.unsigned_integer(static_cast<std::uint64_t>(packet.type));
  w.string("data");
  w.value(packet.data);
  w.string("nsp");
  w.string(packet.nsp);
  if (packet.id) {
    w.string("id");
    w.unsigned_integer(*packet.id);
  }
}

std::string room_name(const json& value) {
  // Node allows numbers as room names; they travel as numbers.
  return value.is_string() ? value.get<std::string>() : stringify(value);
}

}  // namespace

Channels::Channels(const std::string& key, const std::string& nsp, const std::string& uid)
    : broadcast(key + "#" + nsp + "#"),
      request(key + "-request#" + nsp + "#"),
      response(key + "-response#" + nsp + "#"),
      specific_response(response + uid + "#") {}

std::string Channels::broadcast_for(const BroadcastOptions& options) const {
  if (options.rooms.size() == 1) return broadcast + options.rooms.front() + "#";
  return broadcast;
}

std::optional<std::string_view> Channels::room_of(std::string_view channel) const {
  if (!channel.starts_with(broadcast)) return std::nullopt;
  channel.remove_prefix(broadcast.size());
  if (channel.empty()) return channel;
  if (!channel.ends_with('#')) return std::nullopt;
  channel.remove_suffix(1);
  return channel;
}

std::string encode_broadcast(std::string_view uid, const socketio::Packet& packet,
                             const BroadcastOptions& options) {
  std::string out;
  msgpack::Writer w(out);
  w.array_header(3);
  w.string(uid);
  write_packet(w, packet);
  write_options(w, options);
  return out;
}

std::optional<BroadcastMessage> decode_broadcast(std::string_view bytes) {
  json message;
  try {
    message = msgpack::decode(bytes);
  } catch (const msgpack::DecodeError&) {
    return std::nullopt;
  }
  if (!message.is_array() || message.size() < 2 || !message[0].is_string()) return std::nullopt;
  auto packet = packet_from_json(std::move(message[1]));
  if (!packet) return std::nullopt;
  BroadcastMessage out{message[0].get<std::string>(), std::move(*packet), {}};
  if (message.size() >= 3) out.options = options_from_json(message[2]);
  return out;
}

std::optional<BroadcastEvent> decode_broadcast_event(std::string_view bytes) {
  msgpack::Cursor in(bytes);
  BroadcastEvent event;
  event.nsp = "/";
  // JSON text takes about as many bytes as MessagePack, and the packet's text is made in the same
  // buffer (encode_event_broadcast): one allocation, mostly.
  event.data.reserve(bytes.size() + 32);
  std::uint64_t size = 0;
  if (!in.read_array(size) || size < 2 || size > 3) return std::nullopt;
  if (!in.read_string(event.uid) || !event_reader::read_event_packet(in, event, &event.nsp)) {
    return std::nullopt;
  }
  if (size == 3 && !event_reader::read_options(in, event.options)) return std::nullopt;
  if (!in.at_end()) return std::nullopt;
  return event;
}

std::string encode_broadcast_request(std::string_view uid, std::string_view request_id,
                                     const socketio::Packet& packet,
                                     const BroadcastOptions& options) {
  std::string out;
  msgpack::Writer w(out);
  w.map_header(5);
  w.string("uid");
  w.string(uid);
  w.string("requestId");
  w.string(request_id);
  w.string("type");
  w.unsigned_integer(static_cast<std::uint64_t>(RequestType::broadcast));
  w.string("packet");
  write_packet(w, packet);
  w.string("opts");
  write_options(w, options);
  return out;
}

std::string encode_broadcast_ack(std::string_view request_id, const json& response) {
  std::string out;
  msgpack::Writer w(out);
  w.map_header(3);
  w.string("type");
  w.unsigned_integer(static_cast<std::uint64_t>(RequestType::broadcast_ack));
  w.string("requestId");
  w.string(request_id);
  w.string("packet");
  w.value(response);
  return out;
}

json decode_envelope(std::string_view bytes) {
  json value = json(json::value_t::discarded);
  if (!bytes.empty() && bytes.front() == '{') {
    value = socketio::parse_json(bytes);
  } else {
    try {
      value = msgpack::decode(bytes);
    } catch (const msgpack::DecodeError&) {
      return json(json::value_t::discarded);
    }
  }
  return value.is_object() ? value : json(json::value_t::discarded);
}

json options_to_json(const BroadcastOptions& options) {
  return {{"rooms", options.rooms}, {"except", options.except}};
}

std::vector<Room> rooms_from_json(const json& value) {
  std::vector<Room> rooms;
  if (!value.is_array()) return rooms;
  rooms.reserve(value.size());
  for (const auto& room : value) rooms.push_back(room_name(room));
  return rooms;
}

BroadcastOptions options_from_json(const json& value) {
  BroadcastOptions options;
  if (!value.is_object()) return options;
  if (auto it = value.find("rooms"); it != value.end()) options.rooms = rooms_from_json(*it);
  if (auto it = value.find("except"); it != value.end()) options.except = rooms_from_json(*it);
  if (auto it = value.find("flags"); it != value.end() && it->is_object()) {
    options.flags.is_volatile = member_or_null(*it, "volatile") == true;
  }
  return options;
}

std::optional<socketio::Packet> packet_from_json(json value) {
  if (!value.is_object()) return std::nullopt;
  socketio::Packet packet;
  auto type = value.find("type");
  if (type == value.end() || !type->is_number_integer() || *type < 0 || *type > 6)
    return std::nullopt;
  packet.type = static_cast<socketio::PacketType>(type->get<int>());
  // socket.io-parser turns EVENT into BINARY_EVENT itself when the data holds binaries.
  if (packet.type == socketio::PacketType::binary_event) packet.type = socketio::PacketType::event;
  if (packet.type == socketio::PacketType::binary_ack) packet.type = socketio::PacketType::ack;
  if (auto nsp = value.find("nsp"); nsp != value.end() && nsp->is_string())
    packet.nsp = nsp->get<std::string>();
  if (auto id = value.find("id"); id != value.end() && id->is_number_unsigned())
    packet.id = id->get<std::uint64_t>();
  if (auto data = value.find("data"); data != value.end()) packet.data = std::move(*data);
  return packet;
}

std::optional<RequestType> type_of(const json& message) {
  auto it = message.find("type");
  if (it == message.end() || !it->is_number_integer()) return std::nullopt;
  const auto type = it->get<int>();
  if (type < 0 || type > static_cast<int>(RequestType::broadcast_ack)) return std::nullopt;
  return static_cast<RequestType>(type);
}

std::string string_field(const json& message, const char* name) {
  auto it = message.find(name);
  return it != message.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json member_or_null(const json& message, const char* name) {
  auto it = message.find(name);
  return it == message.end() ? json(nullptr) : *it;
}

std::string stringify(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<unsigned char> random_bytes(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  std::size_t got = 0;
  while (got < bytes.size()) {
    const auto n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<std::size_t>(n);
  }
  return bytes;
}

std::string random_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const auto bytes = random_bytes(6);
  std::string id;
  for (auto byte : bytes) id += kAlphabet[byte % 62];
  return id;
}

}  // namespace sio::adapter::redis
