#pragma once
// One benchmark run against one server: connect every client (the connect storm is measured),
// join each to its room, hold (the idle measurement), then publish in steps at rising rates
// until latency or loss says the server has had enough. Each phase samples the server's CPU and
// memory from /proc and the load generator's own CPU, so that the report says whether the load
// generator kept up.

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loadgen/client.hpp"
#include "loadgen/histogram.hpp"

namespace sio::bench {

struct Options {
  std::string label = "server";
  std::string host = "127.0.0.1";
  unsigned short port = 3000;
  std::string path = "/socket.io/";
  std::string secret = "bench-secret";
  int clients = 100;
  int room_size = 0;              // members per room; 0 = nobody joins a room
  int publishers_per_room = 1;    // the room's first members publish
  double polling_share = 0;       // fraction of clients on HTTP long-polling
  int connect_concurrency = 256;  // handshakes in flight at once
  int source_ips = 1;             // connect from 127.0.0.1 … 127.0.0.N
  double hold_seconds = 0;        // idle time after joining, then the memory sample
  double room_rate = 0;           // messages per second per room in the first step; 0 = none
  double ramp_factor = 1;         // each later step multiplies the rate by this
  int steps = 1;
  int step_retries = 1;  // a failed step is run again this often before the ramp ends
  double step_seconds = 10;
  double warmup_seconds = 2;  // unmeasured publishing at the first rate (JIT, caches)
  double drain_seconds = 5;   // how long a step waits for its last deliveries
  double p99_limit_ms = 100;  // a step above this latency fails and ends the ramp
  double phase_timeout_seconds = 120;
  pid_t server_pid = 0;       // 0: no server-side numbers
  bool create_rooms = false;  // through the REST API first (sio-server); else rooms "1", "2", …
};

class Scenario final : public ClientObserver {
 public:
  Scenario(boost::asio::io_context& ctx, Options options);
  ~Scenario() override;

  // Runs to the end and returns the report.
  nlohmann::ordered_json run();

  void on_connected(Client& client) override;
  void on_joined(Client& client) override;
  void on_delivery(Client& receiver, std::uint64_t sent_ns, std::uint64_t seq,
                   std::uint32_t publisher) override;
  void on_failed(Client& client, std::string_view reason) override;
  void on_error_event(Client& client, std::string_view message) override;

 private:
  struct Publisher {
    Client* client;
    std::uint32_t id;
    double phase;  // spreads publishers over the period so they do not fire together
    std::uint64_t seq = 0;
  };
  struct StepStats {
    Histogram latency;
    Histogram latency_polling;  // receivers on long-polling only
    std::uint64_t published = 0;
    std::uint64_t expected = 0;
    std::uint64_t delivered = 0;  // first copies only
    std::uint64_t duplicates = 0;
    std::uint64_t failures = 0;
    std::uint64_t last_delivery_ns = 0;
  };

  boost::asio::awaitable<void> main();
  boost::asio::awaitable<void> connect_all();
  boost::asio::awaitable<void> join_all();
  boost::asio::awaitable<void> hold();
  boost::asio::awaitable<nlohmann::ordered_json> publish_step(double room_rate, double seconds);
  boost::asio::awaitable<void> sleep_for(double seconds);
  void start_connections();
  int room_of(const Client& client) const;
  nlohmann::ordered_json server_sample() const;

  boost::asio::io_context& ctx_;
  Options options_;
  Target target_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::string> room_names_;
  std::vector<std::uint64_t> room_members_;  // joined and alive, per room
  std::vector<Publisher> publishers_;

  std::size_t next_to_connect_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t connected_ = 0;
  std::size_t joined_ = 0;
  std::size_t connect_failed_ = 0;  // never got through the handshake
  std::size_t dropped_ = 0;         // connected, then lost
  std::uint64_t last_connected_ns_ = 0;
  Histogram connect_latency_;
  StepStats step_;
  std::map<std::string, std::uint64_t> errors_;
  std::map<std::string, std::uint64_t> error_events_;  // what the server said, by message
  double rooms_created_seconds_ = 0;
  nlohmann::ordered_json report_;
};

}  // namespace sio::bench
