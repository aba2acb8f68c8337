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

TEST(PushedMessage, reads_message_pmessage_and_smessage_in_place) {
  using sio::adapter::PushedMessage;
  using sio::adapter::PushRead;
  const std::string message = "*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n";
  const std::string pmessage = "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\ncx\r\n$0\r\n\r\n";
  const std::string smessage = "*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$4\r\na\r\nb\r\n";
  PushedMessage out;
  std::size_t used = 0;
  const std::string two = message + pmessage;
  ASSERT_EQ(sio::adapter::read_pushed_message(two, out, used), PushRead::message);
  EXPECT_EQ(used, message.size());
  EXPECT_EQ(out.kind, "message");
  EXPECT_EQ(out.channel, "chan");
  EXPECT_EQ(out.payload, "hello");
  ASSERT_EQ(sio::adapter::read_pushed_message(pmessage, out, used), PushRead::message);
  EXPECT_EQ(out.pattern, "c*");
  EXPECT_EQ(out.channel, "cx");
  EXPECT_EQ(out.payload, "");
  ASSERT_EQ(sio::adapter::read_pushed_message(smessage, out, used), PushRead::message);
  EXPECT_EQ(out.kind, "smessage");
  EXPECT_EQ(out.payload, "a\r\nb");  // a payload may hold CRLF: its length says where it ends
}

TEST(PushedMessage, says_incomplete_for_every_cut_short_push) {
  using sio::adapter::PushRead;
  const std::string message = "*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n";
  sio::adapter::PushedMessage out;
  std::size_t used = 0;
  for (std::size_t n = 0; n < message.size(); ++n) {
    EXPECT_EQ(sio::adapter::read_pushed_message(message.substr(0, n), out, used),
              PushRead::incomplete)
        << n;
  }
}

TEST(PushedMessage, leaves_every_other_reply_to_the_reader) {
  using sio::adapter::PushRead;
  const std::string others[] = {
      "*3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n",  // a confirmation
      "*2\r\n$4\r\npong\r\n$0\r\n\r\n",                 // PING in subscribed mode
      "+OK\r\n",
      "-ERR wrong\r\n",
      "*3\r\n$7\r\nmessage\r\n$-1\r\n",
      "*3\r\n$7\r\nmessage\r\n$4\r\nchanXX$1\r\nx\r\n",  // a length that lies
      "*4\r\n$7\r\nmessage\r\n",
      "*3\r\n$7\r\nmessage\r\n$04\r\nchan\r\n$5\r\nhello\r\n",  // a leading zero
  };
  sio::adapter::PushedMessage out;
  std::size_t used = 0;
  for (const auto& other : others) {
    EXPECT_EQ(sio::adapter::read_pushed_message(other, out, used), PushRead::other) << other;
  }
}

TEST(RedisResp, reads_nested_arrays_as_xread_answers) {
  RespReader reader;
  reader.feed(
      "*1\r\n*2\r\n$9\r\nsocket.io\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$3\r\nuid\r\n$2\r\nab\r\n$"
      "4\r\n"
      "type\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*0\r\n*-1\r\n");
  auto reply = reader.next();
  ASSERT_TRUE(reply);
  const auto& entries = reply->elements.at(0).elements.at(1).elements;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].elements.at(0).str, "1-0");
  ASSERT_EQ(entries[0].elements.at(1).elements.size(), 4u);
  EXPECT_EQ(entries[0].elements[1].elements[3].str, "3");
  EXPECT_EQ(entries[1].elements.at(0).str, "2-0");
  EXPECT_TRUE(entries[1].elements.at(1).is_array());
  EXPECT_TRUE(entries[1].elements[1].elements.empty());
  auto nil = reader.next();
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil->type, RedisReply::Type::nil);
}

TEST(RedisResp, reports_a_stream_broken_inside_an_array) {
  RespReader reader;
  reader.feed("*3\r\n$1\r\na\r\n*2\r\n:1\r\n!bad\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.error().empty());
}

TEST(RedisResp, is_idle_between_replies_only) {
  RespReader reader;
  EXPECT_TRUE(reader.idle());
  reader.feed("*2\r\n$1\r\na\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.idle());  // half an array read
  reader.feed("$1\r\nb\r\n+");
  EXPECT_TRUE(reader.next());
  EXPECT_FALSE(reader.next());
  EXPECT_FALSE(reader.idle());  // a type byte read
  reader.feed("OK\r\n");
  EXPECT_TRUE(reader.next());
  EXPECT_FALSE(reader.next());  // asked again with nothing left
  EXPECT_TRUE(reader.idle());
}

TEST(RedisResp, takes_room_for_the_elements_that_arrived_not_for_the_length_announced) {
  // An array announcing 1,686,816,868 elements, of which two arrive: what is kept is what came
  // (made room for up front, this would be ~150 GB).
  RespReader reader;
  reader.feed("*1686816868\r\n*2\r\n$2\r\n{}\r\n:1\r\n$3\r\nabc\r\n");
  EXPECT_FALSE(reader.next());
  EXPECT_TRUE(reader.error().empty());
  EXPECT_FALSE(reader.idle());
  // Arrays of a sane length still come out whole, nested or not, element by element.
  RespReader whole;
  std::string bytes = "*1500\r\n";
  for (int i = 0; i < 1500; ++i)
    bytes += i % 2 ? ":" + std::to_string(i) + "\r\n" : "*1\r\n$1\r\nx\r\n";
  for (char c : bytes) whole.feed(std::string_view(&c, 1));
  const auto reply = whole.next();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->elements.size(), 1500u);
  EXPECT_EQ(reply->elements[1499].integer, 1499);
  ASSERT_EQ(reply->elements[1498].elements.size(), 1u);
  EXPECT_EQ(reply->elements[1498].elements[0].str, "x");
}
