#pragma once
// Who is calling: the user behind an access token, taken from the Socket.IO handshake
// (`auth.token`, or an `Authorization: Bearer` header) or from an HTTP request.

#include <string>
#include <variant>

#include "http/http_request.hpp"
#include "socketio/handshake.hpp"
#include "socketio/namespace.hpp"

namespace sio::app {

struct Identity {
  std::string user_id;  // the token's `sub`
  std::string role;     // the token's `role` claim, if any
};

// The message a refused client gets: "No token" or "Invalid token".
struct AuthFailure {
  std::string message;
};

std::variant<Identity, AuthFailure> authenticate_token(std::string_view token,
                                                       const std::string& secret);
std::variant<Identity, AuthFailure> authenticate_handshake(const socketio::Handshake& handshake,
                                                           const std::string& secret);
std::variant<Identity, AuthFailure> authenticate_http(const http::HttpRequest& request,
                                                      const std::string& secret);

// The connection middleware: on success socket.data holds userId and role.
socketio::Middleware auth_middleware(std::string secret);

}  // namespace sio::app
