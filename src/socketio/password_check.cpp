#include "socketio/password_check.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>

namespace sio::socketio {

PasswordCheck::PasswordCheck(std::size_t max_queue)
    : max_queue_(max_queue), thread_([this] { loop(); }) {}

PasswordCheck::~PasswordCheck() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PasswordCheck::check(std::string password, std::string hash, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < max_queue_) {
      queue_.push_back({std::move(password), std::move(hash), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(false);
}

void PasswordCheck::loop() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.done(matches(job.password, job.hash));
  }
}

bool PasswordCheck::valid_hash(const std::string& hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2') return false;
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r("probe", hash.c_str(), data.get());
  return out && out[0] == '$' && std::string_view(out).size() == hash.size();
}

bool PasswordCheck::matches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // 32 KiB: not on the stack
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  if (!out || out[0] != '$') return false;
  const std::string_view computed(out);
  return computed.size() == hash.size() &&
         CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

}  // namespace sio::socketio
