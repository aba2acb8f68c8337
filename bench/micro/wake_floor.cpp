// The floor under the cluster benchmark's receiver CPU: what a process that does nothing else pays
// on this machine to wake up for a burst on one loopback TCP connection, read it, and write it to
// another (whose reader it wakes in turn). A relaying server pays that much per wake-up before any
// work of its own; divided by the messages of a burst it is the least CPU per message possible.
//
//   build/bin/sio-wake-floor [--messages 40] [--bytes 150] [--bursts 400] [--interval-ms 20]
//
// The relay is a child process (so that its CPU time is its own, from /proc/<pid>/schedstat); the
// parent sends the bursts and drains the other connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct Options {
  int messages = 40;
  int bytes = 150;
  int bursts = 400;
  int interval_ms = 20;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (name == "--messages") options.messages = value;
    if (name == "--bytes") options.bytes = value;
    if (name == "--bursts") options.bursts = value;
    if (name == "--interval-ms") options.interval_ms = value;
  }
  return options;
}

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int listen_on_any_port(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto address = loopback(0);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(fd, 1);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  port = ntohs(address.sin_port);
  return fd;
}

void no_delay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int dial(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto address = loopback(port);
  ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  no_delay(fd);
  return fd;
}

// Waits (edge-triggered epoll), reads what came, writes it on: until the sender closes.
[[noreturn]] void relay(int in, int out) {
  const int poll = ::epoll_create1(0);
  epoll_event interest{};
  interest.events = EPOLLIN | EPOLLET;
  ::epoll_ctl(poll, EPOLL_CTL_ADD, in, &interest);
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    epoll_event ready[4];
    ::epoll_wait(poll, ready, 4, -1);
    for (;;) {
      const ssize_t n = ::recv(in, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0) std::_Exit(0);
      if (n < 0) break;
      ::send(out, buffer.data(), static_cast<std::size_t>(n), 0);
    }
  }
}

double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/schedstat");
  unsigned long long ns = 0;
  stat >> ns;
  return static_cast<double>(ns) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  int in_port = 0;
  int out_port = 0;
  const int in_listener = listen_on_any_port(in_port);
  const int out_listener = listen_on_any_port(out_port);
  const pid_t child = ::fork();
  if (child == 0) {
    const int in = ::accept(in_listener, nullptr, nullptr);
    const int out = ::accept(out_listener, nullptr, nullptr);
    no_delay(out);
    relay(in, out);
  }
  const int sender = dial(in_port);
  const int receiver = dial(out_port);
  std::thread drain([receiver] {
    std::vector<char> buffer(64 * 1024);
    while (::read(receiver, buffer.data(), buffer.size()) > 0) {
    }
  });
  const std::string burst(static_cast<std::size_t>(options.messages * options.bytes), 'x');
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double before = cpu_seconds(child);
  for (int i = 0; i < options.bursts; ++i) {
    if (::write(sender, burst.data(), burst.size()) < 0) return 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(options.interval_ms));
  }
  const double spent = cpu_seconds(child) - before;
  ::close(sender);
  ::waitpid(child, nullptr, 0);
  ::shutdown(receiver, SHUT_RDWR);
  drain.join();
  const double per_wake_us = spent * 1e6 / options.bursts;
  std::printf(
      "bursts of %d messages of %d bytes, every %d ms: %.1f µs per wake-up, %.2f µs per message\n",
      options.messages, options.bytes, options.interval_ms, per_wake_us,
      per_wake_us / options.messages);
  return 0;
}
