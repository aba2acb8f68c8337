#include "http/connection_limit.hpp"

#include <gtest/gtest.h>

#include <vector>

using sio::http::ConnectionLimit;
namespace ip = boost::asio::ip;

namespace {

const auto alice = ip::make_address("192.0.2.1");
const auto bob = ip::make_address("192.0.2.2");

}  // namespace

TEST(ConnectionLimit, admits_up_to_the_limit_per_address) {
  ConnectionLimit limit(0, 2);
  auto first = limit.admit(alice);
  auto second = limit.admit(alice);
  auto third = limit.admit(alice);
  EXPECT_TRUE(first.lease);
  EXPECT_TRUE(second.lease);
  EXPECT_FALSE(third.lease);
  EXPECT_EQ(third.refusal, ConnectionLimit::Refusal::max_connections_per_ip);
  EXPECT_TRUE(limit.admit(bob).lease);
}

TEST(ConnectionLimit, admits_up_to_the_limit_in_all) {
  ConnectionLimit limit(2, 0);
  auto first = limit.admit(alice);
  auto second = limit.admit(bob);
  auto third = limit.admit(ip::make_address("192.0.2.3"));
  EXPECT_FALSE(third.lease);
  EXPECT_EQ(third.refusal, ConnectionLimit::Refusal::max_connections);
  EXPECT_EQ(limit.open(), 2u);
}

TEST(ConnectionLimit, a_released_lease_frees_its_place) {
  ConnectionLimit limit(1, 1);
  auto first = limit.admit(alice);
  EXPECT_FALSE(limit.admit(alice).lease);
  first.lease.reset();
  EXPECT_EQ(limit.open(), 0u);
  EXPECT_TRUE(limit.admit(alice).lease);
}

TEST(ConnectionLimit, counts_v4_mapped_and_plain_ipv4_as_one_address) {
  ConnectionLimit limit(0, 1);
  auto first = limit.admit(ip::make_address("::ffff:192.0.2.1"));
  EXPECT_TRUE(first.lease);
  EXPECT_FALSE(limit.admit(alice).lease);
  EXPECT_EQ(limit.open_from(alice), 1u);
}

TEST(ConnectionLimit, forgets_an_address_with_its_last_connection) {
  ConnectionLimit limit(0, 0);
  std::vector<ConnectionLimit::LeasePtr> leases;
  for (unsigned i = 0; i < 1000; ++i) {
    leases.push_back(limit.admit(ip::address_v4(0x0A000000u + i)).lease);
  }
  EXPECT_EQ(limit.addresses(), 1000u);
  leases.clear();
  EXPECT_EQ(limit.addresses(), 0u);
  EXPECT_EQ(limit.open(), 0u);
}

TEST(ConnectionLimit, a_lease_may_outlive_its_limit) {
  ConnectionLimit::LeasePtr lease;
  {
    ConnectionLimit limit(1, 1);
    lease = limit.admit(alice).lease;
  }
  lease.reset();  // must not touch freed memory (ASan build)
  SUCCEED();
}

TEST(ConnectionLimit, counts_a_trusted_proxy_in_the_total_only) {
  ConnectionLimit limit(0, 1, sio::http::TrustedProxies::parse("10.0.0.1"));
  const auto proxy = ip::make_address("10.0.0.1");
  auto first = limit.admit(proxy);
  auto second = limit.admit(proxy);
  EXPECT_TRUE(first.lease);
  EXPECT_TRUE(second.lease);
  EXPECT_EQ(limit.open(), 2u);
  EXPECT_EQ(limit.open_from(proxy), 0u);
}

TEST(ConnectionLimit, counts_a_rekeyed_lease_against_its_client) {
  ConnectionLimit limit(0, 1, sio::http::TrustedProxies::parse("10.0.0.1"));
  const auto proxy = ip::make_address("10.0.0.1");
  auto first = limit.admit(proxy);
  auto second = limit.admit(proxy);
  EXPECT_TRUE(limit.rekey(*first.lease, alice));
  EXPECT_EQ(limit.open_from(alice), 1u);
  EXPECT_FALSE(limit.rekey(*second.lease, alice));
  EXPECT_TRUE(limit.rekey(*second.lease, bob));
  EXPECT_TRUE(limit.rekey(*first.lease, alice)) << "the same key again changes nothing";
  EXPECT_EQ(limit.open_from(alice), 1u);
  EXPECT_EQ(limit.open_from(bob), 1u);
}

TEST(ConnectionLimit, a_lease_moved_to_another_client_frees_the_first) {
  ConnectionLimit limit(0, 1, sio::http::TrustedProxies::parse("10.0.0.1"));
  auto lease = limit.admit(ip::make_address("10.0.0.1")).lease;
  ASSERT_TRUE(limit.rekey(*lease, alice));
  ASSERT_TRUE(limit.rekey(*lease, bob));
  EXPECT_EQ(limit.open_from(alice), 0u);
  EXPECT_EQ(limit.addresses(), 1u);
  lease.reset();
  EXPECT_EQ(limit.addresses(), 0u);
  EXPECT_EQ(limit.open(), 0u);
}
