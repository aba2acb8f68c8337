#pragma once
// The reactors of a server: N io_contexts, each run by exactly one thread, each owning what it
// created (connections, sessions, sockets, its slice of every room index). Reactor 0 is the
// io_context the application hands the server, run by the application's own thread; reactors
// 1..N-1 run on threads of the pool's own, started with the pool.
//
// Nothing is shared between reactors: work for another one travels by `post`, and `current()`
// tells code which reactor it runs on, so that it can reach that reactor's share of a structure
// (see PerReactor) without a lock.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace sio::reactor {

class ReactorPool {
 public:
  // `count` reactors in all, `home` being reactor 0; 0 means one per core.
  ReactorPool(boost::asio::io_context& home, std::size_t count);
  ~ReactorPool();
  ReactorPool(const ReactorPool&) = delete;
  ReactorPool& operator=(const ReactorPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t index) const { return *contexts_[index]; }
  boost::asio::io_context::executor_type executor(std::size_t index) const {
    return contexts_[index]->get_executor();
  }

  // The reactor the calling thread runs, when it runs one of this pool's.
  std::optional<std::size_t> current() const;
  // current(), or reactor 0 for a caller outside every reactor (start-up code, a worker thread):
  // where such a caller's work and answers go.
  std::size_t current_or_home() const;
  boost::asio::io_context::executor_type current_executor() const {
    return executor(current_or_home());
  }

  // Runs `f` on reactor `index`, later (also when called from there). Posts from one reactor to
  // another run in the order they were made.
  template <class F>
  void post(std::size_t index, F&& f) const {
    boost::asio::post(*contexts_[index], std::forward<F>(f));
  }

  // Ends the pool's own threads once each has run what was queued for it so far; idempotent.
  // Reactor 0 belongs to the application, which stops it.
  void stop();

  // One per core (at least one): what a count of 0 means.
  static std::size_t default_count();
  // The count SIO_THREADS asks for (0 when unset: one per core), as every server binary of the
  // project reads it. Throws std::invalid_argument for anything but a number from 1 to 4096.
  static std::size_t count_from_environment();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

  void run(std::size_t index);

  std::vector<boost::asio::io_context*> contexts_;  // [0] is the application's
  std::vector<std::unique_ptr<boost::asio::io_context>> owned_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
};

}  // namespace sio::reactor
