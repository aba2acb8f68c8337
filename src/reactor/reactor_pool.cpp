#include "reactor/reactor_pool.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sio::reactor {

namespace {

// Which reactor the calling thread runs: set once by each thread a pool starts. The application's
// thread (reactor 0) is recognised through its io_context instead, since the pool does not start
// it.
struct ThreadReactor {
  const ReactorPool* pool = nullptr;
  std::size_t index = 0;
};
thread_local ThreadReactor this_thread_reactor;

}  // namespace

std::size_t ReactorPool::default_count() {
  return std::max(1u, std::thread::hardware_concurrency());
}

std::size_t ReactorPool::count_from_environment() {
  const char* value = std::getenv("SIO_THREADS");
  if (!value || !*value) return 0;
  const std::string_view text(value);
  std::size_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count < 1 || count > 4096) {
    throw std::invalid_argument("SIO_THREADS must be a number of threads from 1 to 4096, not \"" +
                                std::string(text) + "\"");
  }
  return count;
}

ReactorPool::ReactorPool(boost::asio::io_context& home, std::size_t count) {
  if (count == 0) count = default_count();
  contexts_.push_back(&home);
  for (std::size_t i = 1; i < count; ++i) {
    // One thread runs each: the hint lets Asio keep posts made on that thread lock-free.
    owned_.push_back(std::make_unique<boost::asio::io_context>(1));
    contexts_.push_back(owned_.back().get());
    guards_.push_back(boost::asio::make_work_guard(*owned_.back()));
  }
  for (std::size_t i = 0; i < count; ++i) outboxes_.push_back(std::make_unique<Outbox>(*this, i));
  for (std::size_t i = 1; i < count; ++i) threads_.emplace_back([this, i] { run(i); });
}

void ReactorPool::Outbox::add(std::size_t target, Task task) {
  if (pending_.empty()) pending_.resize(pool_.size());
  pending_[target].push_back(std::move(task));
  if (scheduled_) return;
  scheduled_ = true;
  // Behind the handlers this reactor has ready now (the rest of the burst being read), ahead of
  // what they schedule for later (the writes to this reactor's own sockets).
  boost::asio::post(pool_.context(self_), [this] { hand_over(); });
}

void ReactorPool::Outbox::hand_over() {
  scheduled_ = false;
  for (std::size_t target = 0; target < pending_.size(); ++target) {
    if (pending_[target].empty()) continue;
    boost::asio::post(pool_.context(target), [batch = std::move(pending_[target])]() mutable {
      for (auto& task : batch) task();
    });
    pending_[target].clear();
  }
}

ReactorPool::~ReactorPool() { stop(); }

void ReactorPool::run(std::size_t index) {
  this_thread_reactor = {this, index};
  contexts_[index]->run();
}

std::optional<std::size_t> ReactorPool::current() const {
  if (this_thread_reactor.pool == this) return this_thread_reactor.index;
  if (contexts_[0]->get_executor().running_in_this_thread()) return 0;
  return std::nullopt;
}

std::size_t ReactorPool::current_or_home() const { return current().value_or(0); }

void ReactorPool::stop() {
  for (std::size_t i = 0; i < guards_.size(); ++i) {
    guards_[i].reset();
    // Queued behind what each reactor has to do now (the close frames of a shutdown, say).
    boost::asio::post(*owned_[i], [context = owned_[i].get()] { context->stop(); });
  }
  guards_.clear();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

}  // namespace sio::reactor
