// sio-server: the Socket.IO chat and notification server. Configuration comes from the
// environment and flags (see config.hpp, `sio-server --help`).

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "adapter/redis_adapter.hpp"
#include "adapter/redis_client.hpp"
#include "adapter/redis_streams_adapter.hpp"
#include "adapter/sharded_redis_adapter.hpp"
#include "app/admin.hpp"
#include "app/auth.hpp"
#include "app/chat.hpp"
#include "app/config.hpp"
#include "app/http_api.hpp"
#include "app/heap_tunables.hpp"
#include "app/notifications.hpp"
#include "app/pg_store.hpp"
#include "app/sqlite_store.hpp"
#include "app/store_worker.hpp"
#include "reactor/gather.hpp"
#include "socketio/admin_ui.hpp"
#include "socketio/server.hpp"

namespace {

using namespace sio;

constexpr auto kShutdownDeadline = std::chrono::seconds(10);

std::unique_ptr<app::Store> open_store(const std::string& url, std::chrono::milliseconds timeout) {
  std::unique_ptr<app::Store> store;
  if (url.rfind("sqlite:", 0) == 0)
    store = std::make_unique<app::SqliteStore>(url.substr(7));
  else
    store = std::make_unique<app::PgStore>(url, std::max(timeout, app::PgStore::kDefaultTimeout));
  store->migrate();
  return store;
}

}  // namespace

int main(int argc, char** argv) {
  app::restart_with_heap_tunables(argv);
  auto loaded = app::load_config(argc, argv);
  if (auto* exit = std::get_if<app::ConfigExit>(&loaded)) return exit->status;
  const auto config = std::get<app::Config>(std::move(loaded));
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  std::unique_ptr<app::Store> store;
  try {
    store = open_store(config.database_url, std::chrono::milliseconds(config.db_timeout_ms));
  } catch (const std::exception& e) {
    spdlog::error("sio-server: database: {}", e.what());
    return 1;
  }

  boost::asio::io_context ctx{1};

  socketio::ServerOptions options;
  options.threads = config.threads;
  if (config.parser == "msgpack") options.parser = socketio::Parser::msgpack;
  options.engine.allow_eio3 = config.allow_eio3;
  options.engine.per_message_deflate.enabled = config.per_message_deflate;
  options.engine.http_compression.enabled = config.http_compression;
  options.engine.ping_interval = std::chrono::milliseconds(config.ping_interval_ms);
  options.engine.ping_timeout = std::chrono::milliseconds(config.ping_timeout_ms);
  if (!config.frontend_url.empty()) options.engine.cors.origins = {config.frontend_url};
  if (config.recovery_window_ms > 0) {
    // A recovered socket still passes the auth middleware: its token is checked again.
    options.connection_state_recovery = socketio::ConnectionStateRecovery{
        .max_disconnection_duration = std::chrono::milliseconds(config.recovery_window_ms),
        .skip_middlewares = false};
  }
  options.engine.trusted_proxies = config.trusted_proxies;
  if (!config.tls_cert.empty()) {
    try {
      options.engine.tls = std::make_shared<http::TlsContext>(config.tls_cert, config.tls_key);
    } catch (const std::exception& e) {
      spdlog::error("sio-server: {}", e.what());
      return 2;
    }
  }
  options.engine.max_connections = config.max_connections;
  options.engine.max_connections_per_ip = config.max_connections_per_ip;
  options.engine.handshake_rate = config.handshake_rate;
  options.engine.handshake_burst = config.handshake_burst;
  options.engine.http.max_header_bytes = config.max_header_bytes;
  options.engine.http.header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  options.max_rooms_per_socket = config.max_rooms_per_socket;
  // Answered like any refused request of the chat (see reply_error in chat.cpp).
  options.event_rate_limit.rate = config.event_rate;
  options.event_rate_limit.burst = config.event_burst;
  options.event_rate_limit.disconnect_after =
      std::chrono::milliseconds(config.event_rate_disconnect_after_ms);
  options.on_parse_error = [](const std::string& address, const std::string& sid,
                              const std::string& why) {
    spdlog::warn("parse error: closed client sid={} address={}: {}", sid, address, why);
  };
  options.limits.max_attachments = config.max_attachments;
  options.limits.max_depth = config.max_nesting_depth;
  options.limits.max_event_name_bytes = config.max_event_name_bytes;
  options.engine.max_send_buffer = config.max_send_buffer;
  socketio::Server io(ctx, options);
  std::shared_ptr<socketio::AdminUi> admin_ui;
  if (!config.admin_ui.empty()) {
    const auto colon = config.admin_ui.find(':');
    socketio::AdminUiOptions admin;
    admin.auth = socketio::AdminUiOptions::BasicAuth{config.admin_ui.substr(0, colon),
                                                     config.admin_ui.substr(colon + 1)};
    admin.namespace_name = "/socket.io-admin";
    admin.mode = config.dev ? socketio::AdminUiOptions::Mode::development
                            : socketio::AdminUiOptions::Mode::production;
    try {
      admin_ui = socketio::instrument_admin_ui(io, std::move(admin));
    } catch (const std::exception& e) {
      spdlog::error("sio-server: SIO_ADMIN_UI: {}", e.what());
      return 2;
    }
  }
  app::StoreWorker worker(io.reactors(), std::move(store),
                          std::chrono::milliseconds(config.db_timeout_ms));

  // With REDIS_URL, rooms and broadcasts are shared with every server on that Redis (sio or
  // Node with @socket.io/redis-adapter, classic or sharded as SIO_ADAPTER says).
  std::shared_ptr<adapter::RedisLink> redis;
  if (!config.redis_url.empty()) {
    try {
      if (config.adapter == "redis-sharded") {
        auto client = adapter::RedisClusterClient::create(ctx, config.redis_url);
        io.set_adapter(adapter::make_sharded_redis_adapter_factory(
            client,
            {.subscription_mode = *adapter::parse_subscription_mode(config.subscription_mode)}));
        redis = client;
      } else if (config.adapter == "redis-streams") {
        auto client = adapter::RedisClient::create(ctx, config.redis_url);
        adapter::RedisStreamsOptions streams;
        if (config.recovery_window_ms > 0) {
          streams.session_ttl = std::chrono::milliseconds(config.recovery_window_ms);
        }
        io.set_adapter(adapter::make_redis_streams_adapter_factory(client, streams));
        redis = client;
      } else {
        auto client = adapter::RedisClient::create(ctx, config.redis_url);
        io.set_adapter(adapter::make_redis_adapter_factory(client));
        redis = client;
      }
    } catch (const std::exception& e) {
      spdlog::error("sio-server: REDIS_URL: {}", e.what());
      return 2;
    }
  }

  app::Chat chat(io, worker);
  app::Notifications notifications(io, worker);
  io.use(app::auth_middleware(config.jwt_secret));
  io.on_connection([&chat](socketio::Socket& socket) {
    spdlog::info("connect user={} socket={} transport={} address={}",
                 socket.data.value("userId", ""), socket.id(), socket.transport(),
                 socket.handshake().address);
    socket.on_disconnect([](socketio::Socket& s, const std::string& reason) {
      spdlog::info("disconnect user={} socket={} reason={}", s.data.value("userId", ""), s.id(),
                   reason);
    });
    chat.on_connection(socket);
  });
  app::install_admin(io, chat, config.jwt_secret);

  app::HttpApi api(config, io, worker, chat, notifications, redis);
  io.set_fallback(
      [&api](std::shared_ptr<http::HttpConnection> connection, http::HttpRequest request) {
        api.handle(std::move(connection), std::move(request));
      });

  try {
    io.listen(config.host, config.port);
  } catch (const std::exception& e) {
    spdlog::error("sio-server: cannot listen on port {}: {}", config.port, e.what());
    return 1;
  }

  boost::asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    spdlog::info("shutting down");
    // Should the store hang (database gone), the process still ends in time.
    std::thread([] {
      std::this_thread::sleep_for(kShutdownDeadline);
      std::fprintf(stderr, "sio-server: shutdown deadline passed\n");
      std::_Exit(1);
    }).detach();
    // Clients see "server shutting down"; their disconnect handlers queue store writes, some
    // by way of another reactor (a user's presence is counted on its home reactor): once every
    // reactor has run that, what is queued is written and the reactors stop.
    io.close([&] {
      reactor::when_drained(io.reactors(), [&] {
        if (redis) redis->close();
        worker.stop();  // everything queued is written
        io.reactors().stop();
        ctx.stop();
      });
    });
  });

  // SIGHUP: certificates are read again (renewed by certbot, say); connections stay as they are.
  boost::asio::signal_set reload_signals(ctx, SIGHUP);
  std::function<void()> on_reload = [&] {
    reload_signals.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      if (const auto& tls = options.engine.tls) {
        if (auto error = tls->reload(); error.empty()) {
          spdlog::info("TLS certificate reloaded from {}", tls->certificate_file());
        } else {
          spdlog::error("TLS reload failed, the previous certificate stays: {}", error);
        }
      }
      on_reload();
    });
  };
  on_reload();

  std::printf("listening on port %u\n", io.port());
  std::fflush(stdout);
  spdlog::info("sio-server listening on port {}{}{}; {} reactor thread(s); database {}", io.port(),
               options.engine.tls ? " (TLS)" : "", config.dev ? " (dev mode)" : "",
               io.reactors().size(),
               config.database_url.rfind("sqlite:", 0) == 0 ? config.database_url : "postgres");
  if (redis) spdlog::info("redis adapter enabled");
  ctx.run();
  // Whatever ended the run, no reactor may outlive what it uses.
  io.reactors().stop();
  return 0;
}
