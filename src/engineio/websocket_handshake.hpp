#pragma once
// The server side of the WebSocket opening handshake (RFC 6455 §4.2): checks the upgrade
// request and builds the bytes of the answer. No subprotocol is negotiated; permessage-deflate
// (RFC 7692) only when the server offers it (off by default, as in Node's engine.io).

#include <string>
#include <string_view>

#include "http/http_request.hpp"

namespace sio::engineio {

struct WebSocketHandshake {
  bool accepted = false;
  // "101 Switching Protocols" when accepted; otherwise the error response (400, or 426 for an
  // unsupported protocol version) after which the connection closes.
  std::string response;
  // permessage-deflate was agreed: messages may be compressed, each on its own both ways.
  bool deflate = false;
};

// With `offer_deflate`, the client's first permessage-deflate offer that needs nothing sio cannot
// give is accepted, with client_no_context_takeover (each client message compressed on its own);
// an offer limiting the server's window below 15 bits is declined (messages are compressed once
// for all recipients, with the full window).
WebSocketHandshake answer_websocket_handshake(const http::Request& request,
                                              bool offer_deflate = false);

// base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept value for a Sec-WebSocket-Key.
std::string websocket_accept_key(std::string_view client_key);

}  // namespace sio::engineio
