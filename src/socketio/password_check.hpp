#pragma once
// Checks passwords against bcrypt hashes ($2a$, $2b$, $2y$, as bcryptjs accepts them) off the
// reactors: bcrypt is slow on purpose (tens of milliseconds at cost 10), so one thread of its
// own does it and the answer is handed back. Its queue is bounded: past it a check fails at once
// (a flood of logins cannot queue work without end).

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sio::socketio {

class PasswordCheck {
 public:
  // Called on the checking thread: post it where it must run.
  using Done = std::function<void(bool matches)>;

  explicit PasswordCheck(std::size_t max_queue = 64);
  ~PasswordCheck();
  PasswordCheck(const PasswordCheck&) = delete;
  PasswordCheck& operator=(const PasswordCheck&) = delete;

  void check(std::string password, std::string hash, Done done);

  // Whether `hash` is a bcrypt hash this machine's crypt(3) can check.
  static bool valid_hash(const std::string& hash);
  // The check itself, on the calling thread.
  static bool matches(const std::string& password, const std::string& hash);

 private:
  struct Job {
    std::string password;
    std::string hash;
    Done done;
  };
  void loop();

  const std::size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sio::socketio
