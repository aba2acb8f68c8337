#pragma once
// The WebSocket transport (Beast): one packet per frame, text or binary. Reads in a loop and
// passes each frame to the session without copying; writes from a queue, one write in flight at
// a time, in order.

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>

#include "engineio/http_request.hpp"
#include "engineio/options.hpp"
#include "engineio/transport.hpp"

namespace sio::engineio {

class Session;

class WebSocketTransport : public Transport,
                           public std::enable_shared_from_this<WebSocketTransport> {
 public:
  using Stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  WebSocketTransport(boost::beast::tcp_stream stream, const ServerOptions& options);

  // Completes the WebSocket handshake for `request`; `on_open` runs once it succeeded.
  void accept(const Request& request, std::function<void()> on_open);

  // Starts delivering frames to `session`.
  void attach(std::weak_ptr<Session> session);

  std::string_view name() const override { return "websocket"; }
  bool writable() const override { return !closing_; }
  void send(std::vector<FramePtr> frames) override;
  std::size_t buffered_bytes() const override { return queued_bytes_; }
  void close(bool client_initiated) override;

 private:
  void read();
  void on_read(boost::beast::error_code ec);
  void write_next();
  void on_write(boost::beast::error_code ec);
  void close_now();
  void report_closed(boost::beast::error_code ec);

  Stream ws_;
  boost::beast::flat_buffer buffer_;
  std::weak_ptr<Session> session_;
  std::deque<FramePtr> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // close requested; the close frame follows the queue
  bool closed_ = false;   // the close frame went out or the socket is gone
};

}  // namespace sio::engineio
