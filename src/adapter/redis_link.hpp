#pragma once
// What a server may ask of its link to Redis, whichever adapter uses it (classic Pub/Sub,
// sharded Pub/Sub): where it runs, whether it is up and its counters, for /readyz and /metrics.

#include <boost/asio/io_context.hpp>
#include <cstdint>

namespace sio::adapter {

struct RedisClientStats {
  std::uint64_t published = 0;  // publishes Redis acknowledged
  // Publishes lost: with the link, refused by Redis, or dropped (counted below too).
  std::uint64_t publish_failures = 0;
  std::uint64_t publish_dropped = 0;    // of the failures: queue full or client closed
  std::uint64_t messages_received = 0;  // pub/sub messages handed to subscribers
  std::uint64_t reconnects = 0;         // of every connection, after its first connection
};

class RedisLink {
 public:
  virtual ~RedisLink() = default;
  // The io_context the link runs on; the other two are called there only.
  virtual boost::asio::io_context& context() const = 0;
  virtual bool connected() const = 0;
  virtual RedisClientStats stats() const = 0;
  // Drops every connection for good.
  virtual void close() = 0;
};

}  // namespace sio::adapter
