#include "app/pg_store.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <utility>

#include "app/pg_result.hpp"

namespace sio::app {

// One query parameter in libpq's text format; Param() is SQL NULL. A constructor per type keeps
// call sites plain and makes a string literal a string, not a bool.
class PgStore::Param {
 public:
  Param() = default;
  Param(const std::string& text) : text_(text) {}
  Param(const char* text) : text_(text) {}
  Param(std::int64_t number) : text_(std::to_string(number)) {}
  Param(int number) : text_(std::to_string(number)) {}
  Param(bool flag) : text_(flag ? "true" : "false") {}

  const char* value() const { return text_ ? text_->c_str() : nullptr; }

 private:
  std::optional<std::string> text_;
};

namespace {

// One statement per entry: PQexecParams runs a single statement.
constexpr const char* kPostgresSchema[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    R"sql(CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY,
      last_seen_at BIGINT))sql",
    R"sql(CREATE TABLE IF NOT EXISTS rooms (
      id BIGSERIAL PRIMARY KEY,
      name TEXT NOT NULL,
      is_public BOOLEAN NOT NULL,
      created_by TEXT NOT NULL,
      created_at BIGINT NOT NULL))sql",
    R"sql(CREATE TABLE IF NOT EXISTS room_members (
      room_id BIGINT NOT NULL REFERENCES rooms(id),
      user_id TEXT NOT NULL,
      PRIMARY KEY (room_id, user_id)))sql",
    "CREATE INDEX IF NOT EXISTS room_members_by_user ON room_members(user_id)",
    R"sql(CREATE TABLE IF NOT EXISTS messages (
      id BIGSERIAL PRIMARY KEY,
      room_id BIGINT NOT NULL REFERENCES rooms(id),
      user_id TEXT NOT NULL,
      content TEXT NOT NULL,
      created_at BIGINT NOT NULL))sql",
    "CREATE INDEX IF NOT EXISTS messages_by_room ON messages(room_id, id)",
    R"sql(CREATE TABLE IF NOT EXISTS posts (
      id BIGSERIAL PRIMARY KEY,
      author_id TEXT NOT NULL,
      content TEXT NOT NULL,
      created_at BIGINT NOT NULL))sql",
    R"sql(CREATE TABLE IF NOT EXISTS likes (
      post_id BIGINT NOT NULL REFERENCES posts(id),
      user_id TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (post_id, user_id)))sql",
    R"sql(CREATE TABLE IF NOT EXISTS notifications (
      id BIGSERIAL PRIMARY KEY,
      user_id TEXT NOT NULL,
      type TEXT NOT NULL,
      post_id BIGINT NOT NULL,
      from_user_id TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      read_at BIGINT))sql",
    "CREATE INDEX IF NOT EXISTS notifications_unread ON notifications(user_id, read_at)",
    R"sql(CREATE TABLE IF NOT EXISTS health (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      checks BIGINT NOT NULL))sql",
};

constexpr int kPostgresSchemaVersion = 1;

RoomRecord room_at(const PgResult& r, int row) {
  return {r.integer(row, 0), r.text(row, 1), r.boolean(row, 2), r.text(row, 3), r.integer(row, 4)};
}

PostRecord post_at(const PgResult& r, int row) {
  return {r.integer(row, 0), r.text(row, 1), r.text(row, 2), r.integer(row, 3), r.integer(row, 4)};
}

// A Postgres array literal such as {1,2,3}, passed as one parameter.
std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string text = "{";
  for (auto id : ids) text += (text.size() > 1 ? "," : "") + std::to_string(id);
  return text + "}";
}

}  // namespace

PgStore::PgStore(const std::string& url, std::chrono::milliseconds timeout)
    : conn_(url), timeout_(timeout) {
  conn_.open(PgConnection::Clock::now() + timeout_);
}

PgStore::~PgStore() = default;

void PgStore::set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  deadline_ = deadline;
}

std::chrono::steady_clock::time_point PgStore::deadline() const {
  return deadline_ ? *deadline_ : std::chrono::steady_clock::now() + timeout_;
}

void PgStore::ensure_connected() {
  if (conn_.connected()) return;
  const auto now = std::chrono::steady_clock::now();
  if (!reconnect_error_.empty() && now < next_reconnect_) throw StoreError(reconnect_error_);
  try {
    conn_.open(deadline());
  } catch (const StoreError& e) {
    connection_lost(e.what());
    throw;
  }
  if (!reconnect_error_.empty()) spdlog::info("postgres: reconnected");
  reconnect_error_.clear();
}

void PgStore::connection_lost(const std::string& error) {
  if (reconnect_error_.empty()) spdlog::warn("{}; reconnecting", error);
  reconnect_error_ = error;
  next_reconnect_ = std::chrono::steady_clock::now() + kReconnectPause;
}

PgResult PgStore::exec(const char* sql, std::initializer_list<Param> params) {
  ensure_connected();
  // After a reconnection the worker's transaction is gone; running the call in autocommit would
  // let a later commit() "succeed" without the calls made before the loss.
  if (in_transaction_ && conn_.idle()) {
    throw StoreError("postgres: connection was lost inside a transaction; roll back");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.value());
  try {
    return conn_.exec(sql, values, deadline());
  } catch (const PgTimeout& e) {
    // A server that does not answer: the calls that follow fail at once for a while rather than
    // each wait for it in turn. A connection the server closed is tried again at the next call.
    connection_lost(e.what());
    throw;
  }
}

void PgStore::migrate() {
  begin();
  try {
    // CREATE TABLE IF NOT EXISTS is not safe against itself running concurrently (a unique
    // violation in the catalog), so servers starting together take turns.
    exec("SELECT pg_advisory_xact_lock(hashtext('sio-server schema'))");
    for (const char* statement : kPostgresSchema) exec(statement);
    if (exec("SELECT version FROM schema_version").rows() == 0) {
      exec("INSERT INTO schema_version(version) VALUES ($1)", {kPostgresSchemaVersion});
    }
    commit();
  } catch (...) {
    try {
      rollback();
    } catch (const StoreError&) {
      // The first error is the one worth reporting.
    }
    throw;
  }
}

void PgStore::ping() {
  exec(
      "INSERT INTO health(id, checks) VALUES (1, 1) "
      "ON CONFLICT (id) DO UPDATE SET checks = health.checks + 1");
}

void PgStore::begin() {
  in_transaction_ = false;
  exec("BEGIN");
  in_transaction_ = true;
}

void PgStore::commit() {
  std::string tag;
  try {
    tag = exec("COMMIT").command();
  } catch (...) {
    in_transaction_ = false;  // failed or lost, the transaction is over either way
    throw;
  }
  in_transaction_ = false;
  // COMMIT of a transaction that met an error rolls it back and still reports success.
  if (tag == "ROLLBACK") throw StoreError("postgres: transaction was aborted and rolled back");
}

void PgStore::rollback() {
  in_transaction_ = false;
  exec("ROLLBACK");
}

void PgStore::savepoint() {
  exec("SAVEPOINT call");
}

void PgStore::release_savepoint() {
  exec("RELEASE SAVEPOINT call");
}

void PgStore::rollback_to_savepoint() {
  exec("ROLLBACK TO SAVEPOINT call");
  exec("RELEASE SAVEPOINT call");
}

RoomRecord PgStore::create_room(const std::string& name, bool is_public,
                                const std::string& created_by, Timestamp now) {
  auto result = exec(
      "INSERT INTO rooms(name, is_public, created_by, created_at) VALUES ($1, $2, $3, $4) "
      "RETURNING id",
      {name, is_public, created_by, now});
  RoomRecord room{result.integer(0, 0), name, is_public, created_by, now};
  add_member(room.id, created_by);
  return room;
}

std::optional<RoomRecord> PgStore::find_room(std::int64_t room_id) {
  auto result = exec("SELECT id, name, is_public, created_by, created_at FROM rooms WHERE id = $1",
                     {room_id});
  if (result.rows() == 0) return std::nullopt;
  return room_at(result, 0);
}

bool PgStore::add_member(std::int64_t room_id, const std::string& user_id) {
  return exec("INSERT INTO room_members(room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
              {room_id, user_id})
             .affected() > 0;
}

bool PgStore::is_member(std::int64_t room_id, const std::string& user_id) {
  return exec("SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2", {room_id, user_id})
             .rows() > 0;
}

std::vector<RoomRecord> PgStore::rooms_visible_to(const std::string& user_id) {
  auto result = exec(
      "SELECT id, name, is_public, created_by, created_at FROM rooms WHERE is_public "
      "OR id IN (SELECT room_id FROM room_members WHERE user_id = $1) ORDER BY id",
      {user_id});
  std::vector<RoomRecord> rooms;
  for (int row = 0; row < result.rows(); ++row) rooms.push_back(room_at(result, row));
  return rooms;
}

std::vector<std::int64_t> PgStore::rooms_of_member(const std::string& user_id) {
  auto result =
      exec("SELECT room_id FROM room_members WHERE user_id = $1 ORDER BY room_id", {user_id});
  std::vector<std::int64_t> ids;
  for (int row = 0; row < result.rows(); ++row) ids.push_back(result.integer(row, 0));
  return ids;
}

MessageRecord PgStore::add_message(std::int64_t room_id, const std::string& user_id,
                                   const std::string& content, Timestamp now) {
  auto result = exec(
      "INSERT INTO messages(room_id, user_id, content, created_at) VALUES ($1, $2, $3, $4) "
      "RETURNING id",
      {room_id, user_id, content, now});
  return {result.integer(0, 0), room_id, user_id, content, now};
}

std::vector<MessageRecord> PgStore::history(std::int64_t room_id,
                                            std::optional<std::int64_t> before, int limit) {
  auto result = exec(
      "SELECT id, room_id, user_id, content, created_at FROM messages "
      "WHERE room_id = $1 AND ($2::BIGINT IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
      {room_id, before ? Param(*before) : Param(), limit});
  std::vector<MessageRecord> messages;
  for (int row = 0; row < result.rows(); ++row) {
    messages.push_back({result.integer(row, 0), result.integer(row, 1), result.text(row, 2),
                        result.text(row, 3), result.integer(row, 4)});
  }
  return messages;
}

std::int64_t PgStore::message_count() {
  return exec("SELECT COUNT(*) FROM messages").integer(0, 0);
}

PostRecord PgStore::create_post(const std::string& author_id, const std::string& content,
                                Timestamp now) {
  auto result =
      exec("INSERT INTO posts(author_id, content, created_at) VALUES ($1, $2, $3) RETURNING id",
           {author_id, content, now});
  return {result.integer(0, 0), author_id, content, now, 0};
}

std::optional<PostRecord> PgStore::find_post(std::int64_t post_id) {
  auto result = exec(
      "SELECT id, author_id, content, created_at, "
      "(SELECT COUNT(*) FROM likes WHERE post_id = posts.id) FROM posts WHERE id = $1",
      {post_id});
  if (result.rows() == 0) return std::nullopt;
  return post_at(result, 0);
}

std::vector<PostRecord> PgStore::recent_posts(int limit) {
  auto result = exec(
      "SELECT id, author_id, content, created_at, "
      "(SELECT COUNT(*) FROM likes WHERE post_id = posts.id) FROM posts "
      "ORDER BY id DESC LIMIT $1",
      {limit});
  std::vector<PostRecord> posts;
  for (int row = 0; row < result.rows(); ++row) posts.push_back(post_at(result, row));
  return posts;
}

bool PgStore::add_like(std::int64_t post_id, const std::string& user_id, Timestamp now) {
  return exec(
             "INSERT INTO likes(post_id, user_id, created_at) VALUES ($1, $2, $3) "
             "ON CONFLICT DO NOTHING",
             {post_id, user_id, now})
             .affected() > 0;
}

NotificationRecord PgStore::add_notification(const std::string& user_id, const std::string& type,
                                             std::int64_t post_id, const std::string& from_user_id,
                                             Timestamp now) {
  auto result = exec(
      "INSERT INTO notifications(user_id, type, post_id, from_user_id, created_at) "
      "VALUES ($1, $2, $3, $4, $5) RETURNING id",
      {user_id, type, post_id, from_user_id, now});
  return {result.integer(0, 0), user_id, type, post_id, from_user_id, now, false};
}

std::vector<NotificationRecord> PgStore::unread_notifications(const std::string& user_id) {
  auto result = exec(
      "SELECT id, user_id, type, post_id, from_user_id, created_at FROM notifications "
      "WHERE user_id = $1 AND read_at IS NULL ORDER BY id",
      {user_id});
  std::vector<NotificationRecord> out;
  for (int row = 0; row < result.rows(); ++row) {
    out.push_back({result.integer(row, 0), result.text(row, 1), result.text(row, 2),
                   result.integer(row, 3), result.text(row, 4), result.integer(row, 5), false});
  }
  return out;
}

std::int64_t PgStore::mark_notifications_read(const std::string& user_id,
                                              const std::vector<std::int64_t>& ids) {
  // A NULL array stands for "all of the user's unread notifications".
  return exec(
             "UPDATE notifications SET read_at = (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT "
             "WHERE user_id = $1 AND read_at IS NULL "
             "AND ($2::BIGINT[] IS NULL OR id = ANY($2::BIGINT[]))",
             {user_id, ids.empty() ? Param() : Param(bigint_array(ids))})
      .affected();
}

void PgStore::set_last_seen(const std::string& user_id, Timestamp now) {
  exec(
      "INSERT INTO users(id, last_seen_at) VALUES ($1, $2) "
      "ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at",
      {user_id, now});
}

std::optional<Timestamp> PgStore::last_seen(const std::string& user_id) {
  auto result = exec("SELECT last_seen_at FROM users WHERE id = $1", {user_id});
  if (result.rows() == 0 || result.is_null(0, 0)) return std::nullopt;
  return result.integer(0, 0);
}

}  // namespace sio::app
