#include "socketio/admin_ui_events.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

namespace {

json without(json object, const char* key) {
  if (object.is_object()) object.erase(key);
  return object;
}

json event_args(std::string_view event, const Args& args) {
  json all = json::array({json(event)});
  for (const auto& arg : args) all.push_back(arg);
  return all;
}

}  // namespace

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

json admin_view_of(Socket& socket) {
  return json{{"id", socket.id()},
              {"clientId", socket.conn_id().substr(0, 12)},
              {"transport", std::string(socket.transport())},
              {"nsp", socket.nsp().name()},
              {"data", without(socket.data.is_null() ? json::object() : socket.data, "_admin")},
              {"handshake", without(socket.handshake().to_json(), "auth")},
              {"rooms", socket.rooms()}};
}

json admin_view_of(const adapter::SocketDetails& socket, const std::string& nsp) {
  const json admin =
      socket.data.is_object() ? socket.data.value("_admin", json::object()) : json::object();
  return json{{"id", socket.id},
              {"clientId", admin.value("clientId", socket.id.substr(0, 12))},
              {"transport", admin.value("transport", "websocket")},
              {"nsp", nsp},
              {"data", without(socket.data.is_null() ? json::object() : socket.data, "_admin")},
              {"handshake", without(socket.handshake, "auth")},
              {"rooms", socket.rooms}};
}

void AdminUiEvents::tell(std::string_view event, Args args) {
  BroadcastOperator(admin_).emit_args(event, std::move(args));
}

void AdminUiEvents::socket_connected(Socket& socket) {
  if (!socket.data.is_object()) socket.data = json::object();
  socket.data["_admin"] = {{"clientId", socket.conn_id().substr(0, 12)},
                           {"transport", std::string(socket.transport())}};
  tell("socket_connected", Args::array({admin_view_of(socket), iso_now()}));
}

void AdminUiEvents::socket_disconnected(Socket& socket, const std::string& reason) {
  tell("socket_disconnected", Args::array({socket.nsp().name(), socket.id(), reason, iso_now()}));
}

void AdminUiEvents::room_changed(Socket& socket, const adapter::Room& room, bool joined) {
  tell(joined ? "room_joined" : "room_left",
       Args::array({socket.nsp().name(), room, socket.id(), iso_now()}));
}

void AdminUiEvents::event_received(Socket& socket, std::string_view event, const Args& args) {
  if (&socket.nsp() == &admin_) return;  // the UI's own traffic is not shown to it
  tell("event_received",
       Args::array({socket.nsp().name(), socket.id(), event_args(event, args), iso_now()}));
}

void AdminUiEvents::event_sent(Socket& socket, std::string_view event, const Args& args) {
  if (&socket.nsp() == &admin_) return;
  tell("event_sent",
       Args::array({socket.nsp().name(), socket.id(), event_args(event, args), iso_now()}));
}

void AdminUiEvents::transport_upgraded(Client& client) {
  for (const auto& socket : client.sockets()) {
    if (socket->data.is_object() && socket->data.contains("_admin")) {
      socket->data["_admin"]["transport"] = "websocket";
    }
    tell("socket_updated",
         Args::array({json{
             {"id", socket->id()}, {"nsp", socket->nsp().name()}, {"transport", "websocket"}}}));
  }
}

}  // namespace sio::socketio
