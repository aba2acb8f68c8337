#pragma once
// Owns one libpq PGresult and reads its text-format cells. Move-only; PQclear on destruction.

#include <libpq-fe.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

namespace sio::app {

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}
  ~PgResult() { PQclear(result_); }
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&& other) noexcept {
    std::swap(result_, other.result_);
    return *this;
  }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  // Null only when libpq could not allocate a result (out of memory, connection gone).
  PGresult* get() const { return result_; }

  int rows() const { return PQntuples(result_); }
  bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
  std::string text(int row, int column) const {
    return std::string(PQgetvalue(result_, row, column),
                       static_cast<std::size_t>(PQgetlength(result_, row, column)));
  }
  std::int64_t integer(int row, int column) const {
    return std::strtoll(PQgetvalue(result_, row, column), nullptr, 10);
  }
  // Text format spells booleans "t" and "f".
  bool boolean(int row, int column) const { return PQgetvalue(result_, row, column)[0] == 't'; }
  // Rows an INSERT/UPDATE/DELETE touched; PQcmdTuples is "" for other commands.
  std::int64_t affected() const { return std::strtoll(PQcmdTuples(result_), nullptr, 10); }
  // The command tag, e.g. "COMMIT", or "ROLLBACK" when COMMIT met an aborted transaction.
  std::string command() const { return PQcmdStatus(result_); }

 private:
  PGresult* result_;
};

}  // namespace sio::app
