#include "app/notifications.hpp"

#include "app/records_json.hpp"

namespace sio::app {

void Notifications::like(std::int64_t post_id, const std::string& user_id,
                         std::function<void(StoreResult<LikeOutcome>)> done) {
  store_.run<LikeOutcome>(
      [post_id, user_id](Store& store) {
        LikeOutcome outcome;
        auto post = store.find_post(post_id);
        if (!post) return outcome;
        outcome.post_found = true;
        outcome.newly_liked = store.add_like(post_id, user_id, now_ms());
        outcome.likes = post->likes + (outcome.newly_liked ? 1 : 0);
        if (outcome.newly_liked && post->author_id != user_id) {
          outcome.notification =
              store.add_notification(post->author_id, "like", post_id, user_id, now_ms());
        }
        return outcome;
      },
      [this, done = std::move(done)](StoreResult<LikeOutcome> result) {
        if (result && result.value->notification) {
          const auto& n = *result.value->notification;
          io_.to("user:" + n.user_id).emit("notification", to_json(n));
        }
        done(std::move(result));
      });
}

}  // namespace sio::app
