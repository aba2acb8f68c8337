// Redis URLs: redis://[[user]:password@]host[:port][/db].

#include "adapter/redis_url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using sio::adapter::parse_redis_url;

TEST(RedisUrl, defaults_to_port_6379_database_0_and_no_password) {
  const auto url = parse_redis_url("redis://cache.internal");
  EXPECT_EQ(url.host, "cache.internal");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.db, 0);
  EXPECT_TRUE(url.password.empty());
  EXPECT_TRUE(url.username.empty());
}

TEST(RedisUrl, reads_password_port_and_database) {
  const auto url = parse_redis_url("redis://:s3cret@10.0.0.5:6380/2");
  EXPECT_EQ(url.host, "10.0.0.5");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.password, "s3cret");
  EXPECT_TRUE(url.username.empty());
  EXPECT_EQ(url.db, 2);
}

TEST(RedisUrl, reads_an_acl_user_and_decodes_percent_escapes) {
  const auto url = parse_redis_url("redis://app:p%40ss%3Aword@localhost/");
  EXPECT_EQ(url.username, "app");
  EXPECT_EQ(url.password, "p@ss:word");
  EXPECT_EQ(url.db, 0);
}

TEST(RedisUrl, unbrackets_ipv6_literals) {
  const auto url = parse_redis_url("redis://[::1]:7000");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 7000);
}

TEST(RedisUrl, rediss_means_tls) {
  EXPECT_TRUE(parse_redis_url("rediss://sio:pw@redis.example:6380/2").tls);
  EXPECT_FALSE(parse_redis_url("redis://localhost").tls);
}

TEST(RedisUrl, rejects_other_schemes_bad_ports_and_bad_databases) {
  EXPECT_THROW(parse_redis_url("http://localhost:6379"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://localhost:99999"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("redis://localhost/db1"), std::invalid_argument);
  EXPECT_THROW(parse_redis_url("not a url"), std::invalid_argument);
}
