#pragma once
// An Engine.IO transport as the load generator sees it: it carries text packets both ways and
// tells its sink each packet that arrives ("0{...}", "2", "42[...]"…) and, once, that it closed.
// WebSocket and HTTP long-polling implement it.

#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sio::bench {

struct Target {
  boost::asio::ip::tcp::endpoint server;
  std::string host_header;  // "127.0.0.1:3000"
  std::string path = "/socket.io/";
};

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(std::string_view packet) = 0;
  virtual void on_closed(std::string_view reason) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Connects from `source` (a loopback address: many of them give more ephemeral ports).
  virtual void start(std::optional<boost::asio::ip::address> source) = 0;
  virtual void send(std::string_view packet) = 0;
  // Closes without telling the sink.
  virtual void close() = 0;
};

// Opens a TCP socket bound to `source` with the port chosen at connect time, so that one source
// address can reach many servers and ports are not exhausted by bind().
void bind_source(boost::asio::ip::tcp::socket& socket,
                 const std::optional<boost::asio::ip::address>& source);

}  // namespace sio::bench
