#include "http/trusted_proxies.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using sio::http::TrustedProxies;
namespace ip = boost::asio::ip;

namespace {

bool trusts(const TrustedProxies& proxies, const char* address) {
  return proxies.contains(ip::make_address(address));
}

}  // namespace

TEST(TrustedProxies, an_empty_list_trusts_no_one) {
  const auto proxies = TrustedProxies::parse("");
  EXPECT_TRUE(proxies.empty());
  EXPECT_FALSE(trusts(proxies, "127.0.0.1"));
  EXPECT_FALSE(trusts(proxies, "::1"));
}

TEST(TrustedProxies, matches_an_ipv4_network_by_its_prefix) {
  const auto proxies = TrustedProxies::parse("10.0.0.0/8");
  EXPECT_TRUE(trusts(proxies, "10.0.0.1"));
  EXPECT_TRUE(trusts(proxies, "10.255.255.255"));
  EXPECT_FALSE(trusts(proxies, "11.0.0.1"));
  EXPECT_FALSE(trusts(proxies, "9.255.255.255"));
}

TEST(TrustedProxies, matches_prefixes_that_end_inside_a_byte) {
  const auto proxies = TrustedProxies::parse("192.168.4.0/22");
  EXPECT_TRUE(trusts(proxies, "192.168.4.1"));
  EXPECT_TRUE(trusts(proxies, "192.168.7.254"));
  EXPECT_FALSE(trusts(proxies, "192.168.8.1"));
  EXPECT_FALSE(trusts(proxies, "192.168.3.255"));
}

TEST(TrustedProxies, a_bare_address_is_a_network_of_one) {
  const auto proxies = TrustedProxies::parse("127.0.0.1");
  EXPECT_TRUE(trusts(proxies, "127.0.0.1"));
  EXPECT_FALSE(trusts(proxies, "127.0.0.2"));
}

TEST(TrustedProxies, matches_ipv4_peers_that_arrive_v4_mapped) {
  const auto proxies = TrustedProxies::parse("127.0.0.1");
  EXPECT_TRUE(trusts(proxies, "::ffff:127.0.0.1"));
  EXPECT_FALSE(trusts(proxies, "::ffff:127.0.0.2"));
}

TEST(TrustedProxies, matches_ipv6_networks) {
  const auto proxies = TrustedProxies::parse("2001:db8::/32, ::1");
  EXPECT_TRUE(trusts(proxies, "2001:db8:1234::5"));
  EXPECT_FALSE(trusts(proxies, "2001:db9::1"));
  EXPECT_TRUE(trusts(proxies, "::1"));
  EXPECT_FALSE(trusts(proxies, "::2"));
  EXPECT_FALSE(trusts(proxies, "127.0.0.1"));
}

TEST(TrustedProxies, reads_a_list_separated_by_commas_and_spaces) {
  const auto proxies = TrustedProxies::parse(" 10.0.0.0/8,172.16.0.0/12  192.168.0.0/16 ,");
  EXPECT_TRUE(trusts(proxies, "10.1.1.1"));
  EXPECT_TRUE(trusts(proxies, "172.31.0.1"));
  EXPECT_TRUE(trusts(proxies, "192.168.1.1"));
  EXPECT_FALSE(trusts(proxies, "172.32.0.1"));
}

TEST(TrustedProxies, clears_host_bits_of_a_network) {
  const auto proxies = TrustedProxies::parse("10.1.2.3/8");
  EXPECT_TRUE(trusts(proxies, "10.200.0.1"));
}

TEST(TrustedProxies, refuses_what_is_not_a_network) {
  for (const char* bad : {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x", "10.0.0/8",
                          "1.2.3.4/-1"}) {
    EXPECT_THROW(TrustedProxies::parse(bad), std::invalid_argument) << bad;
  }
}

TEST(TrustedProxies, names_the_entry_it_refuses) {
  try {
    TrustedProxies::parse("10.0.0.0/8, nginx");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"nginx\""), std::string::npos) << e.what();
  }
}
