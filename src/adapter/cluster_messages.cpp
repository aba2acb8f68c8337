#include "adapter/cluster_messages.hpp"

#include "adapter/broadcast_event_reader.hpp"
#include "adapter/redis_messages.hpp"
#include "socketio/json_cursor.hpp"
#include "socketio/msgpack.hpp"

namespace sio::adapter::clustered {

json options_to_json(const BroadcastOptions& options) {
  json flags = json::object();
  if (options.flags.is_volatile) flags["volatile"] = true;
  if (options.flags.timeout) flags["timeout"] = options.flags.timeout->count();
  return {{"rooms", options.rooms}, {"except", options.except}, {"flags", std::move(flags)}};
}

BroadcastOptions options_from_json(const json& value) {
  auto options = redis::options_from_json(value);
  if (!value.is_object()) return options;
  if (auto flags = value.find("flags"); flags != value.end() && flags->is_object()) {
    if (auto timeout = flags->find("timeout");
        timeout != flags->end() && timeout->is_number() && timeout->get<double>() >= 0) {
      options.flags.timeout = std::chrono::milliseconds(timeout->get<std::int64_t>());
    }
  }
  return options;
}

json packet_to_json(const socketio::Packet& packet) {
  // Node publishes before socket.io-parser turns an EVENT holding binaries into BINARY_EVENT.
  auto type = packet.type;
  if (type == socketio::PacketType::binary_event) type = socketio::PacketType::event;
  if (type == socketio::PacketType::binary_ack) type = socketio::PacketType::ack;
  return {{"type", static_cast<int>(type)}, {"data", packet.data}};
}

std::string encode(const json& message) {
  if (auto data = message.find("data"); data != message.end() && socketio::has_binary(*data)) {
    return socketio::msgpack::encode(message);
  }
  return redis::stringify(message);
}

json decode(std::string_view bytes) {
  auto message = redis::decode_envelope(bytes);
  if (message.is_discarded()) return message;
  auto type = message.find("type");
  if (type == message.end() || !type->is_number_integer() || *type < 1 || *type > 13) {
    return json(json::value_t::discarded);
  }
  return message;
}

namespace {

using socketio::JsonCursor;

bool read_broadcast_data(JsonCursor& in, redis::BroadcastEvent& event) {
  if (!in.begin_object()) return false;
  bool has_packet = false;
  std::string_view key;
  while (in.next_key(key)) {
    if (key == "opts") {
      if (!event_reader::read_options(in, event.options)) return false;
    } else if (key == "packet") {
      // The message's nsp is the one that counts.
      if (has_packet || !event_reader::read_event_packet(in, event, nullptr)) return false;
      has_packet = true;
    } else if (key == "requestId") {
      return false;  // with acks: the full way
    } else if (!in.skip()) {
      return false;
    }
  }
  return in.ok() && has_packet;
}

}  // namespace

std::optional<redis::BroadcastEvent> decode_broadcast_data(std::string_view data) {
  JsonCursor in(data);
  redis::BroadcastEvent event;
  if (!read_broadcast_data(in, event) || !in.at_end()) return std::nullopt;
  return event;
}

std::optional<redis::BroadcastEvent> decode_broadcast_event(std::string_view message) {
  if (message.empty() || message.front() != '{') return std::nullopt;
  JsonCursor in(message);
  redis::BroadcastEvent event;
  bool is_broadcast = false;
  bool has_data = false;
  if (!in.begin_object()) return std::nullopt;
  std::string_view key;
  while (in.next_key(key)) {
    bool read = true;
    if (key == "type") {
      std::int64_t type = 0;
      read = in.read_integer(type);
      is_broadcast = type == static_cast<std::int64_t>(MessageType::broadcast);
    } else if (key == "data") {
      read = !has_data && read_broadcast_data(in, event);
      has_data = true;
    } else if (key == "uid") {
      read = in.read_string(event.uid);
    } else if (key == "nsp") {
      read = in.read_string(event.nsp);
    } else {
      read = in.skip();
    }
    if (!read) return std::nullopt;
  }
  if (!in.at_end() || !is_broadcast || !has_data) return std::nullopt;
  return event;
}

MessageType type_of(const json& message) {
  return static_cast<MessageType>(message.at("type").get<int>());
}

}  // namespace sio::adapter::clustered
