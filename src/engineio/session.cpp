#include "engineio/session.hpp"

#include <boost/asio/post.hpp>

namespace sio::engineio {

namespace asio = boost::asio;

namespace {

const FramePtr& ping_frame() {
  static const FramePtr frame = Frame::text(PacketType::ping);
  return frame;
}
const FramePtr& noop_frame() {
  static const FramePtr frame = Frame::text(PacketType::noop);
  return frame;
}
const FramePtr& close_frame() {
  static const FramePtr frame = Frame::text(PacketType::close);
  return frame;
}

// How long a closing polling session waits for the GET that carries its close packet.
constexpr std::chrono::seconds kPollingCloseTimeout{30};
// How long a session that ended during a probed upgrade waits for the client to finish it.
constexpr std::chrono::seconds kFarewellTimeout{2};
// How long a polling client's close waits for the GET it may have sent just before.
constexpr std::chrono::milliseconds kPollInFlightGrace{50};

}  // namespace

Session::Session(asio::any_io_executor executor, std::string id, http::HttpRequest request,
                 const ServerOptions& options, FinishedHandler on_finished, Stats* stats)
    : id_(std::move(id)),
      request_(std::make_unique<http::HttpRequest>(std::move(request))),
      protocol_(request_->query_param("EIO") == "4" ? 4 : 3),
      // A v3 client that cannot take binary over polling says so on its handshake only.
      binary_as_base64_(request_->query_param("b64").has_value()),
      options_(options),
      on_finished_(std::move(on_finished)),
      stats_(stats),
      heartbeat_timer_(executor) {
  request_->message.body().clear();
}

const http::HttpRequest& Session::request() const {
  static const http::HttpRequest released;
  return request_ ? *request_ : released;
}

std::string Session::open_packet_json() const {
  const bool can_upgrade = transport_->kind() == TransportKind::polling && options_.allow_websocket;
  return std::string(R"({"sid":")") + id_ + R"(","upgrades":)" +
         (can_upgrade ? R"(["websocket"])" : "[]") +
         R"(,"pingInterval":)" + std::to_string(options_.ping_interval.count()) +
         R"(,"pingTimeout":)" + std::to_string(options_.ping_timeout.count()) +
         R"(,"maxPayload":)" + std::to_string(options_.max_payload) + "}";
}

void Session::open(std::shared_ptr<Transport> transport) {
  transport_ = std::move(transport);
  state_ = State::open;
  send(Frame::text(PacketType::open, open_packet_json()));
  if (protocol_ == 3) {
    await_client_ping();
  } else {
    schedule_ping();
  }
}

void Session::send(FramePtr frame) {
  if (state_ != State::open || dropping_) return;
  auto queued = [this] {
    return buffered_bytes_ + (transport_ ? transport_->buffered_bytes() : 0);
  };
  if (queued() + frame->size() > options_.max_send_buffer && transport_) {
    // Packets of this loop turn are written at its end: a client that reads well may only look
    // behind. Write what the socket takes now, then judge.
    transport_->write_now();
  }
  if (queued() + frame->size() > options_.max_send_buffer) {
    // The peer does not read fast enough; holding more would grow memory without bound. The
    // session ends in a handler of its own: send() is called from deep inside broadcasts, whose
    // callers must not see the session, its client and its sockets go away under them.
    if (stats_) ++stats_->slow_consumer_disconnects;
    dropping_ = true;
    boost::asio::post(heartbeat_timer_.get_executor(), [self = shared_from_this()] {
      self->terminate(CloseReason::send_buffer_full);
    });
    return;
  }
  if (stats_) {
    ++stats_->packets_out;
    stats_->bytes_out += frame->size();
  }
  buffered_bytes_ += frame->size();
  write_buffer_.push_back(std::move(frame));
  if (upgrade_waiter_) notify_upgrade_progress();
  flush();
}

void Session::await_upgrade_progress(std::function<void()> waiter) {
  if (upgrade_waiter_) notify_upgrade_progress();
  upgrade_waiter_ = std::move(waiter);
}

void Session::notify_upgrade_progress() {
  if (auto waiter = std::move(upgrade_waiter_)) {
    upgrade_waiter_ = nullptr;
    boost::asio::post(heartbeat_timer_.get_executor(), std::move(waiter));
  }
}

bool Session::heartbeat_expired() const {
  return state_ != State::closed && std::chrono::steady_clock::now() >= heartbeat_deadline_;
}

bool Session::ready_for_volatile() const {
  // A little backlog on a WebSocket is normal under load; more means the client lags behind.
  constexpr std::size_t kVolatileBacklog = 64 * 1024;
  return state_ == State::open && transport_ && transport_->writable() && !upgrading_transport_ &&
         buffered_bytes_ + transport_->buffered_bytes() < kVolatileBacklog;
}

void Session::send_text(std::string_view text) { send(Frame::text(PacketType::message, text)); }

void Session::send_binary(std::string bytes) { send(Frame::binary(std::move(bytes))); }

void Session::flush() {
  if (state_ == State::closed || !transport_ || !transport_->writable()) return;
  if (write_buffer_.empty()) {
    // A GET held while the client probes a WebSocket is released so the client can pause polling.
    if (upgrading_transport_ && probed_) transport_->send_one(noop_frame());
    return;
  }
  buffered_bytes_ = 0;
  const bool closing = state_ == State::closing;
  const bool carries_close = closing && !close_pending_;
  transport_->send(write_buffer_);
  if (!closing) return;
  // A polling session has now delivered its close packet; a WebSocket (upgraded while closing)
  // writes what it was given before its close frame.
  if (carries_close || transport_->kind() != TransportKind::polling) return terminate(CloseReason::forced_close);
  // What was queued went out: the close packet follows with the next GET (see close()).
  close_pending_ = false;
  write_buffer_.push_back(close_frame());
}

void Session::close() {
  if (state_ != State::open) return;
  if (transport_->kind() == TransportKind::polling) {
    // The close packet goes in a response of its own, after what is already queued, as Node's
    // engine.io sends it: the official client acts on a payload's close packet before it
    // dispatches the payload's messages (socket.io-client does that on the next tick), so a
    // DISCONNECT and a close in one payload would read as "transport close" and it would
    // reconnect.
    state_ = State::closing;
    if (write_buffer_.empty()) {
      write_buffer_.push_back(close_frame());
    } else {
      close_pending_ = true;
    }
    start_timer(close_timer_, kPollingCloseTimeout, &Session::on_polling_close_overdue);
    notify_upgrade_progress();  // a poll held for the upgrade takes the close packet
    flush();
    return;
  }
  flush();
  terminate(CloseReason::forced_close);
}

void Session::terminate(CloseReason reason, bool client_initiated) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  if (stats_) ++stats_->closed[static_cast<std::size_t>(reason)];
  ++heartbeat_generation_;
  heartbeat_timer_.cancel();
  upgrade_timer_.reset();  // destroying a timer cancels its wait
  close_timer_.reset();
  // A client that got the probe's answer has paused polling and will finish the upgrade on the
  // WebSocket before it reads anything again: only there can it learn that the session ended.
  std::shared_ptr<Transport> farewell;
  if (upgrading_transport_ && probed_ && transport_ && transport_->kind() == TransportKind::polling &&
      !transport_->writable()) {
    farewell = std::move(upgrading_transport_);
  } else if (upgrading_transport_) {
    upgrading_transport_->close(false);
  }
  upgrading_transport_.reset();
  if (farewell) say_farewell(std::move(farewell));
  if (transport_) {
    if (reason == CloseReason::send_buffer_full) {
      transport_->abort_queue();
    } else {
      transport_->close(client_initiated);
    }
  }
  write_buffer_.clear();
  buffered_bytes_ = 0;
  notify_upgrade_progress();
  // Keep this alive through the callbacks: the owner drops its reference in on_finished.
  auto self = shared_from_this();
  if (on_finished_) on_finished_(*this);
  if (auto handler = std::move(on_close_)) handler(reason);
  on_message_ = nullptr;
  on_upgrade_ = nullptr;
}

void Session::schedule_ping() {
  heartbeat_deadline_ =
      std::chrono::steady_clock::now() + options_.ping_interval + options_.ping_timeout;
  arm_heartbeat(options_.ping_interval, &Session::on_ping_due);
}

// Re-arming cancels the previous wait; the generation also catches a wait that had already
// completed and is queued to run.
void Session::arm_heartbeat(std::chrono::milliseconds delay, void (Session::*action)()) {
  const auto generation = ++heartbeat_generation_;
  heartbeat_timer_.expires_after(delay);
  heartbeat_timer_.async_wait(
      [weak = weak_from_this(), generation, action](boost::system::error_code ec) {
        if (ec) return;
        auto self = weak.lock();
        if (self && self->heartbeat_generation_ == generation) (self.get()->*action)();
      });
}

void Session::start_timer(std::unique_ptr<boost::asio::steady_timer>& timer,
                          std::chrono::milliseconds delay, void (Session::*action)()) {
  timer = std::make_unique<boost::asio::steady_timer>(heartbeat_timer_.get_executor(), delay);
  timer->async_wait([weak = weak_from_this(), action](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) (self.get()->*action)();
  });
}

void Session::on_polling_close_overdue() { terminate(CloseReason::forced_close); }

void Session::on_pong_overdue() { terminate(CloseReason::ping_timeout); }

void Session::on_ping_due() {
  if (state_ != State::open) return;
  send(ping_frame());
  arm_heartbeat(options_.ping_timeout, &Session::on_pong_overdue);
}

void Session::on_pong() {
  schedule_ping();
}

// In v3 the client pings every ping interval and the server answers; a client silent for the
// interval and the timeout together is gone.
void Session::await_client_ping() {
  const auto deadline = options_.ping_interval + options_.ping_timeout;
  heartbeat_deadline_ = std::chrono::steady_clock::now() + deadline;
  arm_heartbeat(deadline, &Session::on_pong_overdue);
}

void Session::handle_packet(Transport& from, PacketType type, std::string_view data, bool binary) {
  if (farewell_transport_ && &from == farewell_transport_.get()) {
    // The client completes its upgrade, then reads the close packet on its new transport.
    if (type == PacketType::upgrade) from.send_one(close_frame());
    return end_farewell();
  }
  if (state_ == State::closed || client_closing_) return;
  if (stats_) {
    ++stats_->packets_in;
    stats_->bytes_in += data.size() + 1;
  }
  if (upgrading_transport_ && &from == upgrading_transport_.get()) {
    return handle_upgrade_packet(type, data);
  }
  if (&from != transport_.get()) return;
  switch (type) {
    case PacketType::pong:
      // The heartbeat goes the other way in v3: a pong from the client breaks it.
      if (protocol_ == 3) return terminate(CloseReason::transport_error);
      on_pong();
      break;
    case PacketType::message:
      if (on_message_) on_message_(data, binary);
      break;
    case PacketType::close:
      if (transport_->kind() == TransportKind::polling && !transport_->writable()) {
        return await_poll_before_close();
      }
      terminate(CloseReason::transport_close, true);
      break;
    case PacketType::ping:
      // In v4 only the server pings; a ping from the client is a protocol violation.
      if (protocol_ != 3) return terminate(CloseReason::transport_error);
      send(Frame::text(PacketType::pong));
      await_client_ping();
      break;
    case PacketType::open:
    case PacketType::upgrade:
    case PacketType::noop:
      break;
  }
}

void Session::handle_writable(Transport& from) {
  if (&from != transport_.get()) return;
  if (client_closing_) return terminate(CloseReason::transport_close, true);
  flush();
}

// A polling client closes with a POST while its GET may still be on the way: the two travel on
// different connections, read independently (and a request that reached another reactor arrives
// a moment later). Waiting a little for that GET lets it be answered with a noop, as a GET held
// at the time of the close is, rather than with "unknown sid".
void Session::await_poll_before_close() {
  state_ = State::closing;
  client_closing_ = true;
  start_timer(close_timer_, kPollInFlightGrace, &Session::on_client_close_grace_over);
}

void Session::on_client_close_grace_over() { terminate(CloseReason::transport_close, true); }

void Session::say_farewell(std::shared_ptr<Transport> websocket) {
  farewell_transport_ = std::move(websocket);
  farewell_timer_ = std::make_unique<asio::steady_timer>(heartbeat_timer_.get_executor(), kFarewellTimeout);
  // The wait keeps the session alive until the client finished its upgrade or the time is up.
  farewell_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->end_farewell();
  });
}

void Session::end_farewell() {
  farewell_timer_.reset();
  if (auto websocket = std::move(farewell_transport_)) websocket->close(false);
}

void Session::handle_transport_closed(Transport& from, CloseReason reason) {
  if (farewell_transport_ && &from == farewell_transport_.get()) return end_farewell();
  if (upgrading_transport_ && &from == upgrading_transport_.get()) {
    upgrading_transport_.reset();
    upgrade_timer_.reset();
    probed_ = false;
    return;
  }
  if (&from == transport_.get()) terminate(reason);
}

void Session::begin_upgrade(std::shared_ptr<Transport> websocket) {
  upgrading_transport_ = std::move(websocket);
  probed_ = false;
  start_timer(upgrade_timer_, options_.upgrade_timeout, &Session::abandon_upgrade);
}

void Session::handle_upgrade_packet(PacketType type, std::string_view data) {
  if (type == PacketType::ping && data == "probe") {
    upgrading_transport_->send_one(Frame::text(PacketType::pong, "probe"));
    // At once rather than at the end of the turn: what the client learns on its other
    // connection (a poll refused once the upgrade is done) must not overtake the answer.
    upgrading_transport_->write_now();
    probed_ = true;
    notify_upgrade_progress();
    flush();
  } else if (type == PacketType::upgrade) {
    complete_upgrade();
  } else {
    abandon_upgrade();
  }
}

void Session::complete_upgrade() {
  upgrade_timer_.reset();
  auto old = std::move(transport_);
  transport_ = std::move(upgrading_transport_);
  upgraded_ = true;
  probed_ = false;
  notify_upgrade_progress();
  // Release a GET the client may still hold; the polling transport is done after this.
  if (old->writable()) old->send_one(noop_frame());
  old->close(true);
  if (on_upgrade_) on_upgrade_();
  flush();
}

void Session::abandon_upgrade() {
  upgrade_timer_.reset();
  probed_ = false;
  notify_upgrade_progress();
  if (auto ws = std::move(upgrading_transport_)) ws->close(false);
}

void Transport::deliver_packet(Session& session, PacketType type, std::string_view data,
                               bool binary) {
  session.handle_packet(*this, type, data, binary);
}

void Transport::report_writable(Session& session) { session.handle_writable(*this); }

void Transport::report_closed(Session& session, CloseReason reason) {
  session.handle_transport_closed(*this, reason);
}

void Transport::offer_upgrade(Session& session, std::shared_ptr<Transport> self) {
  session.begin_upgrade(std::move(self));
}

}  // namespace sio::engineio
