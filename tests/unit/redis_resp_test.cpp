// RESP through hiredis: replies split from a byte stream however it is chunked, and commands
// formatted with binary-safe arguments.

#include "adapter/redis_resp.hpp"

#include <gtest/gtest.h>

using sio::adapter::format_command;
using sio::adapter::RedisReply;
using sio::adapter::RespReader;
using namespace std::string_literals;

TEST(RedisResp, formats_commands_with_binary_safe_arguments) {
  std::string out;
  format_command(out, {"PUBLISH", "ch", std::string_view("a\r\n\0b", 5)});
  EXPECT_EQ(out, "*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$5\r\na\r\n\0b\r\n"s);
}

TEST(RedisResp, formatting_appends_so_commands_pipeline) {
  std::string out = "*1\r\n$4\r\nPING\r\n";
  format_command(out, {"PING"});
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
}

TEST(RedisResp, reads_every_reply_type) {
  RespReader reader;
  reader.feed("+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n-ERR wrong\r\n*2\r\n$1\r\na\r\n:7\r\n");
  auto status = reader.next();
  ASSERT_TRUE(status);
  EXPECT_EQ(status->type, RedisReply::Type::status);
  EXPECT_EQ(status->str, "OK");
  auto integer = reader.next();
  ASSERT_TRUE(integer);
  EXPECT_EQ(integer->integer, 42);
  auto bulk = reader.next();
  ASSERT_TRUE(bulk);
  EXPECT_EQ(bulk->type, RedisReply::Type::string);
  EXPECT_EQ(bulk->str, "hello");
  auto nil = reader.next();
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil->type, RedisReply::Type::nil);
  auto error = reader.next();
  ASSERT_TRUE(error);
  EXPECT_TRUE(error->is_error());
  EXPECT_EQ(error->str, "ERR wrong");
  auto array = reader.next();
  ASSERT_TRUE(array);
  ASSERT_EQ(array->elements.size(), 2u);
  EXPECT_EQ(array->elements[0].str, "a");
  EXPECT_EQ(array->elements[1].integer, 7);
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.error().empty());
}

TEST(RedisResp, reassembles_a_pubsub_message_fed_byte_by_byte) {
  const std::string payload(
      "\x93\xa6"
      "Ab12Cd\0\r\n",
      11);
  std::string wire =
      "*4\r\n$8\r\npmessage\r\n$12\r\nsocket.io#/*\r\n$12\r\nsocket.io#/#\r\n$11\r\n" + payload +
      "\r\n";
  RespReader reader;
  std::optional<RedisReply> reply;
  for (char c : wire) {
    EXPECT_FALSE(reply);
    reader.feed(std::string_view(&c, 1));
    reply = reader.next();
  }
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->elements.size(), 4u);
  EXPECT_EQ(reply->elements[0].str, "pmessage");
  EXPECT_EQ(reply->elements[2].str, "socket.io#/#");
  EXPECT_EQ(reply->elements[3].str, payload);
}

TEST(RedisResp, reports_a_broken_stream) {
  RespReader reader;
  reader.feed("!nonsense\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.error().empty());
}
