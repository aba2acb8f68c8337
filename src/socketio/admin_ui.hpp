#pragma once
// The server side of @socket.io/admin-ui 0.5 (Node's `instrument(io, options)`): the dashboard
// connects to a namespace of its own, logs in, and is sent the server's stats every 2 seconds
// (and, in development mode, every socket, room change and event as they happen); its commands
// (emit, join, leave, disconnect, by socket id or room) act through the ordinary cluster
// operations, so with a cluster adapter it sees and drives every server, Node ones included.
//
// Production mode: `config`, `server_stats` (serverId, hostname, pid, uptime, clientsCount,
// pollingClientsCount, aggregatedEvents, namespaces), the commands. Development mode adds
// `all_sockets` on login and `socket_connected`, `socket_updated` (transport),
// `socket_disconnected`, `room_joined`, `room_left`, `event_received` and `event_sent` (the latter
// for a socket's own emits, not per recipient of a broadcast), through a ServerObserver.
//
// Login: the UI's {username, password} is checked against a bcrypt hash off the reactors
// (password_check.hpp); a successful login gets a session id (the `session` event, sent once
// the admin socket is connected, so that the UI keeps it) that logs in again without the
// password. Anything wrong is refused with "invalid credentials", which the UI recognises.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace sio::socketio {

class Server;

struct AdminUiOptions {
  struct BasicAuth {
    std::string username;
    std::string password_hash;  // bcrypt: $2a$, $2b$ or $2y$
  };
  // nullopt: anyone may connect (Node's `auth: false`).
  std::optional<BasicAuth> auth;
  std::string namespace_name = "/admin";
  // No commands: the UI only looks.
  bool readonly = false;
  // Distinct per server of a cluster; empty: "<hostname>#<pid>".
  std::string server_id;
  enum class Mode { production, development } mode = Mode::production;
  std::chrono::milliseconds stats_interval{2000};
};

class AdminUi;

// Instruments `io`; configure before the server runs. Throws std::invalid_argument for a hash
// that is not bcrypt. The returned object keeps the instrumentation alive (the server holds it
// too; drop yours whenever).
std::shared_ptr<AdminUi> instrument_admin_ui(Server& io, AdminUiOptions options);

}  // namespace sio::socketio
