#include "loadgen/websocket_transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

namespace sio::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::size_t kInitialBuffer = 4096;
constexpr std::size_t kMaxBuffer = 256 * 1024;

}  // namespace

WebSocketTransport::WebSocketTransport(asio::io_context& ctx, const Target& target,
                                       PacketSink& sink)
    : socket_(ctx), target_(target), sink_(&sink), in_(kInitialBuffer) {
  mask_seed_ = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(this) >> 4) | 1;
}

void WebSocketTransport::start(std::optional<asio::ip::address> source) {
  boost::system::error_code ec;
  try {
    bind_source(socket_, source);
  } catch (const boost::system::system_error& e) {
    ec = e.code();
  }
  if (ec) {
    auto self = shared_from_this();
    return asio::post(socket_.get_executor(), [self, ec] { self->on_connect(ec); });
  }
  socket_.async_connect(
      target_.server,
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_connect(ec); });
}

void WebSocketTransport::on_connect(const boost::system::error_code& ec) {
  if (closed_) return;
  if (ec) return fail("connect: " + ec.message());
  socket_.set_option(tcp::no_delay(true));
  // The key is fixed: we do not check the server's answer to it, only the 101.
  pending_ = "GET " + target_.path +
             "?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + target_.host_header +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  flush();
  read();
}

void WebSocketTransport::read() {
  if (in_used_ == in_.size()) in_.resize(std::min(in_.size() * 2, kMaxBuffer * 64));
  socket_.async_read_some(asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t n) { self->on_read(ec, n); });
}

void WebSocketTransport::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (closed_) return;
  if (ec)
    return fail(ec == asio::error::eof ? "server closed the connection" : "read: " + ec.message());
  in_used_ += bytes;
  // A busy connection fills its buffer: a bigger one means fewer reads.
  const bool filled = in_used_ == in_.size();
  if (!upgraded_ && !take_handshake()) return read();
  take_frames();
  if (closed_) return;
  if (filled && in_.size() < kMaxBuffer) in_.resize(in_.size() * 2);
  read();
}

bool WebSocketTransport::take_handshake() {
  const std::string_view text(in_.data(), in_used_);
  const auto end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in_used_ > 8192) fail("handshake: answer too long");
    return false;
  }
  if (text.substr(0, 12) != "HTTP/1.1 101") {
    const auto line = text.substr(0, text.find("\r\n"));
    fail("handshake: " + std::string(line));
    return false;
  }
  upgraded_ = true;
  const auto consumed = end + 4;
  std::memmove(in_.data(), in_.data() + consumed, in_used_ - consumed);
  in_used_ -= consumed;
  return true;
}

void WebSocketTransport::take_frames() {
  std::size_t pos = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(in_.data());
  while (!closed_) {
    const std::size_t available = in_used_ - pos;
    if (available < 2) break;
    const unsigned char b0 = data[pos], b1 = data[pos + 1];
    std::size_t header = 2;
    std::uint64_t length = b1 & 0x7F;
    if (length == 126) {
      if (available < 4) break;
      length = (std::uint64_t{data[pos + 2]} << 8) | data[pos + 3];
      header = 4;
    } else if (length == 127) {
      if (available < 10) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | data[pos + 2 + i];
      header = 10;
    }
    const bool masked = b1 & 0x80;
    if (masked) header += 4;
    if (length > kMaxBuffer * 32) return fail("frame too large");
    if (available < header + length) {
      // Make room for the whole frame; what is consumed moves to the front below.
      if (header + length > in_.size()) in_.resize(header + length);
      data = reinterpret_cast<const unsigned char*>(in_.data());
      break;
    }
    char* payload = in_.data() + pos + header;
    if (masked) {
      const unsigned char* key = data + pos + header - 4;
      for (std::uint64_t i = 0; i < length; ++i)
        payload[i] = static_cast<char>(payload[i] ^ key[i & 3]);
    }
    handle_frame(b0 & 0x0F, b0 & 0x80, std::string_view(payload, length));
    pos += header + length;
  }
  if (closed_) return;
  std::memmove(in_.data(), in_.data() + pos, in_used_ - pos);
  in_used_ -= pos;
}

void WebSocketTransport::handle_frame(unsigned char opcode, bool fin, std::string_view payload) {
  switch (opcode) {
    case kText:
    case kBinary:
      if (fin) {
        if (sink_) sink_->on_packet(payload);
      } else {
        fragment_opcode_ = opcode;
        fragments_.assign(payload);
      }
      break;
    case kContinuation:
      fragments_.append(payload);
      if (fin) {
        if (sink_) sink_->on_packet(fragments_);
        fragments_.clear();
      }
      break;
    case kPing:
      write_frame(kPong, payload);
      flush();
      break;
    case kClose:
      fail("server sent a WebSocket close");
      break;
    default:
      break;
  }
}

void WebSocketTransport::send(std::string_view packet) {
  if (closed_) return;
  write_frame(kText, packet);
  flush();
}

void WebSocketTransport::write_frame(unsigned char opcode, std::string_view payload) {
  char header[14];
  std::size_t n = 0;
  header[n++] = static_cast<char>(0x80 | opcode);
  if (payload.size() < 126) {
    header[n++] = static_cast<char>(0x80 | payload.size());
  } else if (payload.size() < 65536) {
    header[n++] = static_cast<char>(0x80 | 126);
    header[n++] = static_cast<char>(payload.size() >> 8);
    header[n++] = static_cast<char>(payload.size() & 0xFF);
  } else {
    header[n++] = static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      header[n++] = static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  // xorshift: clients must mask, and the key need not be strong for a benchmark.
  mask_seed_ ^= mask_seed_ << 13;
  mask_seed_ ^= mask_seed_ >> 17;
  mask_seed_ ^= mask_seed_ << 5;
  unsigned char key[4];
  std::memcpy(key, &mask_seed_, 4);
  std::memcpy(header + n, key, 4);
  n += 4;
  pending_.append(header, n);
  const auto start = pending_.size();
  pending_.append(payload);
  for (std::size_t i = 0; i < payload.size(); ++i)
    pending_[start + i] = static_cast<char>(pending_[start + i] ^ key[i & 3]);
}

void WebSocketTransport::flush() {
  if (writing_ || pending_.empty() || closed_) return;
  writing_ = true;
  out_.swap(pending_);
  pending_.clear();
  asio::async_write(socket_, asio::buffer(out_),
                    [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                      self->writing_ = false;
                      self->out_.clear();
                      if (self->closed_) return;
                      if (ec) return self->fail("write: " + ec.message());
                      self->flush();
                    });
}

void WebSocketTransport::close() {
  if (closed_) return;
  closed_ = true;
  sink_ = nullptr;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void WebSocketTransport::fail(std::string_view reason) {
  if (closed_) return;
  auto* sink = sink_;
  close();
  if (sink) sink->on_closed(reason);
}

}  // namespace sio::bench
