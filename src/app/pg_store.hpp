#pragma once
// The PostgreSQL store: one libpq connection, parameterized queries only.
//
// Every call ends by the deadline the worker set (set_deadline), or within `timeout` without one:
// a server that stops answering (frozen, or a network that drops everything) fails the call, and
// the connection is dropped (see pg_connection.hpp).
//
// Connection loss: the call that meets a dead connection fails; the next call connects again and
// fails only if the server is still unreachable, so the server recovers by itself when the
// database comes back. After a failed attempt or a timeout, calls fail at once for
// kReconnectPause rather than each waiting for an attempt of its own. A transaction open when the connection died
// is gone with it: until rollback(), every call (commit included) fails rather than run outside
// the transaction the worker believes is open.

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>

#include "app/pg_connection.hpp"
#include "app/store.hpp"


namespace sio::app {

class PgResult;

class PgStore : public Store {
 public:
  // Connects to `url` (postgres://user:pass@host:port/db or postgresql://…); throws StoreError.
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};
  explicit PgStore(const std::string& url, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) override;
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
  class Param;
  // Runs one statement (several only when there are no parameters); throws StoreError.
  PgResult exec(const char* sql, std::initializer_list<Param> params = {});
  void ensure_connected();
  void connection_lost(const std::string& error);
  std::chrono::steady_clock::time_point deadline() const;

  static constexpr std::chrono::milliseconds kReconnectPause{500};

  PgConnection conn_;
  const std::chrono::milliseconds timeout_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool in_transaction_ = false;  // between a successful begin() and commit()/rollback()
  std::string reconnect_error_;  // why the last reconnection failed; empty while connected
  std::chrono::steady_clock::time_point next_reconnect_;
};

}  // namespace sio::app
