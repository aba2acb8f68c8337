#include "adapter/redis_streams_adapter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <regex>

#include "adapter/redis_messages.hpp"
#include "engineio/base64.hpp"
#include "socketio/msgpack.hpp"

namespace sio::adapter {

using clustered::MessageType;

namespace {

// Node's restoreSession reads at most this many pages of missed entries.
constexpr int kMaxRestoreCalls = 100;

// Requests and their responses travel over Pub/Sub, everything else in the stream.
bool is_ephemeral(const json& message) {
  const auto type = clustered::type_of(message);
  if (type == MessageType::broadcast) {
    return message.at("data").contains("requestId");
  }
  return type == MessageType::server_side_emit || type == MessageType::fetch_sockets;
}

// An entry's `data`: JSON, or base64 MessagePack when it holds binaries (for the types that may).
std::string encode_data(MessageType type, const json& data) {
  const bool may_hold_binary =
      type == MessageType::broadcast || type == MessageType::fetch_sockets_response ||
      type == MessageType::server_side_emit || type == MessageType::server_side_emit_response ||
      type == MessageType::broadcast_ack;
  if (may_hold_binary && socketio::has_binary(data)) {
    return engineio::base64_encode(socketio::msgpack::encode(data));
  }
  return redis::stringify(data);
}

json decode_data(std::string_view text) {
  if (text.empty()) return nullptr;
  if (text.front() == '{') return redis::decode_envelope(text);
  auto bytes = engineio::base64_decode(text);
  if (!bytes) return json(json::value_t::discarded);
  try {
    return socketio::msgpack::decode(*bytes);
  } catch (const socketio::msgpack::DecodeError&) {
    return json(json::value_t::discarded);
  }
}

// Node's shouldIncludePacket: in one of the target rooms (any when none), in no excluded one.
bool reaches(const std::vector<Room>& rooms, const BroadcastOptions& options) {
  auto in = [](const std::vector<Room>& set, const Room& room) {
    return std::find(set.begin(), set.end(), room) != set.end();
  };
  const bool targeted = options.rooms.empty() ||
                        std::any_of(rooms.begin(), rooms.end(),
                                    [&](const Room& room) { return in(options.rooms, room); });
  return targeted && std::none_of(rooms.begin(), rooms.end(),
                                  [&](const Room& room) { return in(options.except, room); });
}

bool is_offset(const std::string& offset) {
  static const std::regex kOffset("^[0-9]+-[0-9]+$");
  return std::regex_match(offset, kOffset);
}

}  // namespace

// A session being restored: the two first answers (session, offset check), then the pages.
struct RedisStreamsAdapter::Restore {
  std::function<void(std::optional<RestoredSession>)> handler;
  std::optional<std::string> session;  // base64 MessagePack, once GETDEL answered
  bool session_answered = false;
  bool offset_found = false;
  bool offset_answered = false;
  RestoredSession restored;
};

RedisStreamsAdapter::RedisStreamsAdapter(LocalNamespace& nsp, std::shared_ptr<RedisClient> client,
                                         std::shared_ptr<RedisStreamReader> reader,
                                         RedisStreamsOptions options)
    : ClusterAdapter(nsp, client->context()),
      client_(std::move(client)),
      reader_(std::move(reader)),
      options_(std::move(options)),
      channel_(options_.channel_prefix + "#" + nsp.name() + "#") {
  on_home([this] { subscribe(); });
}

RedisStreamsAdapter::~RedisStreamsAdapter() {
  close();
}

void RedisStreamsAdapter::subscribe() {
  if (closed_) return;
  auto handler = [this](std::string_view, std::string_view payload) {
    const auto message = clustered::decode(payload);
    if (!message.is_discarded()) on_message(message);
  };
  subscriptions_ = {client_->subscribe(channel_, handler),
                    client_->subscribe(channel_ + uid() + "#", handler)};
  reader_handler_ = reader_->add(
      nsp_.name(),
      [this](const std::string& id, StreamFieldsView fields) { on_entry(id, fields); });
}

void RedisStreamsAdapter::close_transport() {
  for (auto id : subscriptions_) client_->unsubscribe(id);
  subscriptions_.clear();
  if (reader_handler_) reader_->remove(reader_handler_);
  reader_handler_ = 0;
}

void RedisStreamsAdapter::on_entry(const std::string& id, StreamFieldsView fields) {
  int type = 0;
  const auto type_text = field_of(fields, "type");
  std::from_chars(type_text.data(), type_text.data() + type_text.size(), type);
  if (type == static_cast<int>(MessageType::broadcast)) {
    if (auto event = clustered::decode_broadcast_data(field_of(fields, "data"))) {
      event->uid = field_of(fields, "uid");
      event->nsp = field_of(fields, "nsp");
      return on_broadcast_event(std::move(*event), id);
    }
  }
  auto data = decode_data(field_of(fields, "data"));
  if (type < 1 || type > 13 || data.is_discarded()) return;
  on_message(json{{"type", type},
                  {"data", std::move(data)},
                  {"uid", field_of(fields, "uid")},
                  {"nsp", field_of(fields, "nsp")}},
             id);
}

// --- the transport -------------------------------------------------------------------------

bool RedisStreamsAdapter::add_entry(const json& message, RedisConnection::ReplyHandler handler) {
  const auto type = clustered::type_of(message);
  const auto max_len = std::to_string(options_.max_len);
  const auto type_text = std::to_string(static_cast<int>(type));
  const auto data = encode_data(type, message.at("data"));
  const auto& uid = message.at("uid").get_ref<const std::string&>();
  const auto& nsp = message.at("nsp").get_ref<const std::string&>();
  const std::vector<std::string_view> argv{"XADD",   options_.stream_name,
                                           "MAXLEN", "~",
                                           max_len,  "*",
                                           "uid",    uid,
                                           "nsp",    nsp,
                                           "type",   type_text,
                                           "data",   data};
  // A burst of broadcasts reaches every reader in one XREAD reply.
  return client_->command_batched(argv, std::move(handler));
}

void RedisStreamsAdapter::publish(const json& message) {
  if (is_ephemeral(message)) return client_->publish(channel_, socketio::msgpack::encode(message));
  add_entry(message, nullptr);
}

void RedisStreamsAdapter::publish_with_offset(const json& message,
                                              std::function<void(std::string offset)> on_offset) {
  // Redis away: delivered here at once (without an offset); the entry waits for the link.
  if (!client_->connected()) {
    add_entry(message, nullptr);
    return on_offset("");
  }
  auto shared = std::make_shared<std::function<void(std::string)>>(std::move(on_offset));
  const bool queued = add_entry(message, [shared](const RedisReply& reply) {
    (*shared)(reply.type == RedisReply::Type::string ? reply.str : "");
  });
  if (!queued) (*shared)("");
}

void RedisStreamsAdapter::publish_response(const std::string& requester_uid, const json& message) {
  client_->publish(channel_ + requester_uid + "#", socketio::msgpack::encode(message));
}

void RedisStreamsAdapter::count_servers(std::function<void(std::size_t)> handler) {
  client_->numsub(channel_, [alive = std::weak_ptr(alive_),
                             handler = std::move(handler)](std::optional<std::size_t> servers) {
    if (alive.expired()) return;
    handler(std::max<std::size_t>(servers.value_or(1), 1));
  });
}

// --- sessions ------------------------------------------------------------------------------

void RedisStreamsAdapter::persist_session(const SessionRecord& session) {
  json record{
      {"sid", session.sid}, {"pid", session.pid}, {"rooms", session.rooms}, {"data", session.data}};
  on_home([this, key = options_.session_key_prefix + session.pid,
           value = engineio::base64_encode(socketio::msgpack::encode(record))] {
    if (closed_) return;
    const auto ttl = std::to_string(options_.session_ttl.count());
    client_->command({"SET", key, value, "PX", ttl}, nullptr);
  });
}

void RedisStreamsAdapter::restore_session(
    const std::string& pid, const std::string& offset,
    std::function<void(std::optional<RestoredSession>)> handler) {
  on_home([this, pid, offset, handler = std::move(handler)]() mutable {
    if (closed_ || !is_offset(offset) || !client_->connected()) return handler(std::nullopt);
    auto restore = std::make_shared<Restore>();
    restore->handler = std::move(handler);
    // Both answers in, the session taken (it is gone from Redis whatever follows, as in Node).
    auto check = [this, alive = std::weak_ptr(alive_), restore, offset] {
      if (alive.expired() || !restore->session_answered || !restore->offset_answered) return;
      if (!restore->session || !restore->offset_found) return restore->handler(std::nullopt);
      json record;
      if (auto bytes = engineio::base64_decode(*restore->session)) {
        try {
          record = socketio::msgpack::decode(*bytes);
        } catch (const socketio::msgpack::DecodeError&) {
        }
      }
      if (!record.is_object()) return restore->handler(std::nullopt);
      auto& session = restore->restored.session;
      session.sid = redis::string_field(record, "sid");
      session.pid = redis::string_field(record, "pid");
      session.rooms = redis::rooms_from_json(redis::member_or_null(record, "rooms"));
      session.data = redis::member_or_null(record, "data");
      if (session.sid.empty()) return restore->handler(std::nullopt);
      read_missed(restore, offset, 0);
    };
    const auto key = options_.session_key_prefix + pid;
    const bool sent = client_->command({"GETDEL", key},
                                       [restore, check](const RedisReply& reply) {
                                         restore->session_answered = true;
                                         if (reply.type == RedisReply::Type::string)
                                           restore->session = reply.str;
                                         check();
                                       }) &&
                      client_->command({"XRANGE", options_.stream_name, offset, offset},
                                       [restore, check](const RedisReply& reply) {
                                         restore->offset_answered = true;
                                         restore->offset_found =
                                             reply.is_array() && !reply.elements.empty();
                                         check();
                                       });
    if (!sent) restore->handler(std::nullopt);
  });
}

// The broadcast entries of this namespace after `after`, page by page, that the session's rooms
// would have received, each with its id as its last argument.
void RedisStreamsAdapter::read_missed(std::shared_ptr<Restore> restore, std::string after,
                                      int calls) {
  if (calls >= kMaxRestoreCalls || closed_) {
    return restore->handler(std::move(restore->restored));
  }
  const auto count = std::to_string(options_.read_count);
  const auto start = "(" + after;
  const bool sent = client_->command(
      {"XRANGE", options_.stream_name, start, "+", "COUNT", count},
      [this, alive = std::weak_ptr(alive_), restore, calls](const RedisReply& reply) {
        if (alive.expired()) return;
        if (reply.is_error()) return restore->handler(std::nullopt);
        if (!reply.is_array() || reply.elements.empty()) {
          return restore->handler(std::move(restore->restored));
        }
        std::string last;
        for (const auto& entry : reply.elements) {
          if (!entry.is_array() || entry.elements.size() < 2) continue;
          last = entry.elements[0].str;
          StreamFields fields;
          fields_of(entry.elements[1], fields);
          if (field_of(fields, "nsp") != nsp_.name() || field_of(fields, "type") != "3") continue;
          const auto data = decode_data(field_of(fields, "data"));
          if (!data.is_object()) continue;
          auto packet = redis::member_or_null(data, "packet");
          auto args = redis::member_or_null(packet, "data");
          if (!args.is_array()) continue;
          const auto options = clustered::options_from_json(redis::member_or_null(data, "opts"));
          if (!reaches(restore->restored.session.rooms, options)) continue;
          args.push_back(last);
          restore->restored.missed.push_back(std::move(args));
        }
        if (last.empty()) return restore->handler(std::move(restore->restored));
        read_missed(restore, last, calls + 1);
      });
  if (!sent) restore->handler(std::nullopt);
}

// --- factory -------------------------------------------------------------------------------

AdapterFactory make_redis_streams_adapter_factory(std::shared_ptr<RedisClient> client,
                                                  RedisStreamsOptions options) {
  auto reader = std::make_shared<std::shared_ptr<RedisStreamReader>>();
  return [client = std::move(client), options = std::move(options), reader](LocalNamespace& nsp) {
    if (!*reader) {
      *reader = RedisStreamReader::create(
          client->context(), {client->options().url, options.stream_name, options.read_count});
    }
    return std::make_unique<RedisStreamsAdapter>(nsp, client, *reader, options);
  };
}

}  // namespace sio::adapter
