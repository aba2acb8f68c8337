#include "adapter/redis_stream_reply.hpp"

namespace sio::adapter {

std::string_view field_of(StreamFieldsView fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return {};
}

void fields_of(const RedisReply& values, StreamFields& fields) {
  fields.clear();
  const auto& items = values.elements;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2)
    fields.emplace_back(items[i].str, items[i + 1].str);
}

PushRead read_stream_reply(std::string_view bytes, StreamReply& reply, std::size_t& used) {
  reply.entries.clear();
  reply.fields.clear();
  RespCursor in(bytes);
  std::size_t streams = 0;
  bool nil = false;
  auto step = in.array(streams, nil);
  for (std::size_t s = 0; step == PushRead::message && s < streams; ++s) {
    std::size_t pair = 0;
    std::string_view name;
    std::size_t entries = 0;
    if ((step = in.length('*', pair)) != PushRead::message) break;
    if (pair != 2) return PushRead::other;
    if ((step = in.bulk(name)) != PushRead::message) break;
    if ((step = in.length('*', entries)) != PushRead::message) break;
    for (std::size_t e = 0; step == PushRead::message && e < entries; ++e) {
      StreamEntry entry;
      std::size_t values = 0;
      bool no_fields = false;
      if ((step = in.length('*', pair)) != PushRead::message) break;
      if (pair != 2) return PushRead::other;
      if ((step = in.bulk(entry.id)) != PushRead::message) break;
      if ((step = in.array(values, no_fields)) != PushRead::message) break;
      if (values % 2 != 0) return PushRead::other;
      entry.first_field = reply.fields.size();
      entry.field_count = values / 2;
      for (std::size_t f = 0; step == PushRead::message && f < entry.field_count; ++f) {
        std::string_view field;
        std::string_view value;
        if ((step = in.bulk(field)) != PushRead::message) break;
        if ((step = in.bulk(value)) != PushRead::message) break;
        reply.fields.emplace_back(field, value);
      }
      reply.entries.push_back(entry);
    }
  }
  if (step != PushRead::message) return step;
  used = in.position();
  return PushRead::message;
}

}  // namespace sio::adapter
