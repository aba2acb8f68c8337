#include "socketio/event_rate_limit.hpp"

#include <gtest/gtest.h>

using sio::socketio::EventBucket;
using sio::socketio::EventRateLimit;
using Verdict = EventBucket::Verdict;
using namespace std::chrono_literals;

namespace {

const EventBucket::Clock::time_point t0 = EventBucket::Clock::time_point{} + 1h;

EventBucket::Rule rule(double rate, double burst,
                       std::chrono::milliseconds disconnect_after = 0ms) {
  EventRateLimit limit;
  limit.rate = rate;
  limit.burst = burst;
  limit.disconnect_after = disconnect_after;
  return EventBucket::Rule(limit);
}

}  // namespace

TEST(EventBucket, rate_zero_disables_the_limit) {
  EXPECT_FALSE(rule(0, 10).enabled());
}

TEST(EventBucket, allows_a_burst_then_refuses) {
  const auto r = rule(10, 3);
  EventBucket bucket;
  EXPECT_EQ(bucket.take(r, t0), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0), Verdict::refused);
}

TEST(EventBucket, refills_at_the_rate) {
  const auto r = rule(10, 1);
  EventBucket bucket;
  EXPECT_EQ(bucket.take(r, t0), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0 + 50ms), Verdict::refused);
  EXPECT_EQ(bucket.take(r, t0 + 100ms), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0 + 150ms), Verdict::refused);
}

TEST(EventBucket, keeps_up_with_a_client_at_exactly_the_rate) {
  const auto r = rule(20, 1, 1s);
  EventBucket bucket;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.take(r, t0 + i * 50ms), Verdict::allowed);
}

TEST(EventBucket, disconnects_after_refusals_for_disconnect_after) {
  const auto r = rule(10, 1, 1s);
  EventBucket bucket;
  EXPECT_EQ(bucket.take(r, t0), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0 + 1ms), Verdict::refused);
  EXPECT_EQ(bucket.take(r, t0 + 900ms), Verdict::allowed);
  EXPECT_EQ(bucket.take(r, t0 + 901ms), Verdict::refused);
  EXPECT_EQ(bucket.take(r, t0 + 1000ms), Verdict::allowed);
  // A second and a millisecond after the first refusal, with none a second apart in between.
  EXPECT_EQ(bucket.take(r, t0 + 1002ms), Verdict::disconnect);
}

TEST(EventBucket, a_client_at_twice_the_rate_is_disconnected_though_half_its_events_pass) {
  const auto r = rule(10, 1, 1s);
  EventBucket bucket;
  Verdict last = Verdict::allowed;
  int i = 0;
  for (; i < 100 && last != Verdict::disconnect; ++i) last = bucket.take(r, t0 + i * 50ms);
  EXPECT_EQ(last, Verdict::disconnect);
  EXPECT_LE(i * 50, 1200);
}

TEST(EventBucket, a_second_without_refusals_ends_their_run) {
  const auto r = rule(10, 2, 1s);
  EventBucket bucket;
  auto drain = [&](auto at) {
    bucket.take(r, at);
    bucket.take(r, at);
    return bucket.take(r, at);
  };
  EXPECT_EQ(drain(t0), Verdict::refused);
  EXPECT_EQ(drain(t0 + 1500ms), Verdict::refused);  // a new run: the last refusal is 1.5 s old
  EXPECT_EQ(drain(t0 + 2400ms), Verdict::refused);  // 0.9 s into that run
  EXPECT_EQ(drain(t0 + 2600ms), Verdict::disconnect);
}

TEST(EventBucket, never_disconnects_when_disconnect_after_is_zero) {
  const auto r = rule(10, 1, 0ms);
  EventBucket bucket;
  for (int i = 0; i < 1000; ++i) EXPECT_NE(bucket.take(r, t0 + i * 10ms), Verdict::disconnect);
}
