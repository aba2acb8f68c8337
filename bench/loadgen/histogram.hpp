#pragma once
// A latency histogram with log-linear buckets: values below 128 µs are exact, larger ones keep
// their top 8 bits (under 1 % error), so percentiles of millions of samples cost a fixed 60 KB.

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace sio::bench {

class Histogram {
 public:
  void record(std::uint64_t micros) {
    ++counts_[index_of(micros)];
    ++total_;
    max_ = std::max(max_, micros);
  }

  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }

  // The value below which `fraction` of the samples lie (0 when empty).
  std::uint64_t percentile(double fraction) const {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(value_of(i), max_);
    }
    return max_;
  }

 private:
  static constexpr std::size_t kLinear = 128;
  static constexpr std::size_t kBuckets = kLinear * 58;

  static std::size_t index_of(std::uint64_t v) {
    if (v < kLinear) return v;
    const auto shift = static_cast<unsigned>(std::bit_width(v)) - 8;  // v >> shift is in [128, 255]
    return shift * kLinear + static_cast<std::size_t>(v >> shift);
  }

  // The middle of bucket `i`.
  static std::uint64_t value_of(std::size_t i) {
    if (i < kLinear) return i;
    const auto shift = i / kLinear - 1;
    const auto top = static_cast<std::uint64_t>(i % kLinear + kLinear);
    return (top << shift) + ((std::uint64_t{1} << shift) >> 1);
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sio::bench
