#include "http/forwarded_client.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

using sio::http::forwarded_client;
using sio::http::Request;
using sio::http::TrustedProxies;
namespace ip = boost::asio::ip;

namespace {

Request with_headers(std::initializer_list<std::pair<const char*, const char*>> headers) {
  Request request;
  for (const auto& [name, value] : headers) request.insert(name, value);
  return request;
}

std::string client_of(const char* peer, const Request& request,
                      const char* trusted = "10.0.0.0/8, 2001:db8:ffff::/48") {
  return forwarded_client(ip::make_address(peer), request, TrustedProxies::parse(trusted)).to_string();
}

}  // namespace

TEST(ForwardedClient, an_untrusted_peer_is_the_client_whatever_it_claims) {
  const auto request = with_headers({{"X-Forwarded-For", "203.0.113.9"}, {"Forwarded", "for=203.0.113.8"}});
  EXPECT_EQ(client_of("198.51.100.7", request), "198.51.100.7");
}

TEST(ForwardedClient, a_trusted_peer_without_headers_is_the_client) {
  EXPECT_EQ(client_of("10.0.0.1", with_headers({})), "10.0.0.1");
}

TEST(ForwardedClient, takes_the_hop_a_trusted_proxy_added) {
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", "203.0.113.9"}})), "203.0.113.9");
}

TEST(ForwardedClient, takes_the_rightmost_untrusted_hop_not_what_the_client_wrote) {
  // The client wrote 1.2.3.4 itself; the proxy appended the address it saw.
  const auto request = with_headers({{"X-Forwarded-For", "1.2.3.4, 203.0.113.9"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "203.0.113.9");
}

TEST(ForwardedClient, walks_past_a_chain_of_trusted_proxies) {
  const auto request = with_headers({{"X-Forwarded-For", "1.2.3.4, 203.0.113.9, 10.0.0.7, 10.0.0.8"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "203.0.113.9");
}

TEST(ForwardedClient, takes_the_leftmost_hop_when_all_are_trusted) {
  const auto request = with_headers({{"X-Forwarded-For", "10.0.0.5, 10.0.0.6"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "10.0.0.5");
}

TEST(ForwardedClient, reads_repeated_header_lines_as_one_list) {
  const auto request = with_headers({{"X-Forwarded-For", "1.2.3.4"}, {"X-Forwarded-For", "203.0.113.9"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "203.0.113.9");
}

TEST(ForwardedClient, stops_at_a_hop_that_is_not_an_address) {
  const auto request = with_headers({{"X-Forwarded-For", "203.0.113.9, garbage, 10.0.0.7"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "10.0.0.7");
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", ""}})), "10.0.0.1");
}

TEST(ForwardedClient, reads_ipv6_and_ports_as_proxies_write_them) {
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", "2001:db8::17"}})), "2001:db8::17");
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", "[2001:db8::17]:4711"}})), "2001:db8::17");
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", "203.0.113.9:51234"}})), "203.0.113.9");
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"X-Forwarded-For", "::ffff:203.0.113.9"}})), "203.0.113.9");
}

TEST(ForwardedClient, trusts_an_ipv6_proxy) {
  EXPECT_EQ(client_of("2001:db8:ffff::1", with_headers({{"X-Forwarded-For", "198.51.100.7"}})), "198.51.100.7");
}

TEST(ForwardedClient, reads_the_for_parameters_of_forwarded) {
  const auto request = with_headers({{"Forwarded", R"(for=1.2.3.4, for="[2001:db8::17]:4711";proto=https;by=10.0.0.1)"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "2001:db8::17");
  const auto upper = with_headers({{"Forwarded", "proto=http; For=203.0.113.9"}});
  EXPECT_EQ(client_of("10.0.0.1", upper), "203.0.113.9");
}

TEST(ForwardedClient, prefers_forwarded_to_x_forwarded_for) {
  const auto request = with_headers({{"X-Forwarded-For", "203.0.113.1"}, {"Forwarded", "for=203.0.113.2"}});
  EXPECT_EQ(client_of("10.0.0.1", request), "203.0.113.2");
}

TEST(ForwardedClient, an_unknown_or_obfuscated_node_names_no_one) {
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"Forwarded", "for=unknown"}})), "10.0.0.1");
  EXPECT_EQ(client_of("10.0.0.1", with_headers({{"Forwarded", "for=_hidden, for=10.0.0.9"}})), "10.0.0.9");
}
