#include "engineio/address_rate_limit.hpp"

#include <algorithm>

namespace sio::engineio {

namespace {

AddressRateLimit::Clock::duration seconds(double value) {
  return std::chrono::duration_cast<AddressRateLimit::Clock::duration>(
      std::chrono::duration<double>(value));
}

}  // namespace

AddressRateLimit::AddressRateLimit(double rate, double burst, std::size_t max_addresses)
    : interval_(seconds(1 / rate)),
      tolerance_(seconds((std::max(burst, 1.0) - 1) / rate)),
      max_addresses_(std::max<std::size_t>(max_addresses, 1)) {}

std::size_t AddressRateLimit::size() const {
  std::lock_guard lock(mutex_);
  return index_.size();
}

bool AddressRateLimit::try_take(const AddressKey& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  forget_refilled(now);
  auto found = index_.find(address);
  if (found == index_.end()) {
    if (index_.size() >= max_addresses_) {
      index_.erase(order_.back().address);
      order_.pop_back();
    }
    order_.push_front(Bucket{address, now + interval_});
    index_.emplace(address, order_.begin());
    return true;
  }
  auto& bucket = *found->second;
  order_.splice(order_.begin(), order_, found->second);
  const auto from = std::max(bucket.full_at, now);
  if (from - now > tolerance_) return false;
  bucket.full_at = from + interval_;
  return true;
}

AddressRateLimit::Clock::duration AddressRateLimit::wait(const AddressKey& address,
                                                         Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  auto found = index_.find(address);
  if (found == index_.end()) return Clock::duration::zero();
  return std::max(Clock::duration::zero(), found->second->full_at - now - tolerance_);
}

// Entries refill roughly in the order they were last seen: dropping them from the back until one
// has not refilled costs no more per call than the entries it removes. One still refilling may
// keep refilled ones behind it a little longer; the table's bound does not depend on this.
void AddressRateLimit::forget_refilled(Clock::time_point now) {
  while (!order_.empty() && order_.back().full_at <= now) {
    index_.erase(order_.back().address);
    order_.pop_back();
  }
}

}  // namespace sio::engineio
