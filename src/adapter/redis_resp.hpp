#pragma once
// RESP, the Redis protocol: commands out, replies in. hiredis does the byte work (its reader and
// its command formatter); this file turns its C structures into plain values.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace sio::adapter {

struct RedisReply {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string str;  // string, status and error replies
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::error; }
  bool is_array() const { return type == Type::array; }
  static RedisReply error(std::string message) { return {Type::error, std::move(message), 0, {}}; }
};

// A Pub/Sub message as Redis pushes it to a subscriber — ["message", channel, payload],
// ["pmessage", pattern, channel, payload] or ["smessage", channel, payload] — seen where it lies.
struct PushedMessage {
  std::string_view kind;
  std::string_view pattern;  // pmessage only
  std::string_view channel;
  std::string_view payload;
};

// Reading replies where they lie, part by part: each step says whether it read its part
// (`message`), ran out of bytes (`incomplete`: the reply goes on in the next read), or found
// something else (`other`: the RespReader's to read). For the replies that come by the thousand
// (message pushes, XREAD's entries), read without the general reader's allocations.
enum class PushRead { message, incomplete, other };
class RespCursor {
 public:
  explicit RespCursor(std::string_view in) : in_(in) {}
  // `<prefix><digits>\r\n`: an array's (`*`) or a bulk string's (`$`) length.
  PushRead length(char prefix, std::size_t& value);
  // An array's header; `nil` for the nil array (`*-1`), which has no items.
  PushRead array(std::size_t& count, bool& nil);
  PushRead bulk(std::string_view& out);
  // Bytes read so far.
  std::size_t position() const { return pos_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

// Reads such a push from the front of `bytes` without copying anything: the busiest reply a
// subscriber gets, read without the general reader's allocations. `message`: one was read, of
// `used` bytes; `incomplete`: the bytes may begin one but end too early; `other`: they begin
// something else, which is the RespReader's to read.
PushRead read_pushed_message(std::string_view bytes, PushedMessage& out, std::size_t& used);
// The same push from a reply the RespReader made; false when the reply is no message push.
bool as_pushed_message(const RedisReply& reply, PushedMessage& out);

// Appends a command (its name first) in RESP to `out`.
void format_command(std::string& out, const std::vector<std::string_view>& argv);

// Splits a byte stream from Redis into replies.
class RespReader {
 public:
  RespReader();
  ~RespReader();
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply; nullopt when more bytes are needed or the stream is broken (then
  // error() says why and the reader must be discarded).
  std::optional<RedisReply> next();
  const std::string& error() const { return error_; }
  // No reply is half read: the next bytes fed start a new one.
  bool idle() const;

 private:
  struct Free {
    void operator()(redisReader* reader) const;
  };
  std::unique_ptr<redisReader, Free> reader_;
  std::string error_;
};

}  // namespace sio::adapter
