#include "app/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace sio::app {

namespace {

// Notices ("relation already exists, skipping", "no transaction in progress") would go to
// stderr; errors reach the caller as StoreError instead.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string pg_message(const char* text) {
  std::string message = text ? text : "unknown error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return "postgres: " + message;
}

PgConnection::PgConnection(std::string url) : url_(std::move(url)) {}

PgConnection::~PgConnection() {
  close();
}

bool PgConnection::connected() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK;
}

bool PgConnection::idle() const {
  return PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void PgConnection::close() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

void PgConnection::fail(const std::string& message) {
  close();
  throw StoreError(message);
}

void PgConnection::time_out(const char* what) {
  close();
  throw PgTimeout(std::string("postgres: no answer in time to ") + what + "; connection dropped");
}

bool PgConnection::wait(bool write, Clock::time_point deadline) const {
  pollfd fd{PQsocket(conn_), static_cast<short>(write ? POLLOUT | POLLIN : POLLIN), 0};
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    const int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // the next libpq call reports the error
  }
}

void PgConnection::open(Clock::time_point deadline) {
  close();
  // The URL is expanded where "dbname" stands: what comes before it are defaults the URL may
  // override, what comes after it wins. Keepalives notice a vanished peer of an idle connection;
  // client_encoding wins so that text is always UTF-8, whatever the database's default.
  const char* keys[] = {"keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        "dbname",
                        "client_encoding",
                        nullptr};
  const char* values[] = {"30", "10", "3", "30000", url_.c_str(), "UTF8", nullptr};
  conn_ = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
  if (!conn_) throw StoreError("postgres: out of memory");
  if (PQstatus(conn_) == CONNECTION_BAD) fail(pg_message(PQerrorMessage(conn_)));
  auto state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) fail(pg_message(PQerrorMessage(conn_)));
    if (!wait(state == PGRES_POLLING_WRITING, deadline)) {
      time_out("the connection");
    }
    state = PQconnectPoll(conn_);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (PQsetnonblocking(conn_, 1) != 0) fail(pg_message(PQerrorMessage(conn_)));
}

PgResult PgConnection::exec(const char* sql, const std::vector<const char*>& values,
                            Clock::time_point deadline) {
  if (!PQsendQueryParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                         nullptr, nullptr, /*text results*/ 0)) {
    fail(pg_message(PQerrorMessage(conn_)));
  }
  // Non-blocking mode: the statement may sit in libpq's buffer until the socket takes it.
  while (true) {
    const int flushed = PQflush(conn_);
    if (flushed == 0) break;
    if (flushed < 0) fail(pg_message(PQerrorMessage(conn_)));
    if (!wait(true, deadline)) time_out("a statement");
    if (!PQconsumeInput(conn_)) fail(pg_message(PQerrorMessage(conn_)));
  }
  // As PQexecParams: the last result, or the first error.
  PgResult kept(nullptr);
  while (true) {
    while (PQisBusy(conn_)) {
      if (!wait(false, deadline)) time_out("a statement");
      if (!PQconsumeInput(conn_)) fail(pg_message(PQerrorMessage(conn_)));
    }
    PGresult* result = PQgetResult(conn_);
    if (!result) break;
    const auto status = PQresultStatus(kept.get());
    if (!kept.get() || status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      kept = PgResult(result);
    } else {
      PQclear(result);
    }
  }
  if (!kept.get()) {
    const std::string message = pg_message(PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK) fail(message);
    throw StoreError(message);
  }
  const auto status = PQresultStatus(kept.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw StoreError(pg_message(PQresultErrorMessage(kept.get())));
  }
  return kept;
}

}  // namespace sio::app
