#pragma once
// An error passed to a middleware's `next` (sent to the client as CONNECT_ERROR, which it sees as
// `err.message` and `err.data`) or reported to an ack callback (timeout, disconnection).

#include <nlohmann/json.hpp>
#include <string>

namespace sio::socketio {

struct Error {
  std::string message;
  nlohmann::ordered_json data;  // null: the client sees no `data`
};

}  // namespace sio::socketio
