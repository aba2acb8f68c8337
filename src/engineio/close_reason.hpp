#pragma once
// Why a session closed, reported to the layer above with Node's engine.io strings (Socket.IO
// passes them on as disconnect reasons).

#include <string_view>

namespace sio::engineio {

enum class CloseReason {
  transport_close,  // the client closed: close packet, or its connection ended
  transport_error,  // the transport failed or the client broke the protocol at transport level
  parse_error,      // a packet could not be decoded
  ping_timeout,     // no pong within ping_timeout
  forced_close,     // the server closed it
  server_shutdown,  // the server is stopping
  send_buffer_full,  // the client reads too slowly: its queue outgrew max_send_buffer
};
inline constexpr std::size_t kCloseReasons = 7;

constexpr std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::transport_close: return "transport close";
    case CloseReason::transport_error: return "transport error";
    case CloseReason::parse_error: return "parse error";
    case CloseReason::ping_timeout: return "ping timeout";
    case CloseReason::forced_close: return "forced close";
    case CloseReason::server_shutdown: return "server shutting down";
    case CloseReason::send_buffer_full: return "send buffer full";
  }
  return "transport error";
}

}  // namespace sio::engineio
