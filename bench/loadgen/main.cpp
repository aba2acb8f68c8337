// sio-loadgen: a Socket.IO v5 load generator written for benchmarking servers that do the chat
// recipe (JWT in the CONNECT auth, `join-room` with ack, `message` broadcast to `room:<id>`).
// One thread, one process; it reports its own CPU use so that a run can show it kept up.
//
//   sio-loadgen --port 3000 --clients 1000 --room-size 1000 --room-rate 50
//               --ramp-factor 1.5 --steps 8 --server-pid 1234 > report.json

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "loadgen/scenario.hpp"

int main(int argc, char** argv) {
  sio::bench::Options o;
  std::string output;
  CLI::App app{"sio-loadgen: Socket.IO v5 load generator (WebSocket and long-polling clients)"};
  app.add_option("--label", o.label, "Name of the server under test, copied into the report");
  app.add_option("--host", o.host, "Server address (IPv4)");
  app.add_option("--port", o.port, "Server port")->required();
  app.add_option("--path", o.path, "Socket.IO path");
  app.add_option("--secret", o.secret, "HS256 secret the tokens are signed with");
  app.add_option("--clients", o.clients, "Number of clients")->check(CLI::PositiveNumber);
  app.add_option("--room-size", o.room_size, "Members per room (0: no rooms)");
  app.add_option("--publishers-per-room", o.publishers_per_room, "Publishing members per room")
      ->check(CLI::PositiveNumber);
  app.add_option("--polling-share", o.polling_share, "Fraction of clients on HTTP long-polling")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--connect-concurrency", o.connect_concurrency, "Handshakes in flight at once")
      ->check(CLI::PositiveNumber);
  app.add_option("--source-ips", o.source_ips, "Connect from 127.0.0.1 .. 127.0.0.N")
      ->check(CLI::Range(1, 254));
  app.add_option("--hold", o.hold_seconds, "Idle seconds after joining, then the memory sample");
  app.add_option("--room-rate", o.room_rate, "Messages per second per room (first step)");
  app.add_option("--ramp-factor", o.ramp_factor, "Rate multiplier from one step to the next");
  app.add_option("--steps", o.steps, "Most publishing steps (the ramp stops at the first failure)");
  app.add_option("--step-retries", o.step_retries, "Reruns of a failed step before the ramp ends");
  app.add_option("--step-seconds", o.step_seconds, "Length of a publishing step");
  app.add_option("--warmup", o.warmup_seconds, "Unmeasured publishing before the first step");
  app.add_option("--drain", o.drain_seconds, "Longest wait for a step's last deliveries");
  app.add_option("--p99-limit-ms", o.p99_limit_ms, "A step whose p99 latency exceeds this fails");
  app.add_option("--phase-timeout", o.phase_timeout_seconds, "Longest connect or join phase");
  app.add_option("--server-pid", o.server_pid, "Server process to sample CPU and memory of");
  app.add_flag("--create-rooms", o.create_rooms,
               "Create the rooms first with POST /api/rooms (sio-server keeps rooms in its "
               "database) and use the ids it returns");
  app.add_option("--output", output, "Write the JSON report here instead of stdout");
  CLI11_PARSE(app, argc, argv);
  if (o.room_rate > 0 && o.room_size <= 0) {
    std::fprintf(stderr, "sio-loadgen: --room-rate needs --room-size\n");
    return 2;
  }

  try {
    boost::asio::io_context ctx{1};
    sio::bench::Scenario scenario(ctx, o);
    const auto report = scenario.run().dump(2);
    if (output.empty()) {
      std::cout << report << std::endl;
    } else {
      std::ofstream(output) << report << '\n';
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-loadgen: %s\n", e.what());
    return 1;
  }
  return 0;
}
