#pragma once
// The handlers subscribed to one Redis channel (or pattern), as RedisClient and
// RedisClusterClient keep them. A handler may subscribe or unsubscribe while a message is being
// delivered: an unsubscribed handler is only emptied (the list keeps its place) until the client
// calls drop_unsubscribed() once no delivery runs, and one added meanwhile gets the message too.
//
// Single-threaded, like the clients.

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace sio::adapter {

class RedisHandlers {
 public:
  using Handler = std::function<void(std::string_view channel, std::string_view payload)>;
  using Id = std::uint64_t;

  void add(Id id, Handler handler) { entries_.push_back({id, std::move(handler)}); }
  // Runs every handler still subscribed. A message from Redis is someone else's input: a handler
  // it breaks (throws) is logged, as `client` dropping a message on `channel`, and the others run.
  void deliver(std::string_view channel, std::string_view payload, std::string_view client);
  // Empties the handler `id`; whether it was in this list.
  bool unsubscribe(Id id);
  // Drops the emptied handlers; whether none is left.
  bool drop_unsubscribed();

 private:
  struct Entry {
    Id id;
    Handler handler;  // empty once unsubscribed, until dropped
  };
  std::vector<Entry> entries_;
};

}  // namespace sio::adapter
