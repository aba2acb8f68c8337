#pragma once
// The JSON shapes clients see for stored records (camelCase, times as ISO 8601 like JavaScript's
// Date#toJSON).

#include <nlohmann/json.hpp>

#include "app/store.hpp"

namespace sio::app {

std::string iso_time(Timestamp ms);
Timestamp now_ms();

nlohmann::ordered_json to_json(const RoomRecord& room);
nlohmann::ordered_json to_json(const MessageRecord& message);
nlohmann::ordered_json to_json(const PostRecord& post);
nlohmann::ordered_json to_json(const NotificationRecord& notification);

}  // namespace sio::app
