#pragma once
// Posts and likes: liking someone else's post stores a notification and sends it, as
// `notification`, to `user:<authorId>` — on every server, through the adapter.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/store_worker.hpp"
#include "socketio/server.hpp"

namespace sio::app {

class Notifications {
 public:
  struct LikeOutcome {
    bool post_found = false;
    bool newly_liked = false;
    std::int64_t likes = 0;
    std::optional<NotificationRecord> notification;
  };

  Notifications(socketio::Server& io, StoreWorker& store) : io_(io), store_(store) {}

  // Stores the like (once per user) and notifies the author unless they liked their own post.
  void like(std::int64_t post_id, const std::string& user_id,
            std::function<void(StoreResult<LikeOutcome>)> done);

 private:
  socketio::Server& io_;
  StoreWorker& store_;
};

}  // namespace sio::app
