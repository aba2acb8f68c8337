#include "engineio/websocket_transport.hpp"

#include "engineio/packet.hpp"
#include "engineio/session.hpp"

namespace sio::engineio {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

WebSocketTransport::WebSocketTransport(beast::tcp_stream stream, const ServerOptions& options)
    : ws_(std::move(stream)) {
  websocket::stream_base::timeout timeouts{};
  // Bounds the opening and the closing handshakes; liveness is the heartbeat's job.
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.read_message_max(options.max_payload);
  ws_.auto_fragment(false);
}

void WebSocketTransport::accept(const Request& request, std::function<void()> on_open) {
  ws_.async_accept(request, [self = shared_from_this(), on_open = std::move(on_open)](
                                beast::error_code ec) {
    if (ec) {
      self->closed_ = true;
      return;
    }
    on_open();
  });
}

void WebSocketTransport::attach(std::weak_ptr<Session> session) {
  session_ = std::move(session);
  read();
}

void WebSocketTransport::read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    self->on_read(ec);
  });
}

void WebSocketTransport::on_read(beast::error_code ec) {
  if (ec) return report_closed(ec);
  auto session = session_.lock();
  if (!session || closed_) return;
  const auto data = buffer_.data();
  const std::string_view frame(static_cast<const char*>(data.data()), data.size());
  if (ws_.got_binary()) {
    // Binary frames are always message packets in v4.
    session->handle_packet(*this, PacketType::message, frame, true);
  } else if (auto packet = decode_text_packet(frame)) {
    session->handle_packet(*this, packet->type, packet->data, false);
  } else {
    session->handle_transport_closed(*this, CloseReason::parse_error);
    close(false);
  }
  buffer_.consume(buffer_.size());
  if (!closed_ && !closing_) read();
}

void WebSocketTransport::report_closed(beast::error_code ec) {
  const bool was_closing = closing_ || closed_;
  closed_ = true;
  if (was_closing) return;
  auto session = session_.lock();
  if (!session) return;
  // A clean close or a dropped connection is the client leaving; anything else (invalid UTF-8,
  // oversized frame, protocol violation) is a transport error, as Node's engine.io reports it.
  const bool clean = ec == websocket::error::closed || ec == beast::error::timeout ||
                     ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
                     ec == boost::asio::error::broken_pipe;
  session->handle_transport_closed(*this, clean ? CloseReason::transport_close
                                                : CloseReason::transport_error);
}

void WebSocketTransport::send(std::vector<FramePtr> frames) {
  if (closing_ || closed_) return;
  for (auto& frame : frames) {
    queued_bytes_ += frame->size();
    queue_.push_back(std::move(frame));
  }
  if (!writing_) write_next();
}

void WebSocketTransport::write_next() {
  if (queue_.empty()) {
    if (closing_) close_now();
    return;
  }
  writing_ = true;
  const auto& frame = queue_.front();
  ws_.text(!frame->is_binary());
  auto bytes = frame->websocket_bytes();
  ws_.async_write(boost::asio::buffer(bytes.data(), bytes.size()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->on_write(ec);
                  });
}

void WebSocketTransport::on_write(beast::error_code ec) {
  writing_ = false;
  queued_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (ec) {
    queue_.clear();
    queued_bytes_ = 0;
    return report_closed(ec);
  }
  write_next();
}

void WebSocketTransport::close(bool) {
  if (closing_ || closed_) return;
  closing_ = true;
  if (!writing_) write_next();
}

void WebSocketTransport::close_now() {
  if (closed_) return;
  closed_ = true;
  ws_.async_close(websocket::close_code::normal,
                  [self = shared_from_this()](beast::error_code) {
                    beast::error_code ignored;
                    beast::get_lowest_layer(self->ws_).socket().shutdown(
                        boost::asio::ip::tcp::socket::shutdown_both, ignored);
                    beast::get_lowest_layer(self->ws_).close();
                  });
}

}  // namespace sio::engineio
