#pragma once
// Reads one Redis stream as it grows (XREAD BLOCK on a connection of its own) and hands each
// entry to the handler registered for the entry's namespace — the reading side of the Redis
// Streams adapter, shared by the adapters of every namespace of a server.
//
// It starts after the newest entry the stream has when it first connects, and keeps its position
// in memory: after a lost link (or a Redis restarted with its data) it goes on from the last
// entry it read, so nothing in between is missed; a Redis that comes back empty gives newer ids,
// read as they come.
//
// Single-threaded: every member runs on the io_context the reader was made with.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/redis_connection.hpp"
#include "adapter/redis_stream_reply.hpp"
#include "adapter/redis_url.hpp"

namespace sio::adapter {

class RedisStreamReader : public std::enable_shared_from_this<RedisStreamReader> {
 public:
  using EntryHandler = std::function<void(const std::string& id, StreamFieldsView fields)>;
  using HandlerId = std::uint64_t;

  struct Options {
    RedisUrl url;
    std::string stream = "socket.io";
    // Entries per XREAD.
    std::size_t read_count = 100;
    std::chrono::milliseconds block{2000};
  };

  static std::shared_ptr<RedisStreamReader> create(boost::asio::io_context& ctx, Options options);
  RedisStreamReader(boost::asio::io_context& ctx, Options options);
  ~RedisStreamReader();

  // Entries whose "nsp" field is `nsp` go to `handler`.
  HandlerId add(const std::string& nsp, EntryHandler handler);
  void remove(HandlerId id);
  // The id of the last entry read ("" until the reader knows where the stream ends).
  const std::string& position() const { return position_; }
  void close();

 private:
  void start();
  void find_end();
  void read();
  void on_entries(const RedisReply& reply);
  // Hands the entry to the handlers of its namespace.
  void deliver(StreamFieldsView fields);
  void retry_later();

  boost::asio::io_context& ctx_;
  Options options_;
  std::shared_ptr<RedisConnection> connection_;
  boost::asio::steady_timer retry_timer_;
  std::string position_;
  std::multimap<std::string, std::pair<HandlerId, EntryHandler>, std::less<>> handlers_;
  StreamFields fields_;
  StreamReply reply_;  // read in place, reused
  std::string id_;     // the entry being delivered
  HandlerId next_id_ = 1;
  bool reading_ = false;
  bool closed_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sio::adapter
