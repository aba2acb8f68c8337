#pragma once
// The SQLite store: one database file in WAL mode (or ":memory:"), schema migrated on open.

#include <sqlite3.h>

#include <string>

#include "app/store.hpp"

namespace sio::app {

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database at `path`; throws StoreError.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void migrate() override;
  void ping() override;

  void begin() override;
  void commit() override;
  void rollback() override;
  void savepoint() override;
  void release_savepoint() override;
  void rollback_to_savepoint() override;

  RoomRecord create_room(const std::string& name, bool is_public, const std::string& created_by,
                         Timestamp now) override;
  std::optional<RoomRecord> find_room(std::int64_t room_id) override;
  bool add_member(std::int64_t room_id, const std::string& user_id) override;
  bool is_member(std::int64_t room_id, const std::string& user_id) override;
  std::vector<RoomRecord> rooms_visible_to(const std::string& user_id) override;
  std::vector<std::int64_t> rooms_of_member(const std::string& user_id) override;

  MessageRecord add_message(std::int64_t room_id, const std::string& user_id,
                            const std::string& content, Timestamp now) override;
  std::vector<MessageRecord> history(std::int64_t room_id, std::optional<std::int64_t> before,
                                     int limit) override;
  std::int64_t message_count() override;

  PostRecord create_post(const std::string& author_id, const std::string& content,
                         Timestamp now) override;
  std::optional<PostRecord> find_post(std::int64_t post_id) override;
  std::vector<PostRecord> recent_posts(int limit) override;
  bool add_like(std::int64_t post_id, const std::string& user_id, Timestamp now) override;
  NotificationRecord add_notification(const std::string& user_id, const std::string& type,
                                      std::int64_t post_id, const std::string& from_user_id,
                                      Timestamp now) override;
  std::vector<NotificationRecord> unread_notifications(const std::string& user_id) override;
  std::int64_t mark_notifications_read(const std::string& user_id,
                                       const std::vector<std::int64_t>& ids) override;

  void set_last_seen(const std::string& user_id, Timestamp now) override;
  std::optional<Timestamp> last_seen(const std::string& user_id) override;

 private:
  class Statement;
  void exec(const char* sql);

  sqlite3* db_ = nullptr;
};

}  // namespace sio::app
