// sio-bench-stub: the cheapest server the load generator's WebSocket scenarios can run against,
// for checking that the load generator is not what limits a benchmark. It speaks just enough
// Engine.IO/Socket.IO: the open packet, CONNECT (no token check), `join-room` with its ack, and
// `message`, whose packet it relays unchanged to the room: framed once, appended to each
// member's buffer, one write in flight per connection (so a busy member gets many messages per
// system call). No heartbeat, no polling, no validation: not a server, a yardstick.
//
//   build/bin/sio-bench-stub --port 3000

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string frame(std::string_view payload) {
  std::string out;
  out += static_cast<char>(0x81);
  if (payload.size() < 126) {
    out += static_cast<char>(payload.size());
  } else if (payload.size() < 65536) {
    out += static_cast<char>(126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  out += payload;
  return out;
}

class Connection;
using Rooms = std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>>;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Rooms& rooms)
      : socket_(std::move(socket)), rooms_(rooms), in_(8192) {}

  void start() { read(); }

  void queue(std::string_view bytes) {
    pending_.append(bytes);
    flush();
  }

 private:
  void read() {
    if (used_ == in_.size()) in_.resize(in_.size() * 2);
    socket_.async_read_some(
        asio::buffer(in_.data() + used_, in_.size() - used_),
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec) return self->drop();
          self->used_ += n;
          self->consume();
          if (!self->dropped_) self->read();
        });
  }

  void consume() {
    std::size_t pos = 0;
    if (!upgraded_) {
      const std::string_view text(in_.data(), used_);
      const auto end = text.find("\r\n\r\n");
      if (end == std::string_view::npos) return;
      upgraded_ = true;
      pos = end + 4;
      // The load generator sends a fixed key and does not check the answer.
      pending_ +=
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
      pending_ += frame(
          R"(0{"sid":"stub","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
      flush();
    }
    auto* data = reinterpret_cast<unsigned char*>(in_.data());
    while (used_ - pos >= 6) {
      std::size_t header = 2;
      std::size_t length = data[pos + 1] & 0x7F;
      if (length == 126) {
        length = (std::size_t{data[pos + 2]} << 8) | data[pos + 3];
        header = 4;
      } else if (length == 127) {
        return drop();  // nobody sends us that much
      }
      header += 4;  // client frames are masked
      if (used_ - pos < header + length) break;
      const auto* key = data + pos + header - 4;
      auto* payload = in_.data() + pos + header;
      for (std::size_t i = 0; i < length; ++i)
        payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
      if ((data[pos] & 0x0F) == 8) return drop();
      handle(std::string_view(payload, length));
      pos += header + length;
    }
    std::memmove(in_.data(), in_.data() + pos, used_ - pos);
    used_ -= pos;
    if (used_ + 1024 > in_.size()) in_.resize(in_.size() * 2);
  }

  void handle(std::string_view packet) {
    if (packet.starts_with("40")) {
      queue(frame(R"(40{"sid":"stub"})"));
    } else if (packet.starts_with(R"(421["join-room",")")) {
      auto room = packet.substr(17);
      room = room.substr(0, room.find('"'));
      rooms_[std::string(room)].push_back(shared_from_this());
      queue(frame(R"(431[{"ok":true}])"));
    } else if (packet.starts_with(R"(42["message",{"roomId":")")) {
      auto room = packet.substr(24);
      room = room.substr(0, room.find('"'));
      const auto bytes = frame(packet);
      if (auto it = rooms_.find(std::string(room)); it != rooms_.end()) {
        for (auto& member : it->second) member->queue(bytes);
      }
    }
  }

  void flush() {
    if (writing_ || pending_.empty() || dropped_) return;
    writing_ = true;
    out_.swap(pending_);
    pending_.clear();
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->out_.clear();
                        if (ec) return self->drop();
                        self->flush();
                      });
  }

  void drop() {
    if (dropped_) return;
    dropped_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    // Room membership keeps the connection alive until the stub exits; it is a yardstick.
  }

  tcp::socket socket_;
  Rooms& rooms_;
  std::vector<char> in_;
  std::size_t used_ = 0;
  bool upgraded_ = false;
  bool dropped_ = false;
  std::string out_, pending_;
  bool writing_ = false;
};

void accept(tcp::acceptor& acceptor, Rooms& rooms) {
  acceptor.async_accept([&acceptor, &rooms](boost::system::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true));
      std::make_shared<Connection>(std::move(socket), rooms)->start();
    }
    accept(acceptor, rooms);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  unsigned short port = 3000;
  CLI::App app{"sio-bench-stub: a yardstick broadcast server for checking sio-loadgen"};
  app.add_option("--host", host, "Address to listen on");
  app.add_option("--port", port, "Port (0: any free one)");
  CLI11_PARSE(app, argc, argv);

  asio::io_context ctx{1};
  tcp::acceptor acceptor(ctx, {asio::ip::make_address(host), port});
  Rooms rooms;
  accept(acceptor, rooms);
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { ctx.stop(); });
  std::printf("listening on port %u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  ctx.run();
}
