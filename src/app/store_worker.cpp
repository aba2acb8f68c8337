#include "app/store_worker.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace sio::app {

namespace {

constexpr std::size_t kMaxBatch = 256;

using Executor = boost::asio::io_context::executor_type;
using Completions = std::vector<std::pair<Executor, std::function<void()>>>;

// Hands a batch's completions to the reactors that asked: one post per reactor, in the batch's
// order, so that what a batch stored reaches each reactor together (a room's messages are then
// broadcast in one pass of its loop, and each socket gets them in one write).
void hand_back(Completions& completions) {
  std::vector<std::pair<Executor, std::vector<std::function<void()>>>> by_reactor;
  for (auto& [reply_to, completion] : completions) {
    auto group = std::find_if(by_reactor.begin(), by_reactor.end(),
                              [&](const auto& entry) { return entry.first == reply_to; });
    if (group == by_reactor.end()) group = by_reactor.insert(by_reactor.end(), {reply_to, {}});
    group->second.push_back(std::move(completion));
  }
  for (auto& [reply_to, calls] : by_reactor) {
    boost::asio::post(reply_to, [calls = std::move(calls)] {
      for (const auto& call : calls) call();
    });
  }
}

}  // namespace

void StoreLatency::record(std::chrono::microseconds elapsed) {
  const double ms = elapsed.count() / 1000.0;
  std::size_t bucket = 0;
  while (bucket < std::size(kBoundsMs) && ms > kBoundsMs[bucket]) ++bucket;
  ++buckets[bucket];
  ++count;
  sum_us += static_cast<std::uint64_t>(elapsed.count());
}

StoreWorker::StoreWorker(const reactor::ReactorPool& reactors, std::unique_ptr<Store> store,
                         std::chrono::milliseconds timeout, std::size_t max_queue)
    : reactors_(reactors),
      store_(std::move(store)),
      timeout_(timeout),
      max_queue_(max_queue),
      thread_([this] { loop(); }) {}

std::chrono::steady_clock::time_point StoreWorker::deadline() const {
  if (timeout_.count() <= 0) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::now() + timeout_;
}

void StoreWorker::expire(std::vector<Job>& batch) {
  const auto now = std::chrono::steady_clock::now();
  // Calls are queued in deadline order: the expired ones are at the front.
  auto live = std::find_if(batch.begin(), batch.end(), [now](const Job& job) { return job.deadline > now; });
  if (live != batch.begin()) {
    std::vector<Job> expired(std::make_move_iterator(batch.begin()), std::make_move_iterator(live));
    batch.erase(batch.begin(), live);
    fail_all(expired, "store timeout: the database did not answer in time");
  }
  if (batch.empty()) return;
  if (batch.front().deadline == std::chrono::steady_clock::time_point::max()) {
    store_->set_deadline(std::nullopt);
  } else {
    store_->set_deadline(batch.front().deadline);
  }
}

StoreWorker::~StoreWorker() { stop(); }

void StoreWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t StoreWorker::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void StoreWorker::enqueue(Job job) {
  std::string refusal;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) refusal = "store stopped";
    else if (queue_.size() >= max_queue_) refusal = "store busy";
    else queue_.push_back(std::move(job));
  }
  if (!refusal.empty()) {
    ++failures_;
    boost::asio::post(job.reply_to, job.fail(refusal));
    return;
  }
  wake_.notify_one();
}

void StoreWorker::loop() {
  std::vector<Job> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    expire(batch);
    if (!batch.empty()) run_batch(batch);
    batch.clear();
  }
}

void StoreWorker::run_batch(std::vector<Job>& batch) {
  const auto started = std::chrono::steady_clock::now();
  Completions completions;
  completions.reserve(batch.size());
  try {
    store_->begin();
  } catch (const std::exception& e) {
    fail_all(batch, e.what());
    return;
  }
  std::size_t failed = 0;
  std::string broken;  // why the transaction can no longer be trusted, once it cannot
  for (auto& job : batch) {
    try {
      store_->savepoint();
      auto completion = job.execute(*store_);
      store_->release_savepoint();
      completions.emplace_back(job.reply_to, std::move(completion));
    } catch (const std::exception& e) {
      try {
        store_->rollback_to_savepoint();
      } catch (const std::exception&) {
        // The transaction is gone (connection lost, or the database rolled it back after an I/O
        // error). Later calls would run outside it, each committing on its own while the batch
        // is reported failed: fail the whole batch instead.
        broken = e.what();
        break;
      }
      ++failed;
      completions.emplace_back(job.reply_to, job.fail(e.what()));
    }
  }
  if (!broken.empty()) {
    try {
      store_->rollback();
    } catch (const std::exception&) {
    }
    fail_all(batch, broken);
    return;
  }
  try {
    store_->commit();
  } catch (const std::exception& e) {
    try {
      store_->rollback();
    } catch (const std::exception&) {
    }
    // Nothing of the batch is durable: every call fails, those that had succeeded too.
    fail_all(batch, e.what());
    return;
  }
  failures_ += failed;
  latency_.record(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started));
  hand_back(completions);
}

void StoreWorker::fail_all(std::vector<Job>& batch, const std::string& error) {
  failures_ += batch.size();
  const auto now = std::chrono::steady_clock::now();
  timeouts_ += std::count_if(batch.begin(), batch.end(), [now](const Job& job) { return job.deadline <= now; });
  Completions completions;
  completions.reserve(batch.size());
  for (auto& job : batch) completions.emplace_back(job.reply_to, job.fail(error));
  hand_back(completions);
}

}  // namespace sio::app
