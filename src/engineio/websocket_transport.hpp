#pragma once
// The WebSocket transport, written straight on the TCP socket: one packet per frame, text or
// binary.
//
// Writes are coalesced: packets queued during one turn of the event loop leave in one gather
// write (sendmsg) at the end of the turn, each as the shared header + payload of its Frame, so
// a broadcast costs no per-recipient encoding and, under load, one system call carries many
// packets. Reads wait for readability and then read into a buffer shared by every connection of
// the thread, so an idle connection holds no read buffer; only a frame cut by the end of a read
// is kept per connection.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engineio/close_reason.hpp"
#include "http/http_request.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"
#include "engineio/websocket_reader.hpp"

namespace sio::engineio {

class Session;

class WebSocketTransport : public Transport,
                           public std::enable_shared_from_this<WebSocketTransport>,
                           private WebSocketReader::Handler {
 public:
  // `protocol`: the Engine.IO revision of the session (3 prefixes binary messages with their type).
  WebSocketTransport(boost::asio::ip::tcp::socket socket, const ServerOptions& options,
                     int protocol = 4);

  // Answers the opening handshake of `request`; `on_open` runs once the answer is written. A
  // bad handshake gets its HTTP error and the connection closes (reported to the session, when
  // attached already).
  void accept(const http::Request& request, std::function<void()> on_open);

  // Starts delivering messages to `session` (also before accept: the peer speaks only once
  // it has the answer).
  void attach(std::weak_ptr<Session> session);
  // Attaches to `session`, which starts upgrading to this transport.
  void upgrade(const std::shared_ptr<Session>& session);

  TransportKind kind() const override { return TransportKind::websocket; }
  bool writable() const override { return !closing_; }
  void send(std::vector<FramePtr>& frames) override;
  std::size_t buffered_bytes() const override { return queued_bytes_; }
  void close(bool client_initiated) override;
  void abort_queue() override;
  void write_now() override;

 private:
  // Reading.
  void wait_readable();
  void on_readable(boost::system::error_code ec);
  void read_available();
  bool on_message(std::string_view data, bool binary) override;
  bool on_control(WsOpcode opcode, std::string_view payload) override;

  // Writing.
  void enqueue(FramePtr frame);
  void schedule_flush();
  void flush();
  void wait_writable();

  // Ending.
  void fail(uint16_t close_code, CloseReason reason);
  void connection_lost(CloseReason reason);
  void start_closing(uint16_t close_code);
  void after_close_frame_sent();
  void close_socket();
  void report(CloseReason reason);

  // The bytes of `frame` as this connection sends them (v3, deflated, or plain).
  std::pair<std::string_view, std::string_view> wire_parts(const Frame& frame) const;

  boost::asio::ip::tcp::socket socket_;
  WebSocketReader reader_;
  const ServerOptions& options_;
  bool v3_;
  bool deflate_ = false;  // permessage-deflate was negotiated
  std::weak_ptr<Session> session_;

  std::vector<FramePtr> queue_;  // queue_[head_..] still to write
  std::size_t head_ = 0;
  std::size_t head_written_ = 0;  // bytes of queue_[head_] (header + payload) already written
  std::size_t queued_bytes_ = 0;
  std::unique_ptr<boost::asio::steady_timer> linger_timer_;

  bool reading_ = false;          // a read wait (or a posted continuation) is pending
  bool flush_scheduled_ = false;  // a flush is posted for the end of this turn
  bool waiting_writable_ = false;
  bool closing_ = false;  // no more packets; the close frame follows the queue
  bool close_frame_queued_ = false;
  bool close_frame_sent_ = false;
  bool peer_closed_ = false;        // the peer's close frame arrived
  bool reported_ = false;           // the session has been told the transport ended
  bool deferring_reports_ = false;  // inside write_now(): news of the end waits for a handler
  bool closed_ = false;             // the socket is closed
};

}  // namespace sio::engineio
