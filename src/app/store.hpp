#pragma once
// The application's storage: rooms and their members, messages, posts, likes, notifications and
// users' last-seen times. Two implementations: SQLite (default) and PostgreSQL.
//
// A Store is used from one thread only — the store worker (see store_worker.hpp), never an event
// loop. Calls are synchronous and throw StoreError on failure. The worker groups calls into one
// transaction (group commit) and isolates each call with a savepoint, so one failing call does not
// undo the others.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sio::app {

// Milliseconds since the Unix epoch.
using Timestamp = std::int64_t;

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RoomRecord {
  std::int64_t id = 0;
  std::string name;
  bool is_public = false;
  std::string created_by;
  Timestamp created_at = 0;
};

struct MessageRecord {
  std::int64_t id = 0;
  std::int64_t room_id = 0;
  std::string user_id;
  std::string content;
  Timestamp created_at = 0;
};

struct PostRecord {
  std::int64_t id = 0;
  std::string author_id;
  std::string content;
  Timestamp created_at = 0;
  std::int64_t likes = 0;
};

struct NotificationRecord {
  std::int64_t id = 0;
  std::string user_id;  // who is notified
  std::string type;     // "like"
  std::int64_t post_id = 0;
  std::string from_user_id;
  Timestamp created_at = 0;
  bool read = false;
};

class Store {
 public:
  virtual ~Store() = default;

  // Calls after this one must end by `deadline` (none: the store's own bound, if it has one),
  // failing with StoreError past it. The worker sets it for each batch from its calls' deadlines.
  // A store whose calls cannot hang (SQLite, a local file) may ignore it.
  virtual void set_deadline(std::optional<std::chrono::steady_clock::time_point> /*deadline*/) {}

  // Creates or upgrades the schema. Safe to call on every start.
  virtual void migrate() = 0;
  // Readiness check: a one-row write, so that a database that answers but cannot write (a
  // read-only file or replica, a full disk) is not taken for ready. Run inside a transaction,
  // it is proven only by the commit.
  virtual void ping() = 0;

  // --- transactions (used by the worker) ---
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual void savepoint() = 0;
  virtual void release_savepoint() = 0;
  virtual void rollback_to_savepoint() = 0;

  // --- rooms ---
  // The creator becomes the first member.
  virtual RoomRecord create_room(const std::string& name, bool is_public,
                                 const std::string& created_by, Timestamp now) = 0;
  virtual std::optional<RoomRecord> find_room(std::int64_t room_id) = 0;
  // False when the user already was a member.
  virtual bool add_member(std::int64_t room_id, const std::string& user_id) = 0;
  virtual bool is_member(std::int64_t room_id, const std::string& user_id) = 0;
  // Public rooms and rooms the user is a member of, by id.
  virtual std::vector<RoomRecord> rooms_visible_to(const std::string& user_id) = 0;
  // Ids of the rooms the user is a member of.
  virtual std::vector<std::int64_t> rooms_of_member(const std::string& user_id) = 0;

  // --- messages ---
  virtual MessageRecord add_message(std::int64_t room_id, const std::string& user_id,
                                    const std::string& content, Timestamp now) = 0;
  // Newest first; only messages with id < before when given; at most `limit`.
  virtual std::vector<MessageRecord> history(std::int64_t room_id,
                                             std::optional<std::int64_t> before, int limit) = 0;
  virtual std::int64_t message_count() = 0;

  // --- posts, likes, notifications ---
  virtual PostRecord create_post(const std::string& author_id, const std::string& content,
                                 Timestamp now) = 0;
  virtual std::optional<PostRecord> find_post(std::int64_t post_id) = 0;
  // Newest first, with like counts.
  virtual std::vector<PostRecord> recent_posts(int limit) = 0;
  // False when the user had already liked the post.
  virtual bool add_like(std::int64_t post_id, const std::string& user_id, Timestamp now) = 0;
  virtual NotificationRecord add_notification(const std::string& user_id, const std::string& type,
                                              std::int64_t post_id,
                                              const std::string& from_user_id, Timestamp now) = 0;
  // Oldest first.
  virtual std::vector<NotificationRecord> unread_notifications(const std::string& user_id) = 0;
  // Marks the given notifications of the user read (all unread when `ids` is empty); returns how
  // many changed.
  virtual std::int64_t mark_notifications_read(const std::string& user_id,
                                               const std::vector<std::int64_t>& ids) = 0;

  // --- users ---
  virtual void set_last_seen(const std::string& user_id, Timestamp now) = 0;
  virtual std::optional<Timestamp> last_seen(const std::string& user_id) = 0;
};

}  // namespace sio::app
