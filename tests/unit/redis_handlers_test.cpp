// The handlers of one Redis channel: delivery in order, a handler that throws, handlers that
// unsubscribe or subscribe while a message is being delivered.

#include "adapter/redis_handlers.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

using sio::adapter::RedisHandlers;

TEST(RedisHandlers, delivers_the_channel_and_payload_to_each_handler_in_order) {
  RedisHandlers handlers;
  std::vector<std::string> calls;
  handlers.add(1, [&](auto channel, auto payload) {
    calls.push_back("1:" + std::string(channel) + ":" + std::string(payload));
  });
  handlers.add(2, [&](auto channel, auto payload) {
    calls.push_back("2:" + std::string(channel) + ":" + std::string(payload));
  });
  handlers.deliver("socket.io#/#", "hello", "redis");
  EXPECT_EQ(calls, (std::vector<std::string>{"1:socket.io#/#:hello", "2:socket.io#/#:hello"}));
}

TEST(RedisHandlers, a_handler_that_throws_does_not_keep_the_message_from_the_others) {
  RedisHandlers handlers;
  int reached = 0;
  handlers.add(1, [](auto, auto) { throw std::runtime_error("bad payload"); });
  handlers.add(2, [&](auto, auto) { ++reached; });
  EXPECT_NO_THROW(handlers.deliver("c", "p", "redis"));
  EXPECT_EQ(reached, 1);
}

TEST(RedisHandlers, an_unsubscribed_handler_gets_nothing_more_and_is_dropped_later) {
  RedisHandlers handlers;
  int first = 0;
  int second = 0;
  handlers.add(1, [&](auto, auto) {
    ++first;
    handlers.unsubscribe(1);  // from within its own delivery
  });
  handlers.add(2, [&](auto, auto) { ++second; });
  handlers.deliver("c", "p", "redis");
  handlers.deliver("c", "p", "redis");
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
  EXPECT_FALSE(handlers.drop_unsubscribed());  // one is left
  EXPECT_FALSE(handlers.unsubscribe(1));       // gone for good
  EXPECT_TRUE(handlers.unsubscribe(2));
  EXPECT_TRUE(handlers.drop_unsubscribed());
}

TEST(RedisHandlers, a_handler_added_during_a_delivery_gets_that_message_too) {
  RedisHandlers handlers;
  std::vector<int> calls;
  // Enough additions to make the vector reallocate under the running delivery.
  handlers.add(1, [&](auto, auto) {
    calls.push_back(1);
    if (calls.size() > 1) return;
    for (RedisHandlers::Id id = 2; id < 40; ++id) {
      handlers.add(id, [&calls, id](auto, auto) { calls.push_back(static_cast<int>(id)); });
    }
  });
  handlers.deliver("c", "p", "redis");
  ASSERT_EQ(calls.size(), 39U);
  EXPECT_EQ(calls.front(), 1);
  EXPECT_EQ(calls.back(), 39);
}

TEST(RedisHandlers, unsubscribing_an_unknown_id_changes_nothing) {
  RedisHandlers handlers;
  int reached = 0;
  handlers.add(7, [&](auto, auto) { ++reached; });
  EXPECT_FALSE(handlers.unsubscribe(8));
  EXPECT_FALSE(handlers.drop_unsubscribed());
  handlers.deliver("c", "p", "redis");
  EXPECT_EQ(reached, 1);
}
