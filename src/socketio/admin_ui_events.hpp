#pragma once
// The admin UI's development mode: every socket, room change and event of every namespace, sent
// as it happens to the admin namespace (see admin_ui.hpp), and the form in which sockets are
// shown to the UI. Each socket carries `_admin: {clientId, transport}` in its data, as Node's
// instrumentation keeps it there, so that sockets fetched from other servers show them too.

#include <string>

#include "adapter/adapter.hpp"
#include "socketio/server_observer.hpp"

namespace sio::socketio {

class Namespace;

// A socket as the UI reads it: {id, clientId, transport, nsp, data (without _admin), handshake
// (without auth), rooms}.
json admin_view_of(Socket& socket);
json admin_view_of(const adapter::SocketDetails& socket, const std::string& nsp);

// The current time as JSON.stringify writes a Date: 2026-12-07T00:14:01.085Z.
std::string iso_now();

class AdminUiEvents : public ServerObserver {
 public:
  explicit AdminUiEvents(Namespace& admin) : admin_(admin) {}

  void socket_connected(Socket& socket) override;
  void socket_disconnected(Socket& socket, const std::string& reason) override;
  void room_changed(Socket& socket, const adapter::Room& room, bool joined) override;
  void event_received(Socket& socket, std::string_view event, const Args& args) override;
  void event_sent(Socket& socket, std::string_view event, const Args& args) override;
  void transport_upgraded(Client& client) override;

 private:
  void tell(std::string_view event, Args args);

  Namespace& admin_;
};

}  // namespace sio::socketio
