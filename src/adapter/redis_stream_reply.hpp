#pragma once
// Stream entries as XREAD and XRANGE give them, seen where they lie: in the reply tree the
// RespReader made, or read straight from the bytes Redis sent (RespCursor) — how the Redis
// Streams adapter reads the stream without a reply object for each entry.

#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "adapter/redis_resp.hpp"

namespace sio::adapter {

// An entry's fields, in order (name, value, name, value, …), seen in the reply that holds them.
using StreamFields = std::vector<std::pair<std::string_view, std::string_view>>;
// Some of them, where they lie (one entry's part of a shared list).
using StreamFieldsView = std::span<const std::pair<std::string_view, std::string_view>>;

// The value of field `name`, or "" when absent.
std::string_view field_of(StreamFieldsView fields, std::string_view name);
// The fields of an entry as XREAD and XRANGE give them (a flat array: name, value, …), into
// `fields` (cleared first: one vector serves every entry of a reply).
void fields_of(const RedisReply& values, StreamFields& fields);

// An XREAD reply read where it lies (RespCursor): each entry's id and the place of its fields in
// one shared list.
struct StreamEntry {
  std::string_view id;
  std::size_t first_field = 0;
  std::size_t field_count = 0;
};
struct StreamReply {
  std::vector<StreamEntry> entries;
  StreamFields fields;
};
// Reads XREAD's reply at the front of `bytes` — the nil array (BLOCK timed out) or
// [[stream, [[id, [field, value, …]], …]], …] — into `reply` (cleared first); `message` once all
// of it is there (`used` bytes), `incomplete` before, `other` for anything else (an error).
PushRead read_stream_reply(std::string_view bytes, StreamReply& reply, std::size_t& used);

}  // namespace sio::adapter
