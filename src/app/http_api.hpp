#pragma once
// sio-server's HTTP routes beside the Socket.IO endpoint: health and readiness, metrics, the REST
// API (rooms, members, messages, posts, likes; Bearer JWT), the dev-mode token minter and the
// demo page. Errors are JSON {"error": "..."} with a fitting status.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapter/redis_link.hpp"
#include "app/chat.hpp"
#include "app/config.hpp"
#include "app/notifications.hpp"
#include "app/static_files.hpp"
#include "app/store_worker.hpp"
#include "http/cors.hpp"
#include "http/http_connection.hpp"
#include "socketio/server.hpp"

namespace sio::app {

class HttpApi {
 public:
  // `redis` is null when the server runs alone (in-memory adapter).
  HttpApi(const Config& config, socketio::Server& io, StoreWorker& store, Chat& chat,
          Notifications& notifications, std::shared_ptr<adapter::RedisLink> redis);

  void handle(std::shared_ptr<http::HttpConnection> connection, http::HttpRequest request);

 private:
  using Connection = std::shared_ptr<http::HttpConnection>;
  struct Call;  // one request on its way through a route

  void api(const std::shared_ptr<Call>& call, const std::vector<std::string>& parts);
  void create_room(const std::shared_ptr<Call>& call);
  void list_rooms(const std::shared_ptr<Call>& call);
  void add_member(const std::shared_ptr<Call>& call, std::int64_t room_id);
  void room_messages(const std::shared_ptr<Call>& call, std::int64_t room_id);
  void create_post(const std::shared_ptr<Call>& call);
  void list_posts(const std::shared_ptr<Call>& call);
  void like_post(const std::shared_ptr<Call>& call, std::int64_t post_id);
  void readiness(const std::shared_ptr<Call>& call);
  // Logs a change of the database's readiness (empty = ready).
  void note_database_state(const std::string& error);
  void dev_token(const std::shared_ptr<Call>& call);

  const Config& config_;
  socketio::Server& io_;
  StoreWorker& store_;
  Chat& chat_;
  Notifications& notifications_;
  std::shared_ptr<adapter::RedisLink> redis_;
  StaticFiles files_;
  http::CorsPolicy cors_;
  std::mutex database_error_mutex_;
  std::string database_error_;  // of the last readiness check; empty when it passed
};

}  // namespace sio::app
