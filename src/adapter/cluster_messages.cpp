#include "adapter/cluster_messages.hpp"

#include "adapter/redis_messages.hpp"
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

MessageType type_of(const json& message) {
  return static_cast<MessageType>(message.at("type").get<int>());
}

}  // namespace sio::adapter::clustered
