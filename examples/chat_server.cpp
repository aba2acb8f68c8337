// The classic Socket.IO production recipe, written against sio's C++ API: JWT middleware,
// `user:<id>` rooms, `join-room` behind an access rule, `message` stored then broadcast, an
// `/admin` namespace with its own middleware, cleanup on disconnect. It compiles with the build
// (build/bin/chat-example) and is quoted in the README.
//
// Handlers run on every core (one reactor per core, SIO_THREADS to choose): what they share
// must be safe to share, like the message list below.
//
//   JWT_ACCESS_SECRET=secret PORT=3000 build/bin/chat-example

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "app/jwt.hpp"
#include "socketio/server.hpp"

using namespace sio::socketio;

// Stand-ins for the application's database (sio-server keeps these in SQLite or PostgreSQL).
static const std::set<std::string> kPublicRooms = {"1", "2"};
static std::mutex stored_messages_mutex;
static std::vector<json> stored_messages;

// Stores a message and returns it with its id. A real server hands this to a worker thread
// (sio-server: app/store_worker.hpp) rather than blocking a reactor.
static json store_message(json msg) {
  std::lock_guard lock(stored_messages_mutex);
  msg["id"] = stored_messages.size() + 1;
  stored_messages.push_back(msg);
  return msg;
}

static bool can_access_room(const std::string& user_id, const std::string& room_id) {
  return kPublicRooms.contains(room_id) || room_id == "dm:" + user_id;
}

int main() {
  const char* secret = std::getenv("JWT_ACCESS_SECRET");
  if (!secret) {
    std::fprintf(stderr, "JWT_ACCESS_SECRET is required\n");
    return 1;
  }
  const char* port = std::getenv("PORT");

  boost::asio::io_context ctx;
  ServerOptions options;
  if (const char* threads = std::getenv("SIO_THREADS")) options.threads = std::atoi(threads);
  if (const char* origin = std::getenv("FRONTEND_URL")) options.engine.cors.origins = {origin};
  Server io(ctx, options);

  // Authentication middleware: the token's `sub` becomes the user id.
  auto authenticate = [secret](Socket& socket, Next next) {
    const auto& auth = socket.handshake().auth;
    if (!auth.contains("token") || !auth["token"].is_string()) return next(Error{"No token", nullptr});
    auto claims = sio::app::verify_jwt(auth["token"].get<std::string>(), secret);
    if (!std::holds_alternative<json>(claims)) return next(Error{"Invalid token", nullptr});
    const auto& payload = std::get<json>(claims);
    socket.data["userId"] = payload.value("sub", "");
    socket.data["role"] = payload.value("role", "");
    next(std::nullopt);
  };
  io.use(authenticate);

  io.on_connection([&io](Socket& socket) {
    const auto user_id = socket.data["userId"].get<std::string>();
    std::printf("User connected: %s\n", user_id.c_str());
    socket.join("user:" + user_id);  // notifications reach every device of the user

    socket.on("join-room", [](Socket& s, const Args& args, Ack) {
      const auto room_id = args.at(0).get<std::string>();
      if (!can_access_room(s.data["userId"], room_id)) return s.emit("error", "Forbidden");
      s.join("room:" + room_id);
    });

    socket.on("message", [&io](Socket& s, const Args& args, Ack) {
      const auto& data = args.at(0);
      // Stored first, then broadcast.
      auto msg = store_message({{"content", data.at("content")},
                                {"userId", s.data["userId"]},
                                {"roomId", data.at("roomId")}});
      io.to("room:" + data.at("roomId").get<std::string>()).emit("message", msg);
    });

    socket.on_disconnect([](Socket& s, const std::string& reason) {
      std::printf("User disconnected: %s (%s)\n", s.data["userId"].get<std::string>().c_str(),
                  reason.c_str());
    });
  });

  // A namespace with its own middleware: admins only.
  auto& admin = io.of("/admin");
  admin.use(authenticate);
  admin.use([](Socket& socket, Next next) {
    if (socket.data["role"] != "admin") return next(Error{"Forbidden", nullptr});
    next(std::nullopt);
  });

  io.listen("::", port ? static_cast<unsigned short>(std::atoi(port)) : 3000);
  std::printf("listening on port %u\n", io.port());
  ctx.run();
}
