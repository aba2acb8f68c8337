#pragma once
// What a server tells an observer of its sockets (the admin UI's instrumentation, admin_ui.hpp):
// connections, disconnections, room changes, events in and out, transport upgrades. One observer
// per server, set before it runs; when none is set each hook costs one pointer test.
//
// Each call runs on the socket's reactor, inside the operation it reports: an observer must not
// block, and what it does to other sockets goes through broadcasts as anything else does.

#include <string>
#include <string_view>

#include "adapter/adapter.hpp"
#include "socketio/ack.hpp"

namespace sio::socketio {

class Client;
class Socket;

class ServerObserver {
 public:
  virtual ~ServerObserver() = default;

  // After the socket joined its namespace (its CONNECT answered), before the connection handlers.
  virtual void socket_connected(Socket& socket) = 0;
  // When the socket leaves its namespace (after its disconnecting handlers, before it leaves its
  // rooms).
  virtual void socket_disconnected(Socket& socket, const std::string& reason) = 0;
  // A room the socket was not in (joined) or was in (left), its own room included.
  virtual void room_changed(Socket& socket, const adapter::Room& room, bool joined) = 0;
  // An event the socket received (before its handlers), or one emitted to it alone (broadcasts
  // are not reported per recipient).
  virtual void event_received(Socket& socket, std::string_view event, const Args& args) = 0;
  virtual void event_sent(Socket& socket, std::string_view event, const Args& args) = 0;
  // The client's connection moved from long-polling to WebSocket.
  virtual void transport_upgraded(Client& client) = 0;
};

}  // namespace sio::socketio
