#include "loadgen/client.hpp"

#include <charconv>
#include <chrono>

#include "loadgen/polling_transport.hpp"
#include "loadgen/websocket_transport.hpp"

namespace sio::bench {

namespace {

constexpr std::string_view kJoinAck = "1[";  // our one ack id, then the arguments
constexpr std::string_view kMessageEvent = R"(2["message",)";
constexpr std::string_view kErrorEvent = R"(2["error",)";
constexpr std::string_view kContentKey = R"("content":")";

// Reads a decimal number at `text[pos]`, moving pos past it and one separator.
bool read_number(std::string_view text, std::size_t& pos, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), out);
  if (ec != std::errc()) return false;
  pos = static_cast<std::size_t>(end - text.data()) + 1;
  return true;
}

}  // namespace

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

Client::Client(ClientObserver& observer, std::uint32_t index, std::string token)
    : observer_(observer), index_(index), token_(std::move(token)) {}

Client::~Client() {
  if (transport_) transport_->close();
}

void Client::connect(boost::asio::io_context& ctx, const Target& target,
                     std::optional<boost::asio::ip::address> source, bool polling) {
  polling_ = polling;
  state_ = State::connecting;
  connect_started_ns_ = now_ns();
  if (polling)
    transport_ = std::make_shared<PollingTransport>(ctx, target, *this);
  else
    transport_ = std::make_shared<WebSocketTransport>(ctx, target, *this);
  transport_->start(source);
}

void Client::join(std::string room) {
  room_ = std::move(room);
  transport_->send(std::string(R"(421["join-room",")") + room_ + "\"]");
}

void Client::publish(std::uint64_t seq, std::uint32_t publisher) {
  auto& p = scratch_;
  p.assign(R"(42["message",{"roomId":")");
  p += room_;
  p += R"(","content":")";
  char digits[64];
  auto append_number = [&](std::uint64_t value) {
    auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    p.append(digits, end);
  };
  append_number(now_ns());
  p += '|';
  append_number(seq);
  p += '|';
  append_number(publisher);
  p += "\"}]";
  transport_->send(p);
}

void Client::close() {
  if (state_ == State::closed || state_ == State::failed) return;
  state_ = State::closed;
  if (transport_) transport_->close();
}

bool Client::note_sequence(std::uint32_t publisher, std::uint64_t seq) {
  for (auto& [id, last] : last_seq_) {
    if (id != publisher) continue;
    if (seq <= last) return false;
    last = seq;
    return true;
  }
  last_seq_.emplace_back(publisher, seq);
  return true;
}

void Client::on_packet(std::string_view packet) {
  if (packet.empty()) return;
  switch (packet[0]) {
    case '0':  // Engine.IO open: join the main namespace with our token
      transport_->send(R"(40{"token":")" + token_ + "\"}");
      break;
    case '2':  // ping
      transport_->send("3");
      break;
    case '4':
      on_socketio_packet(packet.substr(1));
      break;
    case '1':
      fail("server closed the session");
      break;
    default:  // noop, pong
      break;
  }
}

void Client::on_socketio_packet(std::string_view packet) {
  if (packet.empty()) return;
  switch (packet[0]) {
    case '2': {  // EVENT: the hot path
      if (packet.substr(0, kMessageEvent.size()) != kMessageEvent) {
        if (packet.substr(0, kErrorEvent.size()) == kErrorEvent && packet.back() == ']') {
          const auto message = packet.substr(kErrorEvent.size());
          observer_.on_error_event(*this, message.substr(0, message.size() - 1));
        }
        return;
      }
      auto pos = packet.find(kContentKey);
      if (pos == std::string_view::npos) return;
      pos += kContentKey.size();
      std::uint64_t sent = 0, seq = 0, publisher = 0;
      if (!read_number(packet, pos, sent) || !read_number(packet, pos, seq) ||
          !read_number(packet, pos, publisher)) {
        return fail("unparsable message content");
      }
      observer_.on_delivery(*this, sent, seq, static_cast<std::uint32_t>(publisher));
      break;
    }
    case '0':  // CONNECT accepted
      if (state_ != State::connecting) return;
      state_ = State::connected;
      was_connected_ = true;
      observer_.on_connected(*this);
      break;
    case '3': {  // ACK: only join-room asks for one
      if (packet.substr(1, kJoinAck.size()) != kJoinAck) return;
      if (packet.find(R"("ok":true)") == std::string_view::npos) return fail("join-room refused");
      if (state_ != State::connected) return;
      state_ = State::joined;
      was_joined_ = true;
      observer_.on_joined(*this);
      break;
    }
    case '4':  // CONNECT_ERROR
      fail("connect_error " + std::string(packet.substr(1)));
      break;
    case '1':
      fail("disconnected by the server");
      break;
    default:
      break;
  }
}

void Client::on_closed(std::string_view reason) {
  fail(reason);
}

void Client::fail(std::string_view reason) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  if (transport_) transport_->close();
  observer_.on_failed(*this, reason);
}

}  // namespace sio::bench
