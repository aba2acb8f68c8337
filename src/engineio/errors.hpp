#pragma once
// The handshake error codes of the Engine.IO protocol, with the messages and HTTP statuses the
// reference server answers with.

#include <string_view>

namespace sio::engineio {

enum class ErrorCode : int {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

constexpr std::string_view error_message(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_transport: return "Transport unknown";
    case ErrorCode::unknown_sid: return "Session ID unknown";
    case ErrorCode::bad_handshake_method: return "Bad handshake method";
    case ErrorCode::bad_request: return "Bad request";
    case ErrorCode::forbidden: return "Forbidden";
    case ErrorCode::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

constexpr unsigned error_status(ErrorCode code) { return code == ErrorCode::forbidden ? 403 : 400; }

}  // namespace sio::engineio
