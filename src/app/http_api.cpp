#include "app/http_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "app/auth.hpp"
#include "app/ids.hpp"
#include "app/jwt.hpp"
#include "app/metrics.hpp"
#include "app/records_json.hpp"
#include "socketio/json_parse.hpp"

namespace sio::app {

namespace http = sio::http;
using json = nlohmann::ordered_json;

namespace {


std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

http::CorsOptions cors_options(const Config& config) {
  http::CorsOptions options;
  if (!config.frontend_url.empty()) options.origins = {config.frontend_url};
  return options;
}

}  // namespace

struct HttpApi::Call {
  Connection connection;
  http::HttpRequest request;
  const http::CorsPolicy& cors;
  Identity identity;

  void respond(http::status status, std::string body, std::string_view type) {
    if (!connection->is_open()) return;
    auto res = http::make_response(request, status, std::move(body), type);
    res.set(http::field::cache_control, "no-store");
    cors.apply(request, res);
    connection->respond(std::move(res));
  }
  void json_reply(http::status status, const json& body) {
    respond(status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }
  void error(http::status status, const std::string& message) {
    json_reply(status, json{{"error", message}});
  }
  // The body as a JSON object, or an error answered.
  std::optional<json> object_body() {
    if (request.body_too_large) {
      error(http::status::payload_too_large, "Body too large");
      return std::nullopt;
    }
    auto body = socketio::parse_json(request.message.body());
    if (body.is_discarded() || !body.is_object()) {
      error(http::status::bad_request, "Body must be a JSON object");
      return std::nullopt;
    }
    return body;
  }
};

HttpApi::HttpApi(const Config& config, socketio::Server& io, StoreWorker& store, Chat& chat,
                 Notifications& notifications, std::shared_ptr<adapter::RedisLink> redis)
    : config_(config),
      io_(io),
      store_(store),
      chat_(chat),
      notifications_(notifications),
      redis_(std::move(redis)),
      files_(config.web_root),
      cors_(cors_options(config)) {
  if (!files_.find("/")) spdlog::warn("demo page not found in {}", config.web_root);
  if (!config.admin_ui_dist.empty() && !files_.add_tree(config.admin_ui_dist, "/admin-ui")) {
    spdlog::warn("admin UI files not found in {}", config.admin_ui_dist);
  }
}

void HttpApi::handle(Connection connection, http::HttpRequest request) {
  auto call = std::make_shared<Call>(Call{std::move(connection), std::move(request), cors_, {}});
  const auto& path = call->request.path;
  const auto method = call->request.message.method();
  const auto parts = split_path(path);

  if (method == http::verb::options) return call->connection->respond(cors_.preflight(call->request));
  if (!parts.empty() && parts[0] == "api") return api(call, parts);
  if (method != http::verb::get && method != http::verb::head) {
    return call->error(http::status::method_not_allowed, "Method not allowed");
  }
  if (path == "/healthz") return call->json_reply(http::status::ok, json{{"status", "ok"}});
  if (path == "/readyz") return readiness(call);
  if (path == "/metrics") {
    return collect_metrics(io_, store_, chat_, redis_, [call](std::string page) {
      call->respond(http::status::ok, std::move(page), "text/plain; version=0.0.4");
    });
  }
  if (path == "/dev/token" && config_.dev) return dev_token(call);
  if (const auto* file = files_.find(path)) {
    return call->respond(http::status::ok, file->body, file->content_type);
  }
  call->error(http::status::not_found, "Not found");
}

void HttpApi::api(const std::shared_ptr<Call>& call, const std::vector<std::string>& parts) {
  auto identity = authenticate_http(call->request, config_.jwt_secret);
  if (auto* failure = std::get_if<AuthFailure>(&identity)) {
    return call->error(http::status::unauthorized, failure->message);
  }
  call->identity = std::get<Identity>(identity);
  const auto method = call->request.message.method();
  const bool get = method == http::verb::get, post = method == http::verb::post;

  if (parts.size() == 2 && parts[1] == "rooms") {
    if (get) return list_rooms(call);
    if (post) return create_room(call);
  } else if (parts.size() == 4 && parts[1] == "rooms") {
    auto id = parse_id(parts[2]);
    if (!id) return call->error(http::status::not_found, "Room not found");
    if (post && parts[3] == "members") return add_member(call, *id);
    if (get && parts[3] == "messages") return room_messages(call, *id);
  } else if (parts.size() == 2 && parts[1] == "posts") {
    if (get) return list_posts(call);
    if (post) return create_post(call);
  } else if (parts.size() == 4 && parts[1] == "posts" && parts[3] == "like") {
    auto id = parse_id(parts[2]);
    if (!id) return call->error(http::status::not_found, "Post not found");
    if (post) return like_post(call, *id);
  } else {
    return call->error(http::status::not_found, "Not found");
  }
  call->error(http::status::method_not_allowed, "Method not allowed");
}

void HttpApi::create_room(const std::shared_ptr<Call>& call) {
  auto body = call->object_body();
  if (!body) return;
  if (!body->contains("name") || !(*body)["name"].is_string() || (*body)["name"].get<std::string>().empty() ||
      (*body)["name"].get<std::string>().size() > 100) {
    return call->error(http::status::bad_request, "name must be a string of 1 to 100 bytes");
  }
  if (body->contains("public") && !(*body)["public"].is_boolean()) {
    return call->error(http::status::bad_request, "public must be a boolean");
  }
  store_.run<RoomRecord>(
      [name = (*body)["name"].get<std::string>(), is_public = body->value("public", false),
       user = call->identity.user_id](Store& store) {
        return store.create_room(name, is_public, user, now_ms());
      },
      [call](StoreResult<RoomRecord> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        auto room = to_json(*result.value);
        room["member"] = true;
        call->json_reply(http::status::created, room);
      });
}

void HttpApi::list_rooms(const std::shared_ptr<Call>& call) {
  struct Listing {
    std::vector<RoomRecord> rooms;
    std::vector<std::int64_t> member_of;
  };
  store_.run<Listing>(
      [user = call->identity.user_id](Store& store) {
        return Listing{store.rooms_visible_to(user), store.rooms_of_member(user)};
      },
      [call](StoreResult<Listing> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        json rooms = json::array();
        const auto& member_of = result.value->member_of;
        for (const auto& room : result.value->rooms) {
          auto item = to_json(room);
          item["member"] = std::find(member_of.begin(), member_of.end(), room.id) != member_of.end();
          rooms.push_back(std::move(item));
        }
        call->json_reply(http::status::ok, rooms);
      });
}

void HttpApi::add_member(const std::shared_ptr<Call>& call, std::int64_t room_id) {
  auto body = call->object_body();
  if (!body) return;
  if (!body->contains("userId") || !(*body)["userId"].is_string() ||
      (*body)["userId"].get<std::string>().empty()) {
    return call->error(http::status::bad_request, "userId must be a non-empty string");
  }
  enum class Outcome { added, already, no_room, forbidden };
  store_.run<Outcome>(
      [room_id, user = call->identity.user_id, member = (*body)["userId"].get<std::string>()](Store& store) {
        if (!store.find_room(room_id)) return Outcome::no_room;
        if (!store.is_member(room_id, user)) return Outcome::forbidden;
        return store.add_member(room_id, member) ? Outcome::added : Outcome::already;
      },
      [call](StoreResult<Outcome> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        switch (*result.value) {
          case Outcome::no_room: return call->error(http::status::not_found, "Room not found");
          case Outcome::forbidden: return call->error(http::status::forbidden, "Forbidden");
          case Outcome::added: return call->json_reply(http::status::created, json{{"ok", true}});
          case Outcome::already: return call->json_reply(http::status::ok, json{{"ok", true}});
        }
      });
}

void HttpApi::room_messages(const std::shared_ptr<Call>& call, std::int64_t room_id) {
  int limit = 50;
  std::optional<std::int64_t> before;
  if (auto text = call->request.query_param("limit")) {
    auto value = parse_id(*text);
    if (!value || *value > Chat::kMaxHistory) return call->error(http::status::bad_request, "Invalid limit");
    limit = static_cast<int>(*value);
  }
  if (auto text = call->request.query_param("before")) {
    before = parse_id(*text);
    if (!before) return call->error(http::status::bad_request, "Invalid before");
  }
  enum class Access { ok, no_room, forbidden };
  struct Page {
    Access access = Access::ok;
    std::vector<MessageRecord> messages;
  };
  store_.run<Page>(
      [room_id, user = call->identity.user_id, before, limit](Store& store) {
        Page page;
        if (!store.find_room(room_id)) page.access = Access::no_room;
        else if (!store.is_member(room_id, user)) page.access = Access::forbidden;
        else page.messages = store.history(room_id, before, limit);
        return page;
      },
      [call](StoreResult<Page> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        if (result.value->access == Access::no_room) return call->error(http::status::not_found, "Room not found");
        if (result.value->access == Access::forbidden) return call->error(http::status::forbidden, "Forbidden");
        json messages = json::array();
        for (const auto& m : result.value->messages) messages.push_back(to_json(m));
        call->json_reply(http::status::ok, messages);
      });
}

void HttpApi::create_post(const std::shared_ptr<Call>& call) {
  auto body = call->object_body();
  if (!body) return;
  if (!body->contains("content") || !(*body)["content"].is_string() ||
      (*body)["content"].get<std::string>().empty() ||
      (*body)["content"].get<std::string>().size() > 16000) {
    return call->error(http::status::bad_request, "content must be a non-empty string");
  }
  store_.run<PostRecord>(
      [user = call->identity.user_id, content = (*body)["content"].get<std::string>()](Store& store) {
        return store.create_post(user, content, now_ms());
      },
      [call](StoreResult<PostRecord> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        call->json_reply(http::status::created, to_json(*result.value));
      });
}

void HttpApi::list_posts(const std::shared_ptr<Call>& call) {
  store_.run<std::vector<PostRecord>>(
      [](Store& store) { return store.recent_posts(50); },
      [call](StoreResult<std::vector<PostRecord>> result) {
        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
        json posts = json::array();
        for (const auto& p : *result.value) posts.push_back(to_json(p));
        call->json_reply(http::status::ok, posts);
      });
}

void HttpApi::like_post(const std::shared_ptr<Call>& call, std::int64_t post_id) {
  notifications_.like(post_id, call->identity.user_id,
                      [call](StoreResult<Notifications::LikeOutcome> result) {
                        if (!result) return call->error(http::status::service_unavailable, "Store unavailable");
                        if (!result.value->post_found) return call->error(http::status::not_found, "Post not found");
                        call->json_reply(http::status::ok, json{{"liked", true},
                                                                {"new", result.value->newly_liked},
                                                                {"likes", result.value->likes}});
                      });
}

void HttpApi::readiness(const std::shared_ptr<Call>& call) {
  // Through the worker like every store call: the answer also proves that the worker is not stuck
  // and that a transaction commits.
  store_.run<bool>(
      [](Store& store) {
        store.ping();
        return true;
      },
      [this, call](StoreResult<bool> result) {
        note_database_state(result ? std::string() : result.error);
        auto body = std::make_shared<json>(json{{"database", result ? "ok" : "unavailable"}});
        auto reply = [call, body](bool ready) {
          (*body)["status"] = ready ? "ready" : "unavailable";
          call->json_reply(ready ? http::status::ok : http::status::service_unavailable, *body);
        };
        if (!redis_) return reply(static_cast<bool>(result));
        // The Redis client is asked on its own reactor; the answer comes back to this one.
        boost::asio::post(redis_->context(), [redis = redis_, here = io_.executor(),
                                              stored = static_cast<bool>(result), body, reply] {
          const bool connected = redis->connected();
          boost::asio::post(here, [connected, stored, body, reply] {
            (*body)["redis"] = connected ? "ok" : "unreachable";
            reply(stored && connected);
          });
        });
      });
}

void HttpApi::note_database_state(const std::string& error) {
  // The reason goes to the log, not to whoever asks /readyz; once per change, as probes repeat
  // (on any reactor: the last state is the process's).
  std::lock_guard lock(database_error_mutex_);
  if (error == database_error_) return;
  if (error.empty()) spdlog::info("readiness: database ok again");
  else spdlog::warn("readiness: database unavailable: {}", error);
  database_error_ = error;
}

void HttpApi::dev_token(const std::shared_ptr<Call>& call) {
  auto sub = call->request.query_param("sub");
  if (!sub || sub->empty() || sub->size() > 64) {
    return call->error(http::status::bad_request, "sub must be 1 to 64 characters");
  }
  json claims{{"sub", std::string(*sub)}, {"iat", now_ms() / 1000}, {"exp", now_ms() / 1000 + 24 * 3600}};
  if (auto role = call->request.query_param("role"); role && !role->empty()) claims["role"] = std::string(*role);
  call->json_reply(http::status::ok, json{{"token", sign_jwt(claims, config_.jwt_secret)}});
}

}  // namespace sio::app
