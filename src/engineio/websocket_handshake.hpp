#pragma once
// The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks the upgrade
// request and builds the bytes of the answer. No extension (permessage-deflate) and no
// subprotocol is negotiated, as Node's engine.io does by default.

#include <string>
#include <string_view>

#include "http/http_request.hpp"

namespace sio::engineio {

struct WebSocketHandshake {
  bool accepted = false;
  // "101 Switching Protocols" when accepted; otherwise the error response (400, or 426 for an
  // unsupported protocol version) after which the connection closes.
  std::string response;
};

WebSocketHandshake answer_websocket_handshake(const http::Request& request);

// base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
std::string websocket_accept_key(std::string_view client_key);

}  // namespace sio::engineio
