#pragma once
// sio-server's configuration: the environment first, command-line flags override it.

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

#include "http/trusted_proxies.hpp"

namespace sio::app {

struct Config {
  unsigned short port = 3000;
  // permessage-deflate for WebSocket messages (off by default, as in Node), and gzip/deflate for
  // polling responses (on by default, as in Node); both above 1 KiB.
  bool per_message_deflate = false;
  bool http_compression = true;
  // @socket.io/admin-ui: "username:bcrypt-hash" turns it on (namespace /socket.io-admin); the
  // UI's built files, when given, are served under /admin-ui/.
  std::string admin_ui;
  std::string admin_ui_dist;
  // Accept socket.io-client 2.x (Engine.IO v3; tokens in the `token` query parameter).
  bool allow_eio3 = false;
  // "text" (socket.io-parser, the default) or "msgpack" (socket.io-msgpack-parser).
  std::string parser = "text";
  // Reactor threads; 0 = one per core.
  std::size_t threads = 0;
  std::string host = "::";
  std::string frontend_url;  // CORS origin; empty = same origin only
  std::string jwt_secret;
  std::string database_url = "sqlite:./sio.db";
  // How long a store call (a message, a join, /readyz's check) may wait for the database, queued
  // and running, before it fails.
  int db_timeout_ms = 3000;
  std::string redis_url;
  // With REDIS_URL: "redis" (classic Pub/Sub, one Redis), "redis-sharded" (sharded Pub/Sub, a
  // Redis Cluster or one Redis ≥ 7) or "redis-streams" (a Redis stream; recovery across
  // servers), wire-compatible with Node's adapters of the same names.
  std::string adapter = "redis";
  // redis-sharded: static, dynamic or dynamic-private (as Node's subscriptionMode).
  std::string subscription_mode = "dynamic";
  bool dev = false;
  // spdlog level name: trace, debug, info, warn, error, critical, off.
  std::string log_level = "info";
  std::string web_root;       // the demo page's files
  int ping_interval_ms = 25000;
  int ping_timeout_ms = 20000;
  // Connection state recovery: how long a dropped client may come back as the same socket, ms;
  // 0 = off.
  int recovery_window_ms = 120000;
  // Proxies whose X-Forwarded-For / Forwarded name the client (empty: none; every peer is the
  // client).
  http::TrustedProxies trusted_proxies;
  // PEM files: the certificate (its chain may follow it) and its private key. Both set: HTTPS and
  // WSS on the port; neither: plain HTTP.
  std::string tls_cert;
  std::string tls_key;
  // Limits; 0 = none. Per-IP limits count the client: the TCP peer, or the client a trusted proxy
  // forwards for. The defaults let a NAT's thousands of users in and still slow a flood from one
  // address (README, "Limits").
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_ip = 0;
  double handshake_rate = 200;  // handshakes per second per IP
  double handshake_burst = 1000;
  std::size_t max_rooms_per_socket = 1000;
  // Events per second one socket may send, at most `event_burst` at once (0 = no limit); a socket
  // refused for event_rate_disconnect_after_ms on end is disconnected (0 = never).
  double event_rate = 20;
  double event_burst = 60;
  int event_rate_disconnect_after_ms = 5000;
  std::size_t max_header_bytes = 16 * 1024;
  int header_timeout_ms = 10000;
  // Socket.IO packet limits (socketio::DecoderLimits); a packet past one closes its client.
  std::size_t max_attachments = 10;
  std::size_t max_nesting_depth = 32;
  std::size_t max_event_name_bytes = 256;
  // Bytes queued for one client before it counts as a slow consumer and is disconnected.
  std::size_t max_send_buffer = 16 * 1024 * 1024;
};

// What the command line asked for: run with a config, or exit (--help, or an error already
// printed) with a status.
struct ConfigExit {
  int status;
};

std::variant<Config, ConfigExit> load_config(int argc, char** argv);

}  // namespace sio::app
