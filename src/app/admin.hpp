#pragma once
// The /admin namespace: admins only (a valid token with role "admin", else CONNECT_ERROR
// "Forbidden"). Events: `stats`, `kick` ({userId}: disconnects all of that user's sockets) and
// `broadcast` ({roomId, content}: a system message to the room, not stored).

#include "app/chat.hpp"
#include "socketio/server.hpp"

namespace sio::app {

void install_admin(socketio::Server& io, Chat& chat, const std::string& secret);

}  // namespace sio::app
