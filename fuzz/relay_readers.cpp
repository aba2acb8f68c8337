// The readers that relay another server's broadcast the short way, against the full readers
// they stand in for. The input is read three ways:
//
// - as MessagePack: when msgpack::Cursor writes JSON text for it, decode() must accept it and
//   dump the very same text;
// - as JSON text: when JsonCursor steps over it whole, nlohmann's parser must accept it (spans
//   of it go to clients as they are);
// - as bytes from Redis: when read_pushed_message reads a message push, the RespReader must read
//   the same bytes as the same push; when read_stream_reply reads an XREAD reply, the RespReader
//   must read the same bytes as one reply with the same entries, and when it says the bytes end
//   too early, the RespReader must not find a whole reply in them either.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapter/redis_resp.hpp"
#include "adapter/redis_stream_reply.hpp"
#include "socketio/json_cursor.hpp"
#include "socketio/msgpack.hpp"
#include "socketio/msgpack_cursor.hpp"

namespace {

namespace msgpack = sio::socketio::msgpack;
using json = nlohmann::ordered_json;

void check(bool condition) {
  if (!condition) std::abort();
}

void msgpack_to_json(std::string_view bytes) {
  msgpack::Cursor cursor(bytes);
  std::string text;
  if (!cursor.append_json(text) || !cursor.at_end()) return;
  json value;
  try {
    value = msgpack::decode(bytes);
  } catch (const msgpack::DecodeError&) {
    check(false);
  }
  check(value.dump(-1, ' ', false, json::error_handler_t::replace) == text);
}

void json_spans(std::string_view text) {
  sio::socketio::JsonCursor cursor(text);
  std::string_view span;
  if (!cursor.skip(&span) || !cursor.at_end()) return;
  check(json::accept(text));
  check(json::accept(span));
}

void pushed_messages(std::string_view bytes) {
  sio::adapter::PushedMessage message;
  std::size_t used = 0;
  if (sio::adapter::read_pushed_message(bytes, message, used) != sio::adapter::PushRead::message)
    return;
  sio::adapter::RespReader reader;
  reader.feed(bytes.substr(0, used));
  auto reply = reader.next();
  check(reply.has_value());
  sio::adapter::PushedMessage same;
  check(sio::adapter::as_pushed_message(*reply, same));
  check(same.kind == message.kind && same.pattern == message.pattern &&
        same.channel == message.channel && same.payload == message.payload);
  check(!reader.next() && reader.idle());
}

void stream_replies(std::string_view bytes) {
  namespace adapter = sio::adapter;
  adapter::StreamReply reply;
  std::size_t used = 0;
  const auto read = adapter::read_stream_reply(bytes, reply, used);
  if (read == adapter::PushRead::other) return;
  adapter::RespReader reader;
  if (read == adapter::PushRead::incomplete) {
    reader.feed(bytes);
    check(!reader.next());
    return;
  }
  reader.feed(bytes.substr(0, used));
  auto tree = reader.next();
  check(tree.has_value() && !reader.next() && reader.idle());
  std::size_t at = 0;
  adapter::StreamFields fields;
  if (tree->type == adapter::RedisReply::Type::nil) {
    check(reply.entries.empty());
    return;
  }
  for (const auto& stream : tree->elements) {
    for (const auto& entry : stream.elements.at(1).elements) {
      check(at < reply.entries.size());
      const auto& mine = reply.entries[at++];
      check(mine.id == entry.elements.at(0).str);
      adapter::fields_of(entry.elements.at(1), fields);
      check(fields.size() == mine.field_count);
      for (std::size_t i = 0; i < fields.size(); ++i)
        check(fields[i] == reply.fields[mine.first_field + i]);
    }
  }
  check(at == reply.entries.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  msgpack_to_json(input);
  json_spans(input);
  pushed_messages(input);
  stream_replies(input);
  return 0;
}
