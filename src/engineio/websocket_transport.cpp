#include "engineio/websocket_transport.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

#include "engineio/base64.hpp"
#include "engineio/packet.hpp"
#include "engineio/payload_v3.hpp"
#include "engineio/session.hpp"
#include "engineio/utf8.hpp"
#include "engineio/websocket_handshake.hpp"

namespace sio::engineio {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// Reads per wake-up before yielding to other connections (a flooding client cannot starve them).
constexpr int kReadsPerTurn = 16;
// Buffers per sendmsg: a header and a payload per frame.
constexpr std::size_t kMaxIovecs = 128;
// How long closing may take: the queue draining, our close frame, the peer's answer.
constexpr std::chrono::seconds kCloseTimeout{5};
// A queue that grew under a burst gives its memory back once drained.
constexpr std::size_t kKeepQueueCapacity = 64;

// One read buffer per thread, shared by every connection it serves: a connection only owns
// bytes while a frame is incomplete.
char* read_buffer() {
  thread_local std::unique_ptr<char[]> buffer(new char[kReadChunk]);
  return buffer.get();
}

std::string close_payload(uint16_t code) {
  return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

}  // namespace

WebSocketTransport::WebSocketTransport(tcp::socket socket, const ServerOptions& options,
                                       int protocol)
    : socket_(std::move(socket)),
      reader_(options.max_payload),
      options_(options),
      v3_(protocol == 3) {}

std::pair<std::string_view, std::string_view> WebSocketTransport::wire_parts(
    const Frame& frame) const {
  if (v3_) return {frame.websocket_v3_header(), frame.websocket_v3_bytes()};
  if (deflate_ && frame.is_data_frame() &&
      frame.websocket_bytes().size() >= options_.per_message_deflate.threshold) {
    return {frame.websocket_deflated_header(), frame.websocket_deflated_bytes()};
  }
  return {frame.websocket_header(), frame.websocket_bytes()};
}

void WebSocketTransport::accept(const http::Request& request, std::function<void()> on_open) {
  // Engine.IO v3 connections go without compression (their binary messages carry a type byte).
  auto handshake =
      answer_websocket_handshake(request, options_.per_message_deflate.enabled && !v3_);
  if (handshake.deflate) {
    deflate_ = true;
    reader_.enable_deflate();
  }
  auto response = std::make_shared<std::string>(std::move(handshake.response));
  asio::async_write(socket_, asio::buffer(*response),
                    [self = shared_from_this(), response, accepted = handshake.accepted,
                     on_open = std::move(on_open)](boost::system::error_code ec, std::size_t) {
                      if (ec || !accepted) return self->connection_lost(CloseReason::transport_error);
                      on_open();
                    });
}

void WebSocketTransport::attach(std::weak_ptr<Session> session) {
  session_ = std::move(session);
  wait_readable();
}

void WebSocketTransport::upgrade(const std::shared_ptr<Session>& session) {
  attach(session);
  offer_upgrade(*session, shared_from_this());
}

// --- reading ---

void WebSocketTransport::wait_readable() {
  if (closed_ || reading_) return;
  reading_ = true;
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       self->reading_ = false;
                       self->on_readable(ec);
                     });
}

void WebSocketTransport::on_readable(boost::system::error_code ec) {
  if (closed_) return;
  if (ec) return connection_lost(CloseReason::transport_close);
  read_available();
}

// Reads until the socket has nothing more (the reactor is edge-triggered: a wait completes only
// for new bytes) or the per-turn budget is spent.
void WebSocketTransport::read_available() {
  char* buffer = read_buffer();
  const int fd = socket_.native_handle();
  for (int i = 0; i < kReadsPerTurn; ++i) {
    const ssize_t n = ::recv(fd, buffer, kReadChunk, MSG_DONTWAIT);
    if (n > 0) {
      const uint16_t violation = reader_.consume(buffer, static_cast<std::size_t>(n), *this);
      if (closed_) return;
      if (violation) return fail(violation, CloseReason::transport_error);
      continue;
    }
    if (n == 0) {
      // The peer is gone. After our close frame this is the normal end.
      return connection_lost(CloseReason::transport_close);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_readable();
    return connection_lost(CloseReason::transport_close);
  }
  reading_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->reading_ = false;
    if (!self->closed_) self->read_available();
  });
}

bool WebSocketTransport::on_message(std::string_view data, bool binary) {
  if (closing_) return true;  // what arrives after we began closing is dropped
  auto session = session_.lock();
  if (!session) return false;
  if (binary && v3_) {
    // v3: the packet type byte, then the bytes.
    if (auto packet = decode_binary_packet_v3(data)) {
      deliver_packet(*session, packet->type, packet->data, true);
    } else {
      start_closing(1007);
      report(CloseReason::parse_error);
    }
  } else if (binary) {
    // Binary frames are always message packets in v4.
    deliver_packet(*session, PacketType::message, data, true);
  } else if (v3_ && data.size() >= 2 && data[0] == 'b') {
    // A v3 client forced to base64 sends binary as "b4<base64>" text.
    auto bytes = data[1] == '4' ? base64_decode(data.substr(2)) : std::nullopt;
    if (bytes) {
      deliver_packet(*session, PacketType::message, *bytes, true);
    } else {
      start_closing(1007);
      report(CloseReason::parse_error);
    }
  } else if (!is_valid_utf8(data)) {
    // A text frame that is not UTF-8 breaks the WebSocket protocol itself (1007).
    fail(1007, CloseReason::transport_error);
  } else if (auto packet = decode_text_packet(data)) {
    deliver_packet(*session, packet->type, packet->data, false);
  } else {
    // Not an Engine.IO packet.
    start_closing(1007);
    report(CloseReason::parse_error);
  }
  return !closed_;
}

bool WebSocketTransport::on_control(WsOpcode opcode, std::string_view payload) {
  switch (opcode) {
    case WsOpcode::ping:
      if (!closing_) {
        enqueue(Frame::websocket_control(WsOpcode::pong, std::string(payload)));
        schedule_flush();
      }
      return true;
    case WsOpcode::close: {
      if (close_frame_sent_) {
        close_socket();
        return false;
      }
      // The client closes: answer with its code once what is queued is out, then close.
      peer_closed_ = true;
      report(CloseReason::transport_close);
      const uint16_t code = payload.size() >= 2
                                ? static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                                        static_cast<uint8_t>(payload[1]))
                                : 1000;
      start_closing(code);
      return false;
    }
    default:
      return true;
  }
}

// --- writing ---

void WebSocketTransport::send(std::vector<FramePtr>& frames) {
  if (closing_ || closed_) {
    frames.clear();
    return;
  }
  for (auto& frame : frames) enqueue(std::move(frame));
  frames.clear();
  schedule_flush();
}

void WebSocketTransport::enqueue(FramePtr frame) {
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
}

// Packets queued during this turn of the loop leave together, after it.
void WebSocketTransport::schedule_flush() {
  if (flush_scheduled_ || waiting_writable_ || closed_) return;
  flush_scheduled_ = true;
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void WebSocketTransport::flush() {
  if (closed_) return;
  const int fd = socket_.native_handle();
  while (head_ < queue_.size()) {
    std::array<iovec, kMaxIovecs> iov;
    std::size_t count = 0;
    std::size_t requested = 0;
    std::size_t skip = head_written_;
    for (std::size_t i = head_; i < queue_.size() && count + 2 <= kMaxIovecs; ++i) {
      const auto [header, bytes] = wire_parts(*queue_[i]);
      for (auto part : {header, bytes}) {
        if (skip >= part.size()) {
          skip -= part.size();
          continue;
        }
        part.remove_prefix(skip);
        skip = 0;
        iov[count++] = {const_cast<char*>(part.data()), part.size()};
        requested += part.size();
      }
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_writable();
      return connection_lost(CloseReason::transport_close);
    }
    // Retire what went out.
    auto left = static_cast<std::size_t>(n);
    while (left > 0) {
      const auto& frame = queue_[head_];
      const auto [header, bytes] = wire_parts(*frame);
      const std::size_t remaining = header.size() + bytes.size() - head_written_;
      if (left < remaining) {
        head_written_ += left;
        break;
      }
      left -= remaining;
      queued_bytes_ -= frame->size();
      queue_[head_].reset();
      ++head_;
      head_written_ = 0;
    }
    if (static_cast<std::size_t>(n) < requested) return wait_writable();
  }
  queue_.clear();
  head_ = 0;
  if (queue_.capacity() > kKeepQueueCapacity) std::vector<FramePtr>().swap(queue_);
  if (close_frame_queued_ && !close_frame_sent_) after_close_frame_sent();
}

// Called from inside Session::send: a failed write must not end the session under its caller.
void WebSocketTransport::write_now() {
  if (waiting_writable_ || closed_) return;
  deferring_reports_ = true;
  flush();
  deferring_reports_ = false;
}

void WebSocketTransport::wait_writable() {
  // Frames already written are let go while the peer catches up.
  if (head_ >= kKeepQueueCapacity && head_ * 2 >= queue_.size()) {
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  waiting_writable_ = true;
  socket_.async_wait(tcp::socket::wait_write,
                     [self = shared_from_this()](boost::system::error_code ec) {
                       self->waiting_writable_ = false;
                       if (self->closed_) return;
                       if (ec) return self->connection_lost(CloseReason::transport_close);
                       self->flush();
                     });
}

// --- ending ---

void WebSocketTransport::close(bool) {
  reported_ = true;  // the session asked: it needs no news of the end
  if (closed_) return;
  start_closing(1000);
}

// The queue is dropped (but a frame half written is finished, or the stream would be corrupt);
// the close frame says why: 1008, policy violation.
void WebSocketTransport::abort_queue() {
  reported_ = true;
  if (closed_) return;
  const std::size_t keep = head_written_ > 0 ? head_ + 1 : head_;
  for (std::size_t i = keep; i < queue_.size(); ++i) queued_bytes_ -= queue_[i]->size();
  queue_.resize(keep);
  start_closing(1008);
}

void WebSocketTransport::fail(uint16_t close_code, CloseReason reason) {
  start_closing(close_code);  // first: the session's own close would pick 1000
  report(reason);
}

void WebSocketTransport::connection_lost(CloseReason reason) {
  report(reason);
  close_socket();
}

void WebSocketTransport::start_closing(uint16_t close_code) {
  if (closed_ || close_frame_queued_) return;
  closing_ = true;
  close_frame_queued_ = true;
  enqueue(Frame::websocket_control(WsOpcode::close, close_payload(close_code)));
  schedule_flush();
  // Closing is bounded in time: a peer that reads nothing cannot keep the socket (and its
  // queue) alive.
  linger_timer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), kCloseTimeout);
  linger_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->close_socket();
  });
}

void WebSocketTransport::after_close_frame_sent() {
  close_frame_sent_ = true;
  if (peer_closed_) return close_socket();
  // Wait for the peer's close frame (or its end of the stream), under the close timeout.
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  wait_readable();
}

void WebSocketTransport::close_socket() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  if (linger_timer_) linger_timer_->cancel();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  queue_.clear();
  head_ = 0;
  head_written_ = 0;
  queued_bytes_ = 0;
}

void WebSocketTransport::report(CloseReason reason) {
  if (reported_) return;
  if (deferring_reports_) {
    asio::post(socket_.get_executor(),
               [self = shared_from_this(), reason] { self->report(reason); });
    return;
  }
  reported_ = true;
  if (auto session = session_.lock()) report_closed(*session, reason);
}

}  // namespace sio::engineio
