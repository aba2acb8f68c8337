#pragma once
// A broadcast with acks this server made, while the other servers of the cluster report to it:
// first how many clients each reached, then their answers. Shared by the cluster adapters.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <optional>

#include "adapter/adapter.hpp"

namespace sio::adapter {

struct AckBroadcast {
  explicit AckBroadcast(boost::asio::io_context& ctx) : expiry(ctx) {}
  ClientCountHandler on_client_count;
  AckHandler on_ack;
  std::size_t clients = 0;
  // This server counts itself at once: the namespace delivers locally and counts those.
  std::size_t servers_counted = 1;
  std::optional<std::size_t> servers_expected;
  bool reported = false;
  // Answers are taken until it fires.
  boost::asio::steady_timer expiry;

  // A server's count; reported (once) when every server has given its own.
  void add_count(std::size_t count) {
    clients += count;
    ++servers_counted;
    check();
  }
  void expect_servers(std::size_t servers) {
    servers_expected = std::max<std::size_t>(servers, 1);
    check();
  }
  void check() {
    if (reported || !servers_expected || servers_counted < *servers_expected) return;
    reported = true;
    on_client_count(clients);
  }
};

}  // namespace sio::adapter
