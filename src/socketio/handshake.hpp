#pragma once
// What a socket knows of the request that opened its connection, with the fields of Node's
// `socket.handshake`.
//
// Every connection keeps one for its whole life, so headers and query are stored as one compact
// block each ("name\0value\0…") and built into Node's objects only when asked for.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_request.hpp"

namespace sio::socketio {

class Handshake {
 public:
  static Handshake from_request(const http::HttpRequest& request, nlohmann::ordered_json auth);

  // Request headers by lower-cased name, as an object ({"user-agent": "…", …}).
  nlohmann::ordered_json headers() const;
  std::optional<std::string_view> header(std::string_view lower_case_name) const;
  // The decoded query string, as an object.
  nlohmann::ordered_json query() const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  // When the connection was opened, as JavaScript's Date#toString prints it.
  std::string time() const;

  std::string address;
  bool xdomain = false;
  bool secure = false;
  std::int64_t issued = 0;  // milliseconds since the epoch
  std::string url;
  nlohmann::ordered_json auth = nlohmann::ordered_json::object();

  nlohmann::ordered_json to_json() const;

 private:
  std::string headers_;  // "name\0value\0" per header, names lower-cased
  std::string query_;    // "name\0value\0" per parameter
};

}  // namespace sio::socketio
