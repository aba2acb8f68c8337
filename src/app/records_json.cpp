#include "app/records_json.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sio::app {

std::string iso_time(Timestamp ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];  // roomy enough for any int the compiler imagines
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buffer;
}

Timestamp now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

nlohmann::ordered_json to_json(const RoomRecord& room) {
  return {{"id", room.id},
          {"name", room.name},
          {"public", room.is_public},
          {"createdBy", room.created_by},
          {"createdAt", iso_time(room.created_at)}};
}

nlohmann::ordered_json to_json(const MessageRecord& message) {
  return {{"id", message.id},
          {"roomId", message.room_id},
          {"userId", message.user_id},
          {"content", message.content},
          {"createdAt", iso_time(message.created_at)}};
}

nlohmann::ordered_json to_json(const PostRecord& post) {
  return {{"id", post.id},
          {"authorId", post.author_id},
          {"content", post.content},
          {"createdAt", iso_time(post.created_at)},
          {"likes", post.likes}};
}

nlohmann::ordered_json to_json(const NotificationRecord& notification) {
  return {{"id", notification.id},
          {"type", notification.type},
          {"postId", notification.post_id},
          {"fromUserId", notification.from_user_id},
          {"createdAt", iso_time(notification.created_at)}};
}

}  // namespace sio::app
