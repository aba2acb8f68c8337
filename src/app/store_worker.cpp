#include "app/store_worker.hpp"

#include <boost/asio/post.hpp>

namespace sio::app {

namespace {
constexpr std::size_t kMaxBatch = 256;
}  // namespace

void StoreLatency::record(std::chrono::microseconds elapsed) {
  const double ms = elapsed.count() / 1000.0;
  std::size_t bucket = 0;
  while (bucket < std::size(kBoundsMs) && ms > kBoundsMs[bucket]) ++bucket;
  ++buckets[bucket];
  ++count;
  sum_us += static_cast<std::uint64_t>(elapsed.count());
}

StoreWorker::StoreWorker(boost::asio::io_context& ctx, std::unique_ptr<Store> store,
                         std::size_t max_queue)
    : ctx_(ctx), store_(std::move(store)), max_queue_(max_queue), thread_([this] { loop(); }) {}

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
    boost::asio::post(ctx_, job.fail(refusal));
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
    run_batch(batch);
    batch.clear();
  }
}

void StoreWorker::run_batch(std::vector<Job>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::function<void()>> completions;
  completions.reserve(batch.size());
  try {
    store_->begin();
  } catch (const std::exception& e) {
    failures_ += batch.size();
    for (auto& job : batch) boost::asio::post(ctx_, job.fail(e.what()));
    return;
  }
  for (auto& job : batch) {
    try {
      store_->savepoint();
      auto completion = job.execute(*store_);
      store_->release_savepoint();
      completions.push_back(std::move(completion));
    } catch (const std::exception& e) {
      try {
        store_->rollback_to_savepoint();
      } catch (const std::exception&) {
        // The transaction itself is broken: the commit below fails and reports it.
      }
      ++failures_;
      completions.push_back(job.fail(e.what()));
    }
  }
  try {
    store_->commit();
  } catch (const std::exception& e) {
    try {
      store_->rollback();
    } catch (const std::exception&) {
    }
    failures_ += batch.size();
    for (auto& job : batch) boost::asio::post(ctx_, job.fail(e.what()));
    return;
  }
  latency_.record(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started));
  for (auto& completion : completions) boost::asio::post(ctx_, std::move(completion));
}

}  // namespace sio::app
