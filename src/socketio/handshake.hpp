#pragma once
// What a socket knows of the request that opened its connection, with the fields of Node's
// `socket.handshake`.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "engineio/http_request.hpp"

namespace sio::socketio {

struct Handshake {
  nlohmann::json headers = nlohmann::json::object();  // lower-cased names
  std::string time;                                    // as Date#toString would print it
  std::string address;
  bool xdomain = false;
  bool secure = false;
  std::int64_t issued = 0;  // milliseconds since the epoch
  std::string url;
  nlohmann::json query = nlohmann::json::object();
  nlohmann::json auth = nlohmann::json::object();

  static Handshake from_request(const engineio::HttpRequest& request, nlohmann::json auth);
  nlohmann::json to_json() const;
};

}  // namespace sio::socketio
