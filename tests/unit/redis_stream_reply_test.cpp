// XREAD's reply read where it lies: the same entries and fields as the RespReader's reply tree,
// `incomplete` for every cut before its end, `other` for what is no such reply.

#include <gtest/gtest.h>

#include <string>

#include "adapter/redis_resp.hpp"
#include "adapter/redis_stream_reader.hpp"

using sio::adapter::fields_of;
using sio::adapter::PushRead;
using sio::adapter::read_stream_reply;
using sio::adapter::RespReader;
using sio::adapter::StreamFields;
using sio::adapter::StreamReply;
using namespace std::string_literals;

namespace {

std::string bulk(std::string_view text) {
  return "$" + std::to_string(text.size()) + "\r\n" + std::string(text) + "\r\n";
}

// [[stream, [[id, [uid, …, nsp, "/", type, "3", data, …]], …]]] with `count` entries.
std::string xread_reply(int count,
                        std::string_view data = R"({"packet":{"type":2,"data":["x"]}})") {
  std::string out = "*1\r\n*2\r\n" + bulk("socket.io") + "*" + std::to_string(count) + "\r\n";
  for (int i = 0; i < count; ++i) {
    out += "*2\r\n" + bulk("1765100000000-" + std::to_string(i)) + "*8\r\n";
    for (auto part : {"uid", "Xw3kTq", "nsp", "/", "type", "3", "data"}) out += bulk(part);
    out += bulk(data);
  }
  return out;
}

// The entries as the RespReader's tree has them: id, then fields.
std::vector<std::pair<std::string, StreamFields>> tree_entries(
    const sio::adapter::RedisReply& tree) {
  std::vector<std::pair<std::string, StreamFields>> out;
  for (const auto& stream : tree.elements) {
    for (const auto& entry : stream.elements[1].elements) {
      StreamFields fields;
      fields_of(entry.elements[1], fields);
      out.emplace_back(entry.elements[0].str, fields);
    }
  }
  return out;
}

}  // namespace

TEST(StreamReply, reads_the_entries_the_resp_reader_reads) {
  const auto bytes = xread_reply(3, "[\"with\\r\\n and \\u00e9\"]") + "+OK\r\n";
  StreamReply reply;
  std::size_t used = 0;
  ASSERT_EQ(read_stream_reply(bytes, reply, used), PushRead::message);
  EXPECT_EQ(used, bytes.size() - 5);  // the next reply left where it is

  RespReader reader;
  reader.feed(bytes);
  const auto tree = reader.next();
  ASSERT_TRUE(tree);
  const auto expected = tree_entries(*tree);
  ASSERT_EQ(reply.entries.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& entry = reply.entries[i];
    EXPECT_EQ(entry.id, expected[i].first);
    const StreamFields fields(reply.fields.begin() + entry.first_field,
                              reply.fields.begin() + entry.first_field + entry.field_count);
    EXPECT_EQ(fields, expected[i].second);
  }
}

TEST(StreamReply, reads_a_timed_out_block_as_no_entries) {
  StreamReply reply;
  reply.entries.push_back({});
  std::size_t used = 0;
  ASSERT_EQ(read_stream_reply("*-1\r\n", reply, used), PushRead::message);
  EXPECT_EQ(used, 5u);
  EXPECT_TRUE(reply.entries.empty());
}

TEST(StreamReply, reads_an_entry_without_fields) {
  const auto bytes = "*1\r\n*2\r\n"s + bulk("s") + "*1\r\n*2\r\n" + bulk("1-1") + "*-1\r\n";
  StreamReply reply;
  std::size_t used = 0;
  ASSERT_EQ(read_stream_reply(bytes, reply, used), PushRead::message);
  ASSERT_EQ(reply.entries.size(), 1u);
  EXPECT_EQ(reply.entries[0].id, "1-1");
  EXPECT_EQ(reply.entries[0].field_count, 0u);
}

TEST(StreamReply, says_incomplete_for_every_cut_short_reply) {
  for (const auto& whole : {xread_reply(2), "*-1\r\n"s}) {
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
      StreamReply reply;
      std::size_t used = 0;
      EXPECT_EQ(read_stream_reply(std::string_view(whole).substr(0, cut), reply, used),
                PushRead::incomplete)
          << cut;
    }
  }
}

TEST(StreamReply, leaves_errors_and_other_shapes_to_the_reader) {
  for (const auto& bytes :
       {"-ERR no such key\r\n"s, "+OK\r\n"s, ":1\r\n"s, "*-2\r\n"s, "*1\r\n*3\r\n"s + bulk("s"),
        "*1\r\n*2\r\n"s + bulk("s") + "*1\r\n*1\r\n",
        "*1\r\n*2\r\n"s + bulk("s") + "*1\r\n*2\r\n" + bulk("1-1") + "*3\r\n"}) {
    StreamReply reply;
    std::size_t used = 0;
    EXPECT_EQ(read_stream_reply(bytes, reply, used), PushRead::other) << bytes;
  }
}
