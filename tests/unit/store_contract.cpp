#include "store_contract.hpp"

#include <string>
#include <vector>

namespace sio::app::testing {

TEST_P(StoreContract, creator_is_member_of_new_room) {
  auto room = store->create_room("general", true, "alice", 1000);
  EXPECT_GT(room.id, 0);
  EXPECT_TRUE(store->is_member(room.id, "alice"));
  EXPECT_FALSE(store->is_member(room.id, "bob"));
  auto found = store->find_room(room.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "general");
  EXPECT_TRUE(found->is_public);
  EXPECT_EQ(found->created_by, "alice");
  EXPECT_EQ(found->created_at, 1000);
}

TEST_P(StoreContract, unknown_room_is_not_found) {
  EXPECT_FALSE(store->find_room(424242));
}

TEST_P(StoreContract, adding_a_member_twice_reports_no_change) {
  auto room = store->create_room("r", false, "alice", 1);
  EXPECT_TRUE(store->add_member(room.id, "bob"));
  EXPECT_FALSE(store->add_member(room.id, "bob"));
  EXPECT_TRUE(store->is_member(room.id, "bob"));
}

TEST_P(StoreContract, visible_rooms_are_public_ones_and_memberships) {
  auto open = store->create_room("open", true, "alice", 1);
  auto secret = store->create_room("secret", false, "alice", 2);
  auto other = store->create_room("other", false, "carol", 3);
  store->add_member(other.id, "bob");
  std::vector<std::int64_t> ids;
  for (const auto& room : store->rooms_visible_to("bob")) ids.push_back(room.id);
  EXPECT_EQ(ids, (std::vector<std::int64_t>{open.id, other.id}));
  EXPECT_EQ(store->rooms_of_member("alice"), (std::vector<std::int64_t>{open.id, secret.id}));
}

TEST_P(StoreContract, history_is_newest_first_with_before_and_limit) {
  auto room = store->create_room("r", true, "alice", 1);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(store->add_message(room.id, "alice", "m" + std::to_string(i), 10 + i).id);
  }
  auto latest = store->history(room.id, std::nullopt, 2);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[0].content, "m4");
  EXPECT_EQ(latest[1].content, "m3");
  auto older = store->history(room.id, latest[1].id, 10);
  ASSERT_EQ(older.size(), 3u);
  EXPECT_EQ(older[0].content, "m2");
  EXPECT_EQ(older[2].id, ids[0]);
  EXPECT_EQ(older[2].created_at, 10);
  EXPECT_EQ(store->message_count(), 5);
}

TEST_P(StoreContract, history_keeps_rooms_apart_and_unicode_intact) {
  auto a = store->create_room("a", true, "alice", 1);
  auto b = store->create_room("b", true, "alice", 1);
  store->add_message(a.id, "alice", "안녕하세요 👋", 5);
  store->add_message(b.id, "bob", "other", 6);
  auto history = store->history(a.id, std::nullopt, 10);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].content, "안녕하세요 👋");
  EXPECT_EQ(history[0].user_id, "alice");
}

TEST_P(StoreContract, likes_are_counted_once_per_user) {
  auto post = store->create_post("alice", "hello", 7);
  EXPECT_TRUE(store->add_like(post.id, "bob", 8));
  EXPECT_FALSE(store->add_like(post.id, "bob", 9));
  EXPECT_TRUE(store->add_like(post.id, "carol", 9));
  auto found = store->find_post(post.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->likes, 2);
  EXPECT_EQ(found->author_id, "alice");
  auto recent = store->recent_posts(10);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].likes, 2);
}

TEST_P(StoreContract, notifications_stay_unread_until_marked) {
  auto post = store->create_post("alice", "p", 1);
  auto first = store->add_notification("alice", "like", post.id, "bob", 2);
  auto second = store->add_notification("alice", "like", post.id, "carol", 3);
  store->add_notification("dave", "like", post.id, "bob", 4);
  auto unread = store->unread_notifications("alice");
  ASSERT_EQ(unread.size(), 2u);
  EXPECT_EQ(unread[0].id, first.id);
  EXPECT_EQ(unread[0].from_user_id, "bob");
  EXPECT_EQ(store->mark_notifications_read("alice", {first.id}), 1);
  ASSERT_EQ(store->unread_notifications("alice").size(), 1u);
  EXPECT_EQ(store->unread_notifications("alice")[0].id, second.id);
  EXPECT_EQ(store->mark_notifications_read("alice", {}), 1);
  EXPECT_TRUE(store->unread_notifications("alice").empty());
  EXPECT_EQ(store->unread_notifications("dave").size(), 1u);
}

TEST_P(StoreContract, marking_someone_elses_notification_changes_nothing) {
  auto post = store->create_post("alice", "p", 1);
  auto n = store->add_notification("alice", "like", post.id, "bob", 2);
  EXPECT_EQ(store->mark_notifications_read("mallory", {n.id}), 0);
  EXPECT_EQ(store->unread_notifications("alice").size(), 1u);
}

TEST_P(StoreContract, last_seen_is_updated) {
  EXPECT_FALSE(store->last_seen("alice"));
  store->set_last_seen("alice", 100);
  store->set_last_seen("alice", 200);
  EXPECT_EQ(store->last_seen("alice"), 200);
}

TEST_P(StoreContract, rolled_back_savepoint_undoes_only_its_call) {
  store->begin();
  store->savepoint();
  auto kept = store->create_post("alice", "kept", 1);
  store->release_savepoint();
  store->savepoint();
  store->create_post("alice", "undone", 2);
  store->rollback_to_savepoint();
  store->commit();
  auto posts = store->recent_posts(10);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].id, kept.id);
}

TEST_P(StoreContract, migrate_twice_keeps_data) {
  auto room = store->create_room("r", true, "alice", 1);
  store->migrate();
  EXPECT_TRUE(store->find_room(room.id));
}

}  // namespace sio::app::testing
