// sio-bench-server: what bench/node/server.mjs does, on sio's C++ API, so that the benchmark
// compares the two Socket.IO stacks doing identical work. sio-server itself is not used because
// every `message` it receives is written to its database before the broadcast, and `join-room`
// looks the room up there: a fan-out benchmark would measure SQLite.
//
//   - JWT middleware: `auth.token` (HS256), `sub` becomes the user id; "No token" / "Invalid token"
//   - every socket joins `user:<sub>`
//   - `join-room` (roomId, ack): joins `room:<roomId>` (every room is public), acks {ok: true}
//   - `message` ({roomId, content}, ack): broadcasts `message` {id, roomId, userId, content,
//     createdAt} to `room:<roomId>`, then acks {ok: true, message}
//
//   JWT_ACCESS_SECRET=secret build/bin/sio-bench-server --port 3000

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "app/auth.hpp"
#include "socketio/server.hpp"

namespace {

using namespace sio::socketio;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A room id as the Node reference accepts it: a non-empty string or a number, as a string.
std::optional<std::string> room_id_of(const json& value) {
  if (value.is_string() && !value.get_ref<const std::string&>().empty())
    return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return std::nullopt;
}

void reply_error(const Ack& ack, const char* error) {
  if (ack) ack(json{{"ok", false}, {"error", error}});
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned short port = 3000;
  std::string secret = std::getenv("JWT_ACCESS_SECRET") ? std::getenv("JWT_ACCESS_SECRET") : "";
  CLI::App app{"sio-bench-server: the benchmark's reference behaviour on sio"};
  app.add_option("--host", host, "Address to listen on");
  app.add_option("--port", port, "Port (0: any free one)");
  app.add_option("--secret", secret, "HS256 secret (default: $JWT_ACCESS_SECRET)");
  CLI11_PARSE(app, argc, argv);
  if (secret.empty()) {
    std::fprintf(stderr, "sio-bench-server: JWT_ACCESS_SECRET or --secret is required\n");
    return 1;
  }

  ServerOptions options;
  try {
    options.threads = sio::reactor::ReactorPool::count_from_environment();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-bench-server: %s\n", e.what());
    return 1;
  }
  boost::asio::io_context ctx{1};
  Server io(ctx, options);
  io.use(sio::app::auth_middleware(secret));

  // Message ids are the process's: handlers run on every reactor.
  std::atomic<std::int64_t> next_message_id{1};
  io.on_connection([&io, &next_message_id](Socket& socket) {
    socket.join("user:" + socket.data["userId"].get<std::string>());

    socket.on("join-room", [](Socket& s, const Args& args, Ack ack) {
      auto room_id = args.empty() ? std::nullopt : room_id_of(args[0]);
      if (!room_id) return reply_error(ack, "Invalid roomId");
      s.join("room:" + *room_id);
      if (ack) ack(json{{"ok", true}});
    });

    socket.on("message", [&io, &next_message_id](Socket& s, const Args& args, Ack ack) {
      if (args.empty() || !args[0].is_object()) return reply_error(ack, "Invalid message");
      const auto& data = args[0];
      auto room_id = data.contains("roomId") ? room_id_of(data["roomId"]) : std::nullopt;
      if (!room_id) return reply_error(ack, "Invalid roomId");
      if (!data.contains("content") || !data["content"].is_string())
        return reply_error(ack, "Invalid content");
      json message = {{"id", next_message_id.fetch_add(1, std::memory_order_relaxed)},
                      {"roomId", *room_id},
                      {"userId", s.data["userId"]},
                      {"content", data["content"]},
                      {"createdAt", now_ms()}};
      io.to("room:" + *room_id).emit("message", message);
      if (ack) ack(json{{"ok", true}, {"message", std::move(message)}});
    });
  });

  try {
    io.listen(host, port);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-bench-server: cannot listen on %s:%u: %s\n", host.c_str(), port,
                 e.what());
    return 1;
  }
  boost::asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    io.close([&] {
      io.reactors().stop();
      ctx.stop();
    });
  });
  std::printf("listening on port %u\n", io.port());
  std::fflush(stdout);
  ctx.run();
  return 0;
}
