// The smallest sio server: it listens on PORT (default 3000) and answers the event `hello`
// with a greeting. It is what the README's "Using sio from your own build" section builds, and
// tests/install builds it against an installed sio alone.
//
//   PORT=3000 ./hello
//   // in Node: io("http://localhost:3000").emitWithAck("hello", "you") → "hello, you"

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <sio/socketio/server.hpp>
#include <string>

using namespace sio::socketio;

int main() {
  const char* port = std::getenv("PORT");
  boost::asio::io_context ctx;
  Server io(ctx);
  io.on_connection([](Socket& socket) {
    socket.on("hello", [](Socket&, const Args& args, Ack ack) {
      const std::string name =
          args.size() > 0 && args[0].is_string() ? args[0].get<std::string>() : "world";
      if (ack) ack("hello, " + name);
    });
  });
  io.listen("::", static_cast<unsigned short>(port ? std::atoi(port) : 3000));
  std::printf("listening on port %u\n", io.port());
  std::fflush(stdout);
  ctx.run();
}
