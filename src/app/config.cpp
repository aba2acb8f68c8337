#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "engineio/session_id.hpp"

#ifndef SIO_SOURCE_DIR
#define SIO_SOURCE_DIR "."
#endif

namespace sio::app {

namespace {

// A file shipped with the sources: found next to the working directory first (a checkout),
// else in the source tree the binary was built from.
std::string find_asset(const std::string& relative) {
  if (std::filesystem::exists(relative)) return relative;
  return std::string(SIO_SOURCE_DIR) + "/" + relative;
}

}  // namespace

std::variant<Config, ConfigExit> load_config(int argc, char** argv) {
  Config config;
  config.web_root = find_asset("web");
  config.client_script = find_asset("node_modules/socket.io-client/dist/socket.io.min.js");
  std::string dev_flag;

  CLI::App app{"sio-server: a Socket.IO chat and notification server"};
  app.add_option("--port", config.port, "port to listen on")->envname("PORT");
  app.add_option("--host", config.host, "address to bind (default: all, IPv4 and IPv6)");
  app.add_option("--frontend-url", config.frontend_url, "the front end's origin, allowed by CORS")
      ->envname("FRONTEND_URL");
  app.add_option("--jwt-secret", config.jwt_secret, "HS256 secret of the access tokens")
      ->envname("JWT_ACCESS_SECRET");
  app.add_option("--database-url", config.database_url,
                 "sqlite:PATH or postgres://user:pass@host:port/db")
      ->envname("DATABASE_URL");
  app.add_option("--redis-url", config.redis_url, "redis://[:password@]host:port[/db]")
      ->envname("REDIS_URL");
  app.add_option("--dev", dev_flag, "1 = development mode (random secret, CORS *, /dev/token)")
      ->envname("SIO_DEV");
  app.add_option("--web-root", config.web_root, "directory of the demo page");
  app.add_option("--client-script", config.client_script, "socket.io.min.js to serve");
  app.add_option("--ping-interval", config.ping_interval_ms, "ms");
  app.add_option("--ping-timeout", config.ping_timeout_ms, "ms");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ConfigExit{app.exit(e)};
  }
  config.dev = dev_flag == "1" || dev_flag == "true";

  auto refuse = [](const char* line) {
    std::fprintf(stderr, "sio-server: %s\n", line);
    return ConfigExit{2};
  };
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
  if (!config.redis_url.empty() && config.redis_url.rfind("redis://", 0) != 0) {
    return refuse("REDIS_URL must look like redis://[:password@]host:port[/db]");
  }
  return config;
}

}  // namespace sio::app
