#pragma once
// Events per second over the last few seconds (a ring of one-second buckets), for admin stats.

#include <array>
#include <chrono>
#include <cstdint>

namespace sio::app {

class RateMeter {
 public:
  void add(std::uint64_t n = 1) {
    advance();
    buckets_[current_ % kSeconds] += n;
    total_ += n;
  }
  // Average over the last kSeconds whole seconds.
  double per_second() {
    advance();
    std::uint64_t sum = 0;
    for (std::size_t i = 1; i <= kSeconds - 1; ++i) sum += buckets_[(current_ + kSeconds - i) % kSeconds];
    return static_cast<double>(sum) / (kSeconds - 1);
  }
  std::uint64_t total() const { return total_; }

 private:
  static constexpr std::size_t kSeconds = 11;
  void advance() {
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now().time_since_epoch())
            .count());
    if (now == current_) return;
    const auto steps = std::min<std::uint64_t>(now - current_, kSeconds);
    for (std::uint64_t i = 1; i <= steps; ++i) buckets_[(current_ + i) % kSeconds] = 0;
    current_ = now;
  }
  std::array<std::uint64_t, kSeconds> buckets_{};
  std::uint64_t current_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace sio::app
