#include "socketio/event_rate_limit.hpp"

#include <algorithm>

namespace sio::socketio {

namespace {

EventBucket::Clock::duration seconds(double s) {
  return std::chrono::duration_cast<EventBucket::Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

EventBucket::Rule::Rule(const EventRateLimit& limit) {
  if (limit.rate <= 0) return;
  interval = std::max(seconds(1 / limit.rate), Clock::duration(1));
  tolerance = seconds((std::max(limit.burst, 1.0) - 1) / limit.rate);
  disconnect_after = limit.disconnect_after;
  quiet = std::max<Clock::duration>(std::chrono::seconds(1), interval + tolerance);
}

EventBucket::Verdict EventBucket::take(const Rule& rule, Clock::time_point now) {
  if (full_at_ < now) full_at_ = now;
  if (full_at_ - now <= rule.tolerance) {
    full_at_ += rule.interval;
    return Verdict::allowed;
  }
  if (last_refused_ == Clock::time_point{} || now - last_refused_ > rule.quiet)
    refused_since_ = now;
  last_refused_ = now;
  if (rule.disconnect_after.count() > 0 && now - refused_since_ >= rule.disconnect_after) {
    return Verdict::disconnect;
  }
  return Verdict::refused;
}

}  // namespace sio::socketio
