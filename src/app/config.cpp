#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "engineio/session_id.hpp"

#ifndef SIO_SOURCE_DIR
#define SIO_SOURCE_DIR "."
#endif

namespace sio::app {

namespace {

// Where `cmake --install` put sio-server's files, found from the executable itself so that an
// installed tree can be moved: P/bin/sio-server serves P/share/sio.
std::filesystem::path installed_data_dir() {
  std::error_code ec;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return executable.parent_path().parent_path() / "share" / "sio";
}

// A file shipped with the sources, `relative` to a checkout's root (and to the data directory):
// found in the working directory first (a checkout), then where it was installed, else in the
// source tree the binary was built from.
std::string find_asset(const std::string& relative) {
  if (std::filesystem::exists(relative)) return relative;
  const auto data_dir = installed_data_dir();
  if (!data_dir.empty() && std::filesystem::exists(data_dir / relative)) {
    return (data_dir / relative).string();
  }
  return std::string(SIO_SOURCE_DIR) + "/" + relative;
}

}  // namespace

std::variant<Config, ConfigExit> load_config(int argc, char** argv) {
  Config config;
  config.web_root = find_asset("web");
  std::string dev_flag;

  CLI::App app{"sio-server: a Socket.IO chat and notification server"};
  app.add_option("--port", config.port, "port to listen on")->envname("PORT");
  app.add_option("--threads", config.threads,
                 "reactor threads, each serving its share of the connections (default: one per "
                 "core; 1 = a single thread)")
      ->envname("SIO_THREADS")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  app.add_option("--host", config.host, "address to bind (default: all, IPv4 and IPv6)");
  app.add_option("--frontend-url", config.frontend_url, "the front end's origin, allowed by CORS")
      ->envname("FRONTEND_URL");
  app.add_option("--jwt-secret", config.jwt_secret, "HS256 secret of the access tokens")
      ->envname("JWT_ACCESS_SECRET");
  app.add_option("--database-url", config.database_url,
                 "sqlite:PATH or postgres://user:pass@host:port/db")
      ->envname("DATABASE_URL");
  app.add_option("--db-timeout", config.db_timeout_ms,
                 "ms a store call may wait for the database before it fails")
      ->envname("SIO_DB_TIMEOUT")
      ->check(CLI::Range(100, 600 * 1000));
  std::string per_message_deflate, http_compression = "1";
  app.add_option("--per-message-deflate", per_message_deflate,
                 "1 = compress WebSocket messages of 1 KiB or more (permessage-deflate)")
      ->envname("SIO_PER_MESSAGE_DEFLATE");
  app.add_option("--http-compression", http_compression,
                 "0 = do not compress polling responses (gzip/deflate above 1 KiB)")
      ->envname("SIO_HTTP_COMPRESSION");
  app.add_option("--admin-ui", config.admin_ui,
                 "username:bcrypt-hash: the @socket.io/admin-ui dashboard on namespace "
                 "/socket.io-admin (development mode with --dev)")
      ->envname("SIO_ADMIN_UI");
  app.add_option("--admin-ui-dist", config.admin_ui_dist,
                 "the dashboard's built files (ui/dist of @socket.io/admin-ui), served at /admin-ui/")
      ->envname("SIO_ADMIN_UI_DIST");
  std::string allow_eio3;
  app.add_option("--allow-eio3", allow_eio3,
                 "1 = also accept socket.io-client 2.x (Engine.IO v3), its token in the `token` "
                 "query parameter")
      ->envname("SIO_ALLOW_EIO3");
  app.add_option("--parser", config.parser,
                 "text (the default socket.io-parser) or msgpack (socket.io-msgpack-parser): what "
                 "the clients use")
      ->envname("SIO_PARSER")
      ->check(CLI::IsMember({"text", "msgpack"}));
  app.add_option("--redis-url", config.redis_url, "redis[s]://[[user]:password@]host:port[/db] (rediss: TLS)")
      ->envname("REDIS_URL");
  app.add_option("--adapter", config.adapter,
                 "with REDIS_URL: redis (classic Pub/Sub), redis-sharded (sharded Pub/Sub, "
                 "Redis Cluster) or redis-streams (a stream; recovery across servers)")
      ->envname("SIO_ADAPTER")
      ->check(CLI::IsMember({"redis", "redis-sharded", "redis-streams"}));
  app.add_option("--subscription-mode", config.subscription_mode,
                 "redis-sharded: static, dynamic (default) or dynamic-private; the same on every "
                 "server")
      ->envname("SIO_REDIS_SUBSCRIPTION_MODE")
      ->check(CLI::IsMember({"static", "dynamic", "dynamic-private"}));
  app.add_option("--dev", dev_flag, "1 = development mode (random secret, CORS *, /dev/token)")
      ->envname("SIO_DEV");
  app.add_option("--log-level", config.log_level,
                 "trace, debug, info (default: one line per connect and disconnect), warn, error, "
                 "critical or off")
      ->envname("SIO_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  app.add_option("--web-root", config.web_root, "directory of the demo page");
  app.add_option("--ping-interval", config.ping_interval_ms, "ms");
  app.add_option("--ping-timeout", config.ping_timeout_ms, "ms");
  app.add_option("--recovery-window", config.recovery_window_ms,
                 "ms a dropped client may recover its socket (0 = off)")
      ->envname("SIO_RECOVERY_WINDOW")
      ->check(CLI::Range(0, 24 * 3600 * 1000));
  app.add_option("--tls-cert", config.tls_cert,
                 "PEM certificate (chain allowed): serve HTTPS and WSS; re-read on SIGHUP")
      ->envname("SIO_TLS_CERT");
  app.add_option("--tls-key", config.tls_key, "PEM private key of --tls-cert")
      ->envname("SIO_TLS_KEY");
  std::string trusted_proxies;
  app.add_option("--trusted-proxies", trusted_proxies,
                 "proxies (CIDR list) whose X-Forwarded-For / Forwarded name the client")
      ->envname("SIO_TRUSTED_PROXIES");
  app.add_option("--max-connections", config.max_connections, "open TCP connections (0 = no limit)")
      ->envname("SIO_MAX_CONNECTIONS");
  app.add_option("--max-connections-per-ip", config.max_connections_per_ip,
                 "open TCP connections per client IP (0 = no limit)")
      ->envname("SIO_MAX_CONNECTIONS_PER_IP");
  app.add_option("--handshake-rate", config.handshake_rate,
                 "new sessions per second per client IP (0 = no limit)")
      ->envname("SIO_HANDSHAKE_RATE")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--handshake-burst", config.handshake_burst, "new sessions at once per client IP")
      ->envname("SIO_HANDSHAKE_BURST")
      ->check(CLI::Range(1.0, 1e9));
  app.add_option("--max-rooms-per-socket", config.max_rooms_per_socket,
                 "rooms one socket may join (0 = no limit)")
      ->envname("SIO_MAX_ROOMS_PER_SOCKET");
  app.add_option("--event-rate", config.event_rate,
                 "events per second one socket may send (0 = no limit)")
      ->envname("SIO_EVENT_RATE")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--event-burst", config.event_burst, "events one socket may send at once")
      ->envname("SIO_EVENT_BURST")
      ->check(CLI::Range(1.0, 1e9));
  app.add_option("--event-rate-disconnect-after", config.event_rate_disconnect_after_ms,
                 "ms a socket may go on exceeding the event rate before it is disconnected (0 = "
                 "never)")
      ->envname("SIO_EVENT_RATE_DISCONNECT_AFTER")
      ->check(CLI::Range(0, 3600 * 1000));
  app.add_option("--max-header-bytes", config.max_header_bytes, "request line + headers, bytes")
      ->envname("SIO_MAX_HEADER_BYTES")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1024 * 1024}));
  app.add_option("--header-timeout", config.header_timeout_ms, "ms allowed for request headers")
      ->envname("SIO_HEADER_TIMEOUT")
      ->check(CLI::Range(100, 600000));
  app.add_option("--max-attachments", config.max_attachments, "binary attachments per packet")
      ->envname("SIO_MAX_ATTACHMENTS")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  // The data is walked recursively once parsed: the depth stays far from what the stack holds.
  app.add_option("--max-nesting-depth", config.max_nesting_depth,
                 "array/object nesting of a packet's data")
      ->envname("SIO_MAX_NESTING_DEPTH")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--max-event-name-bytes", config.max_event_name_bytes, "bytes of an event name")
      ->envname("SIO_MAX_EVENT_NAME_BYTES")
      ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
  // What a client is sent in one go (a page of history, a stored batch of messages broadcast
  // together) counts whole before any of it is written: a smaller cap would cut healthy clients.
  app.add_option("--max-send-buffer", config.max_send_buffer,
                 "bytes queued for one client before it is disconnected as too slow")
      ->envname("SIO_MAX_SEND_BUFFER")
      ->check(CLI::Range(std::size_t{1024 * 1024}, std::size_t{1024 * 1024 * 1024}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ConfigExit{app.exit(e)};
  }
  config.dev = dev_flag == "1" || dev_flag == "true";
  config.allow_eio3 = allow_eio3 == "1" || allow_eio3 == "true";
  config.per_message_deflate = per_message_deflate == "1" || per_message_deflate == "true";
  config.http_compression = !(http_compression == "0" || http_compression == "false");

  auto refuse = [](const char* line) {
    std::fprintf(stderr, "sio-server: %s\n", line);
    return ConfigExit{2};
  };
  try {
    config.trusted_proxies = http::TrustedProxies::parse(trusted_proxies);
  } catch (const std::invalid_argument& e) {
    return refuse((std::string("SIO_TRUSTED_PROXIES: ") + e.what()).c_str());
  }
  if (!config.admin_ui.empty()) {
    const auto colon = config.admin_ui.find(':');
    if (colon == 0 || colon == std::string::npos || colon + 1 == config.admin_ui.size()) {
      return refuse("SIO_ADMIN_UI must be username:bcrypt-hash");
    }
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return refuse("SIO_TLS_CERT and SIO_TLS_KEY go together: set both for TLS, or neither");
  }
  if (config.dev) {
    if (config.jwt_secret.empty()) config.jwt_secret = engineio::generate_session_id() + engineio::generate_session_id();
    if (config.frontend_url.empty()) config.frontend_url = "*";
  } else {
    if (config.jwt_secret.empty()) {
      return refuse("JWT_ACCESS_SECRET is required (set SIO_DEV=1 for a development server)");
    }
    if (config.frontend_url == "*") {
      return refuse("FRONTEND_URL=* is only allowed in development mode (SIO_DEV=1)");
    }
  }
  if (config.database_url.rfind("sqlite:", 0) != 0 && config.database_url.rfind("postgres://", 0) != 0 &&
      config.database_url.rfind("postgresql://", 0) != 0) {
    return refuse("DATABASE_URL must start with sqlite:, postgres:// or postgresql://");
  }
  if (!config.redis_url.empty() && config.redis_url.rfind("redis://", 0) != 0 &&
      config.redis_url.rfind("rediss://", 0) != 0) {
    return refuse("REDIS_URL must look like redis[s]://[[user]:password@]host:port[/db]");
  }
  return config;
}

}  // namespace sio::app
