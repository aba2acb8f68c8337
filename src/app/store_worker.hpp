#pragma once
// Runs store calls off the reactors. One thread owns the Store; calls queue up (bounded) and
// are executed in batches, each batch in one transaction (group commit: one fsync for many
// writes), each call inside its own savepoint so that a failing call undoes only itself. Results
// are posted back to the reactor that made the call, only after the batch committed: a caller
// never sees a success that is not durable. When the transaction itself fails (the commit, or the database
// lost it midway: connection gone, I/O error), every call of the batch fails; the next batch
// starts afresh, so the worker recovers by itself once the database does.
//
// Every call has a deadline, `timeout` after it was queued: a call still queued at its deadline
// fails without running, and a batch must end by the earliest deadline of its calls (the store
// fails what runs past it, see Store::set_deadline). A database that stops answering makes calls
// fail in time rather than pile up behind one that waits forever.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/store.hpp"
#include "reactor/reactor_pool.hpp"

namespace sio::app {

// A store call's result: a value, or the reason it failed.
template <class T>
struct StoreResult {
  std::optional<T> value;
  std::string error;
  explicit operator bool() const { return value.has_value(); }
};

// Latency of store batches (queueing excluded), as Prometheus buckets.
struct StoreLatency {
  static constexpr double kBoundsMs[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000};
  std::atomic<std::uint64_t> buckets[std::size(kBoundsMs) + 1] = {};
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_us{0};
  void record(std::chrono::microseconds elapsed);
};

class StoreWorker {
 public:
  // Answers go to the calling reactor of `reactors` (reactor 0 for a caller outside them).
  // `timeout` 0 = calls have no deadline.
  StoreWorker(const reactor::ReactorPool& reactors, std::unique_ptr<Store> store,
              std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
              std::size_t max_queue = 10000);
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  // Runs `call(Store&) -> T` on the worker; `done(StoreResult<T>)` runs on the calling reactor.
  template <class T, class Call, class Done>
  void run(Call call, Done done) {
    run_on<T>(reactors_.current_or_home(), std::move(call), std::move(done));
  }
  // Same, `done` running on reactor `reactor`. Results go out in the order the calls committed,
  // so the results posted to one reactor arrive there in that order.
  template <class T, class Call, class Done>
  void run_on(std::size_t reactor, Call call, Done done) {
    auto shared_done = std::make_shared<Done>(std::move(done));
    Job job{[call = std::move(call), shared_done](Store& store) -> std::function<void()> {
              auto value = std::make_shared<T>(call(store));
              return [shared_done, value] {
                (*shared_done)(StoreResult<T>{std::move(*value), {}});
              };
            },
            [shared_done](std::string error) -> std::function<void()> {
              return [shared_done, error = std::move(error)] {
                (*shared_done)(StoreResult<T>{std::nullopt, error});
              };
            },
            reactors_.executor(reactor), deadline()};
    enqueue(std::move(job));
  }

  // Finishes what is queued, then stops the thread. Later calls fail with "store stopped".
  void stop();

  std::size_t queued() const;
  const StoreLatency& latency() const { return latency_; }
  std::uint64_t failures() const { return failures_.load(); }
  // Calls that failed at or past their deadline (counted in failures() too).
  std::uint64_t timeouts() const { return timeouts_.load(); }

 private:
  struct Job {
    std::function<std::function<void()>(Store&)> execute;  // returns the completion to post
    std::function<std::function<void()>(std::string)> fail;
    boost::asio::io_context::executor_type reply_to;
    std::chrono::steady_clock::time_point deadline;  // max(): none
  };

  std::chrono::steady_clock::time_point deadline() const;
  // Fails the calls at the front of the batch whose deadline passed while they were queued, and
  // tells the store when the rest must end.
  void expire(std::vector<Job>& batch);

  void enqueue(Job job);
  void loop();
  void run_batch(std::vector<Job>& batch);
  // Fails every call of the batch with `error` (nothing of it is durable).
  void fail_all(std::vector<Job>& batch, const std::string& error);

  const reactor::ReactorPool& reactors_;
  std::unique_ptr<Store> store_;
  const std::chrono::milliseconds timeout_;
  const std::size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  StoreLatency latency_;
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> timeouts_{0};
  std::thread thread_;
};

}  // namespace sio::app
