#pragma once
// Engine.IO over a WebSocket, framed by hand (RFC 6455, client side): the reader takes whatever
// the socket has and walks every complete frame in it, so a busy connection costs one read for
// many messages, and writes made while one is in flight are coalesced into the next.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loadgen/transport.hpp"

namespace sio::bench {

class WebSocketTransport : public Transport,
                           public std::enable_shared_from_this<WebSocketTransport> {
 public:
  WebSocketTransport(boost::asio::io_context& ctx, const Target& target, PacketSink& sink);

  void start(std::optional<boost::asio::ip::address> source) override;
  void send(std::string_view packet) override;
  void close() override;

 private:
  enum Opcode : unsigned char {
    kContinuation = 0,
    kText = 1,
    kBinary = 2,
    kClose = 8,
    kPing = 9,
    kPong = 10
  };

  void on_connect(const boost::system::error_code& ec);
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  // Consumes the HTTP 101 answer; false while it is incomplete.
  bool take_handshake();
  void take_frames();
  void handle_frame(unsigned char opcode, bool fin, std::string_view payload);
  void write_frame(unsigned char opcode, std::string_view payload);
  void flush();
  void fail(std::string_view reason);

  boost::asio::ip::tcp::socket socket_;
  const Target& target_;
  PacketSink* sink_;
  bool upgraded_ = false;
  bool closed_ = false;

  std::vector<char> in_;
  std::size_t in_used_ = 0;
  std::string fragments_;
  unsigned char fragment_opcode_ = kText;

  std::string out_;      // being written
  std::string pending_;  // queued behind it
  bool writing_ = false;
  std::uint32_t mask_seed_;
};

}  // namespace sio::bench
