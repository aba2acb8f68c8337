#include "app/sqlite_store.hpp"

#include <utility>

namespace sio::app {

// A prepared statement with positional binds, stepped row by row.
class SqliteStore::Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& bind(std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, ++index_, value));
    return *this;
  }
  Statement& bind(const std::string& value) {
    check(sqlite3_bind_text(stmt_, ++index_, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_null() {
    check(sqlite3_bind_null(stmt_, ++index_));
    return *this;
  }

  // True while there is a row to read.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data ? std::string(data, sqlite3_column_bytes(stmt_, column)) : std::string();
  }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail();
  }
  [[noreturn]] void fail() { throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db_)); }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int index_ = 0;
};

namespace {

constexpr const char* kSqliteSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  last_seen_at INTEGER
);
CREATE TABLE IF NOT EXISTS rooms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  is_public INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS room_members (
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  user_id TEXT NOT NULL,
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX IF NOT EXISTS room_members_by_user ON room_members(user_id);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room_id INTEGER NOT NULL REFERENCES rooms(id),
  user_id TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_room ON messages(room_id, id);
CREATE TABLE IF NOT EXISTS posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS likes (
  post_id INTEGER NOT NULL REFERENCES posts(id),
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, user_id)
);
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id TEXT NOT NULL,
  type TEXT NOT NULL,
  post_id INTEGER NOT NULL,
  from_user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX IF NOT EXISTS notifications_unread ON notifications(user_id, read_at);
CREATE TABLE IF NOT EXISTS health (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  checks INTEGER NOT NULL
);
)sql";

constexpr int kSqliteSchemaVersion = 1;

}  // namespace

SqliteStore::SqliteStore(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("sqlite: cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (path != ":memory:") exec("PRAGMA journal_mode=WAL");
  // Durable at commit; with WAL, NORMAL would risk the last transactions on power loss.
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=ON");
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

void SqliteStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError("sqlite: " + message);
  }
}

void SqliteStore::migrate() {
  exec("BEGIN IMMEDIATE");
  try {
    exec(kSqliteSchema);
    Statement version(db_, "SELECT version FROM schema_version");
    if (!version.step()) {
      Statement insert(db_, "INSERT INTO schema_version(version) VALUES (?)");
      insert.bind(std::int64_t{kSqliteSchemaVersion}).step();
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStore::ping() {
  // A value that changes every time: SQLite writes nothing for an update that changes no byte.
  exec(
      "INSERT INTO health(id, checks) VALUES (1, 1) "
      "ON CONFLICT(id) DO UPDATE SET checks = checks + 1");
}

void SqliteStore::begin() { exec("BEGIN IMMEDIATE"); }
void SqliteStore::commit() { exec("COMMIT"); }
void SqliteStore::rollback() { exec("ROLLBACK"); }
void SqliteStore::savepoint() { exec("SAVEPOINT call"); }
void SqliteStore::release_savepoint() { exec("RELEASE SAVEPOINT call"); }
void SqliteStore::rollback_to_savepoint() { exec("ROLLBACK TO SAVEPOINT call; RELEASE SAVEPOINT call"); }

RoomRecord SqliteStore::create_room(const std::string& name, bool is_public,
                                    const std::string& created_by, Timestamp now) {
  Statement insert(db_,
                   "INSERT INTO rooms(name, is_public, created_by, created_at) VALUES (?, ?, ?, ?)");
  insert.bind(name).bind(std::int64_t{is_public}).bind(created_by).bind(now).step();
  RoomRecord room{sqlite3_last_insert_rowid(db_), name, is_public, created_by, now};
  add_member(room.id, created_by);
  return room;
}

std::optional<RoomRecord> SqliteStore::find_room(std::int64_t room_id) {
  Statement select(db_, "SELECT id, name, is_public, created_by, created_at FROM rooms WHERE id = ?");
  select.bind(room_id);
  if (!select.step()) return std::nullopt;
  return RoomRecord{select.integer(0), select.text(1), select.integer(2) != 0, select.text(3),
                    select.integer(4)};
}

bool SqliteStore::add_member(std::int64_t room_id, const std::string& user_id) {
  Statement insert(db_, "INSERT OR IGNORE INTO room_members(room_id, user_id) VALUES (?, ?)");
  insert.bind(room_id).bind(user_id).step();
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::is_member(std::int64_t room_id, const std::string& user_id) {
  Statement select(db_, "SELECT 1 FROM room_members WHERE room_id = ? AND user_id = ?");
  select.bind(room_id).bind(user_id);
  return select.step();
}

std::vector<RoomRecord> SqliteStore::rooms_visible_to(const std::string& user_id) {
  Statement select(db_,
                   "SELECT id, name, is_public, created_by, created_at FROM rooms WHERE is_public = 1 "
                   "OR id IN (SELECT room_id FROM room_members WHERE user_id = ?) ORDER BY id");
  select.bind(user_id);
  std::vector<RoomRecord> rooms;
  while (select.step()) {
    rooms.push_back({select.integer(0), select.text(1), select.integer(2) != 0, select.text(3),
                     select.integer(4)});
  }
  return rooms;
}

std::vector<std::int64_t> SqliteStore::rooms_of_member(const std::string& user_id) {
  Statement select(db_, "SELECT room_id FROM room_members WHERE user_id = ? ORDER BY room_id");
  select.bind(user_id);
  std::vector<std::int64_t> ids;
  while (select.step()) ids.push_back(select.integer(0));
  return ids;
}

MessageRecord SqliteStore::add_message(std::int64_t room_id, const std::string& user_id,
                                       const std::string& content, Timestamp now) {
  Statement insert(db_,
                   "INSERT INTO messages(room_id, user_id, content, created_at) VALUES (?, ?, ?, ?)");
  insert.bind(room_id).bind(user_id).bind(content).bind(now).step();
  return {sqlite3_last_insert_rowid(db_), room_id, user_id, content, now};
}

std::vector<MessageRecord> SqliteStore::history(std::int64_t room_id,
                                                std::optional<std::int64_t> before, int limit) {
  Statement select(db_,
                   "SELECT id, room_id, user_id, content, created_at FROM messages "
                   "WHERE room_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?");
  select.bind(room_id);
  if (before) select.bind(*before).bind(*before);
  else select.bind_null().bind_null();
  select.bind(std::int64_t{limit});
  std::vector<MessageRecord> messages;
  while (select.step()) {
    messages.push_back(
        {select.integer(0), select.integer(1), select.text(2), select.text(3), select.integer(4)});
  }
  return messages;
}

std::int64_t SqliteStore::message_count() {
  Statement select(db_, "SELECT COUNT(*) FROM messages");
  select.step();
  return select.integer(0);
}

PostRecord SqliteStore::create_post(const std::string& author_id, const std::string& content,
                                    Timestamp now) {
  Statement insert(db_, "INSERT INTO posts(author_id, content, created_at) VALUES (?, ?, ?)");
  insert.bind(author_id).bind(content).bind(now).step();
  return {sqlite3_last_insert_rowid(db_), author_id, content, now, 0};
}

std::optional<PostRecord> SqliteStore::find_post(std::int64_t post_id) {
  Statement select(db_,
                   "SELECT id, author_id, content, created_at, "
                   "(SELECT COUNT(*) FROM likes WHERE post_id = posts.id) FROM posts WHERE id = ?");
  select.bind(post_id);
  if (!select.step()) return std::nullopt;
  return PostRecord{select.integer(0), select.text(1), select.text(2), select.integer(3),
                    select.integer(4)};
}

std::vector<PostRecord> SqliteStore::recent_posts(int limit) {
  Statement select(db_,
                   "SELECT id, author_id, content, created_at, "
                   "(SELECT COUNT(*) FROM likes WHERE post_id = posts.id) FROM posts "
                   "ORDER BY id DESC LIMIT ?");
  select.bind(std::int64_t{limit});
  std::vector<PostRecord> posts;
  while (select.step()) {
    posts.push_back(
        {select.integer(0), select.text(1), select.text(2), select.integer(3), select.integer(4)});
  }
  return posts;
}

bool SqliteStore::add_like(std::int64_t post_id, const std::string& user_id, Timestamp now) {
  Statement insert(db_, "INSERT OR IGNORE INTO likes(post_id, user_id, created_at) VALUES (?, ?, ?)");
  insert.bind(post_id).bind(user_id).bind(now).step();
  return sqlite3_changes(db_) > 0;
}

NotificationRecord SqliteStore::add_notification(const std::string& user_id, const std::string& type,
                                                 std::int64_t post_id,
                                                 const std::string& from_user_id, Timestamp now) {
  Statement insert(db_,
                   "INSERT INTO notifications(user_id, type, post_id, from_user_id, created_at) "
                   "VALUES (?, ?, ?, ?, ?)");
  insert.bind(user_id).bind(type).bind(post_id).bind(from_user_id).bind(now).step();
  return {sqlite3_last_insert_rowid(db_), user_id, type, post_id, from_user_id, now, false};
}

std::vector<NotificationRecord> SqliteStore::unread_notifications(const std::string& user_id) {
  Statement select(db_,
                   "SELECT id, user_id, type, post_id, from_user_id, created_at FROM notifications "
                   "WHERE user_id = ? AND read_at IS NULL ORDER BY id");
  select.bind(user_id);
  std::vector<NotificationRecord> out;
  while (select.step()) {
    out.push_back({select.integer(0), select.text(1), select.text(2), select.integer(3),
                   select.text(4), select.integer(5), false});
  }
  return out;
}

std::int64_t SqliteStore::mark_notifications_read(const std::string& user_id,
                                                  const std::vector<std::int64_t>& ids) {
  if (ids.empty()) {
    Statement update(db_,
                     "UPDATE notifications SET read_at = strftime('%s','now') * 1000 "
                     "WHERE user_id = ? AND read_at IS NULL");
    update.bind(user_id).step();
    return sqlite3_changes(db_);
  }
  std::int64_t changed = 0;
  for (auto id : ids) {
    Statement update(db_,
                     "UPDATE notifications SET read_at = strftime('%s','now') * 1000 "
                     "WHERE user_id = ? AND id = ? AND read_at IS NULL");
    update.bind(user_id).bind(id).step();
    changed += sqlite3_changes(db_);
  }
  return changed;
}

void SqliteStore::set_last_seen(const std::string& user_id, Timestamp now) {
  Statement upsert(db_,
                   "INSERT INTO users(id, last_seen_at) VALUES (?, ?) "
                   "ON CONFLICT(id) DO UPDATE SET last_seen_at = excluded.last_seen_at");
  upsert.bind(user_id).bind(now).step();
}

std::optional<Timestamp> SqliteStore::last_seen(const std::string& user_id) {
  Statement select(db_, "SELECT last_seen_at FROM users WHERE id = ?");
  select.bind(user_id);
  if (!select.step() || select.is_null(0)) return std::nullopt;
  return select.integer(0);
}

}  // namespace sio::app
