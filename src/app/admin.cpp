#include "app/admin.hpp"

#include <spdlog/spdlog.h>

#include "app/auth.hpp"
#include "app/records_json.hpp"

namespace sio::app {

using socketio::Ack;
using socketio::Args;
using socketio::json;
using socketio::Socket;

void install_admin(socketio::Server& io, Chat& chat, const std::string& secret) {
  auto& admin = io.of("/admin");
  admin.use([secret](Socket& socket, socketio::Next next) {
    auto result = authenticate_handshake(socket.handshake(), secret);
    auto* identity = std::get_if<Identity>(&result);
    if (!identity || identity->role != "admin") return next(socketio::Error{"Forbidden", nullptr});
    socket.data["userId"] = identity->user_id;
    socket.data["role"] = identity->role;
    next(std::nullopt);
  });

  admin.on_connection([&io, &chat](Socket& socket) {
    spdlog::info("admin connected: {}", socket.data.value("userId", ""));

    // Adds up every reactor: the server's counts, then the chat's.
    socket.on("stats", [&io, &chat](Socket&, const Args&, Ack ack) {
      if (!ack) return;
      io.collect_stats([&chat, ack](socketio::ServerStats stats) {
        chat.collect_stats([stats = std::move(stats), ack](Chat::Stats chat_stats) {
          json namespaces = json::object();
          for (const auto& [name, counts] : stats.namespaces) namespaces[name] = counts.sockets;
          const auto main = stats.namespaces.find("/");
          ack(json{{"connections", stats.sessions},
                   {"users", chat_stats.online_users},
                   {"rooms", main == stats.namespaces.end() ? 0 : main->second.rooms},
                   {"messagesPerSecond", chat_stats.messages_per_second},
                   {"messagesStored", chat_stats.messages_stored},
                   {"namespaces", namespaces}});
        });
      });
    });

    socket.on("kick", [&io](Socket& s, const Args& args, Ack ack) {
      if (args.empty() || !args[0].is_object() || !args[0].contains("userId") ||
          !args[0]["userId"].is_string()) {
        return reply_error(s, ack, "Invalid userId");
      }
      const auto room = "user:" + args[0]["userId"].get<std::string>();
      io.in(room).fetch_sockets([&io, room, ack](std::vector<adapter::SocketDetails> sockets) {
        io.in(room).disconnect_sockets(true);
        if (ack) ack(json{{"ok", true}, {"kicked", sockets.size()}});
      });
    });

    socket.on("broadcast", [&io](Socket& s, const Args& args, Ack ack) {
      if (args.empty() || !args[0].is_object()) return reply_error(s, ack, "Invalid request");
      const auto& request = args[0];
      const auto& room_id = request.value("roomId", json());
      if (!(room_id.is_number_integer() || room_id.is_string())) return reply_error(s, ack, "Invalid roomId");
      if (!request.contains("content") || !request["content"].is_string() ||
          request["content"].get<std::string>().empty()) {
        return reply_error(s, ack, "Invalid content");
      }
      const std::string id = room_id.is_string() ? room_id.get<std::string>() : std::to_string(room_id.get<std::int64_t>());
      io.to("room:" + id).emit("message", json{{"id", nullptr},
                                                 {"roomId", room_id},
                                                 {"userId", "system"},
                                                 {"content", request["content"]},
                                                 {"createdAt", iso_time(now_ms())},
                                                 {"system", true}});
      if (ack) ack(json{{"ok", true}});
    });
  });
}

}  // namespace sio::app
