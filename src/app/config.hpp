#pragma once
// sio-server's configuration: the environment first, command-line flags override it.

#include <optional>
#include <string>
#include <variant>

namespace sio::app {

struct Config {
  unsigned short port = 3000;
  std::string host = "::";
  std::string frontend_url;  // CORS origin; empty = same origin only
  std::string jwt_secret;
  std::string database_url = "sqlite:./sio.db";
  std::string redis_url;
  bool dev = false;
  std::string web_root;       // the demo page's files
  std::string client_script;  // socket.io.min.js from the socket.io-client npm package
  int ping_interval_ms = 25000;
  int ping_timeout_ms = 20000;
};

// What the command line asked for: run with a config, or exit (--help, or an error already
// printed) with a status.
struct ConfigExit {
  int status;
};

std::variant<Config, ConfigExit> load_config(int argc, char** argv);

}  // namespace sio::app
