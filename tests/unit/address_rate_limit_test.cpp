#include "engineio/address_rate_limit.hpp"

#include <gtest/gtest.h>

using sio::http::address_key;
using sio::engineio::AddressKey;
using sio::engineio::AddressRateLimit;
using namespace std::chrono_literals;

namespace {

AddressKey key(const char* text) {
  return *address_key(text);
}

// The n-th address of a spray of distinct IPv4 addresses.
AddressKey nth_address(std::uint32_t n) {
  return address_key(boost::asio::ip::address_v4(0x0A000000u + n));
}

const AddressRateLimit::Clock::time_point t0{};

}  // namespace

TEST(AddressRateLimit, allows_a_burst_then_refuses) {
  AddressRateLimit limit(1, 3, 100);
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0));
}

TEST(AddressRateLimit, refills_at_the_rate) {
  AddressRateLimit limit(2, 1, 100);
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0 + 200ms));
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0 + 600ms));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0 + 700ms));
}

TEST(AddressRateLimit, refused_attempts_do_not_delay_the_refill) {
  AddressRateLimit limit(1, 1, 100);
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  for (int i = 1; i < 10; ++i) EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0 + i * 90ms));
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0 + 1s));
}

TEST(AddressRateLimit, counts_each_address_apart) {
  AddressRateLimit limit(1, 1, 100);
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_TRUE(limit.try_take(key("192.0.2.2"), t0));
}

TEST(AddressRateLimit, counts_an_ipv6_slash_64_as_one_address) {
  AddressRateLimit limit(1, 1, 100);
  EXPECT_TRUE(limit.try_take(key("2001:db8:1:2::1"), t0));
  EXPECT_FALSE(limit.try_take(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), t0));
  EXPECT_TRUE(limit.try_take(key("2001:db8:1:3::1"), t0));
}

TEST(AddressRateLimit, counts_a_v4_mapped_peer_as_its_ipv4_address) {
  AddressRateLimit limit(1, 1, 100);
  EXPECT_TRUE(limit.try_take(key("::ffff:192.0.2.1"), t0));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0));
}

TEST(AddressRateLimit, table_stays_bounded_under_a_spray_of_addresses) {
  AddressRateLimit limit(1, 5, 1000);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    EXPECT_TRUE(limit.try_take(nth_address(i), t0 + i * 1us));
    ASSERT_LE(limit.size(), 1000u);
  }
  EXPECT_EQ(limit.size(), 1000u);
}

TEST(AddressRateLimit, keeps_limiting_the_recent_address_while_the_table_is_full) {
  AddressRateLimit limit(1, 1, 10);
  const auto busy = key("198.51.100.7");
  EXPECT_TRUE(limit.try_take(busy, t0));
  for (std::uint32_t i = 0; i < 100; ++i) {
    limit.try_take(nth_address(i), t0 + 1ms);
    // Seen again and again, the busy address stays in the table and stays limited.
    EXPECT_FALSE(limit.try_take(busy, t0 + 2ms));
  }
}

TEST(AddressRateLimit, forgets_addresses_whose_bucket_refilled) {
  AddressRateLimit limit(10, 2, 1000);
  for (std::uint32_t i = 0; i < 500; ++i) limit.try_take(nth_address(i), t0);
  EXPECT_EQ(limit.size(), 500u);
  // 0.2 s later every bucket (1 token short at 10/s) is full again.
  limit.try_take(key("192.0.2.1"), t0 + 200ms);
  EXPECT_EQ(limit.size(), 1u);
}

TEST(AddressRateLimit, tells_how_long_until_the_next_token) {
  AddressRateLimit limit(4, 2, 100);
  EXPECT_EQ(limit.wait(key("192.0.2.1"), t0), 0ms);
  limit.try_take(key("192.0.2.1"), t0);
  EXPECT_EQ(limit.wait(key("192.0.2.1"), t0), 0ms);
  limit.try_take(key("192.0.2.1"), t0);
  EXPECT_EQ(limit.wait(key("192.0.2.1"), t0), 250ms);
  EXPECT_EQ(limit.wait(key("192.0.2.1"), t0 + 100ms), 150ms);
}

TEST(AddressRateLimit, takes_a_fractional_rate) {
  AddressRateLimit limit(0.5, 1, 100);
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0));
  EXPECT_FALSE(limit.try_take(key("192.0.2.1"), t0 + 1900ms));
  EXPECT_TRUE(limit.try_take(key("192.0.2.1"), t0 + 2s));
}
