#pragma once
// The reactors of a server: N io_contexts, each run by exactly one thread, each owning what it
// created (connections, sessions, sockets, its slice of every room index). Reactor 0 is the
// io_context the application hands the server, run by the application's own thread; reactors
// 1..N-1 run on threads of the pool's own, started with the pool.
//
// Nothing is shared between reactors: work for another one travels by `post`, and `current()`
// tells code which reactor it runs on, so that it can reach that reactor's share of a structure
// (see PerReactor) without a lock.
//
// What a reactor posts to another during one pass over its ready handlers leaves as one batch,
// handed over once those handlers have run: broadcasts made while reading a burst of messages
// reach the other reactors together (so each socket there gets them in one write, as sockets
// here do), for one wake-up and one lock of the target's queue instead of one per message.

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
  // another run in the order they were made; from a reactor to another one they are batched (see
  // above), from anywhere else they go at once.
  template <class F>
  void post(std::size_t index, F&& f) const {
    const auto here = current();
    if (!here || *here == index) return boost::asio::post(*contexts_[index], std::forward<F>(f));
    outboxes_[*here]->add(index, Task(std::forward<F>(f)));
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

  // A move-only, type-erased call (a batch holds posts of every kind).
  class Task {
   public:
    template <class F>
    explicit Task(F f) : call_(std::make_unique<Call<F>>(std::move(f))) {}
    void operator()() { call_->run(); }

   private:
    struct Base {
      virtual ~Base() = default;
      virtual void run() = 0;
    };
    template <class F>
    struct Call : Base {
      explicit Call(F f) : f(std::move(f)) {}
      void run() override { f(); }
      F f;
    };
    std::unique_ptr<Base> call_;
  };
  // What one reactor has posted to the others and not yet handed over; used by that reactor only.
  class Outbox {
   public:
    Outbox(const ReactorPool& pool, std::size_t self) : pool_(pool), self_(self) {}
    void add(std::size_t target, Task task);

   private:
    void hand_over();
    const ReactorPool& pool_;
    std::size_t self_;
    std::vector<std::vector<Task>> pending_;  // by target reactor
    bool scheduled_ = false;
  };

  void run(std::size_t index);

  std::vector<boost::asio::io_context*> contexts_;  // [0] is the application's
  std::vector<std::unique_ptr<boost::asio::io_context>> owned_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<Outbox>> outboxes_;  // by sending reactor
};

}  // namespace sio::reactor
