#pragma once
// One libpq connection whose every wait has a deadline. libpq's blocking calls wait as long as the
// server keeps the TCP connection open: a frozen PostgreSQL (SIGSTOP, a stalled VM, a network that
// drops packets without resetting) answers nothing and closes nothing, and a blocking PQexec waits
// forever, keepalives and tcp_user_timeout notwithstanding (the kernel still acknowledges). Here
// the connection runs in libpq's non-blocking mode and waits with poll() until the deadline; past
// it the connection is dropped (its transaction is lost with it) and the call fails.
//
// A COMMIT that was sent when the server froze may still be carried out once the server resumes:
// the caller was told it failed. That is the one outcome a timeout cannot know.

#include <chrono>
#include <string>
#include <vector>

#include "app/pg_result.hpp"
#include "app/store.hpp"

namespace sio::app {

// The server did not answer by the deadline; the connection was dropped.
struct PgTimeout : StoreError {
  using StoreError::StoreError;
};

class PgConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // Remembers how to connect; connects on the first open().
  explicit PgConnection(std::string url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  bool connected() const;
  // Opens a new connection (dropping any other), waiting at most until `deadline`; throws
  // StoreError.
  void open(Clock::time_point deadline);
  // Runs one statement with text parameters (nullptr = NULL); throws StoreError for an error
  // result, a lost connection or the deadline (then the connection is dropped).
  PgResult exec(const char* sql, const std::vector<const char*>& values,
                Clock::time_point deadline);
  // True when the server says no transaction is open (a fresh connection, say).
  bool idle() const;

 private:
  // Waits until the socket is readable (or writable, with `write`) or the deadline passes; false
  // at the deadline.
  bool wait(bool write, Clock::time_point deadline) const;
  [[noreturn]] void fail(const std::string& message);
  [[noreturn]] void time_out(const char* what);
  void close();

  std::string url_;
  struct pg_conn* conn_ = nullptr;
};

// libpq's message without its trailing newline, prefixed "postgres: ".
std::string pg_message(const char* text);

}  // namespace sio::app
