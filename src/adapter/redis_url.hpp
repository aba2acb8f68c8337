#pragma once
// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`, or
// `rediss://…` for TLS (the server's certificate checked against the system's CAs, or those of
// the file SSL_CERT_FILE names, and its host name or IP address).

#include <string>
#include <string_view>

namespace sio::adapter {

struct RedisUrl {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::string username;  // Redis 6 ACL user; empty for the legacy `AUTH password`
  std::string password;
  int db = 0;
  bool tls = false;  // rediss://
};

// Throws std::invalid_argument with a one-line reason (start-up configuration errors).
RedisUrl parse_redis_url(std::string_view url);

}  // namespace sio::adapter
