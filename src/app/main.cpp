// sio-server: the Socket.IO application server. For now it serves the Engine.IO endpoint at
// /socket.io/ and a health check; the Socket.IO layer and the chat application build on it.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <spdlog/spdlog.h>

#include "engineio/server.hpp"

namespace eio = sio::engineio;

int main(int argc, char** argv) {
  const char* port_env = std::getenv("PORT");
  unsigned short port = port_env ? static_cast<unsigned short>(std::atoi(port_env)) : 3000;
  std::string host = "::";
  const char* origin_env = std::getenv("FRONTEND_URL");
  std::string origin = origin_env ? origin_env : "";

  CLI::App app{"sio-server: a Socket.IO server"};
  app.add_option("--port", port, "port to listen on (env PORT, default 3000)");
  app.add_option("--host", host, "address to bind (default all, dual-stack)");
  app.add_option("--cors-origin", origin, "allowed CORS origin (env FRONTEND_URL)");
  CLI11_PARSE(app, argc, argv);

  const bool dev = std::getenv("SIO_DEV") && std::string(std::getenv("SIO_DEV")) == "1";
  eio::ServerOptions options;
  options.path = "/socket.io/";
  if (!origin.empty()) options.cors.origins = {origin};
  else if (dev) options.cors.origins = {"*"};

  boost::asio::io_context ctx{1};
  eio::Server server(ctx, options);
  server.on_connection([](const std::shared_ptr<eio::Session>& session) {
    spdlog::info("session open sid={} transport={} address={}", session->id(),
                 session->transport_name(), session->request().remote_address);
    session->on_close([id = session->id()](eio::CloseReason reason) {
      spdlog::info("session close sid={} reason={}", id, eio::to_string(reason));
    });
  });
  server.set_fallback([](std::shared_ptr<eio::HttpConnection> connection, eio::HttpRequest request) {
    if (request.path == "/healthz") {
      return connection->respond(
          eio::make_response(request, eio::http::status::ok, R"({"status":"ok"})", "application/json"));
    }
    connection->respond(
        eio::make_response(request, eio::http::status::not_found, "Not Found", "text/plain"));
  });

  try {
    server.listen(host, port);
  } catch (const std::exception& e) {
    spdlog::error("sio-server: {}", e.what());
    return 1;
  }
  boost::asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) {
    spdlog::info("shutting down");
    server.close();
    ctx.stop();
  });
  spdlog::info("sio-server listening on port {}{}", server.port(), dev ? " (dev mode)" : "");
  ctx.run();
  return 0;
}
