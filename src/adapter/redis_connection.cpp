#include "adapter/redis_connection.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

namespace sio::adapter {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
}

std::shared_ptr<RedisConnection> RedisConnection::create(asio::io_context& ctx, Options options) {
  return std::make_shared<RedisConnection>(ctx, std::move(options));
}

RedisConnection::RedisConnection(asio::io_context& ctx, Options options)
    : ctx_(ctx),
      options_(std::move(options)),
      resolver_(ctx),
      socket_(ctx),
      retry_timer_(ctx),
      connect_timer_(ctx),
      health_timer_(ctx),
      backoff_(options_.min_backoff),
      read_buffer_(kReadChunk) {}

std::string RedisConnection::where() const {
  return "redis " + options_.name + " (" + options_.url.host + ":" +
         std::to_string(options_.url.port) + ")";
}

void RedisConnection::start() {
  if (state_ != State::idle) return;
  connect();
}

void RedisConnection::connect() {
  state_ = State::connecting;
  const auto generation = generation_;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), generation](boost::system::error_code ec) {
    if (ec || generation != self->generation_) return;
    if (self->state_ != State::connecting && self->state_ != State::logging_in) return;
    self->fail("no connection within " + std::to_string(self->options_.connect_timeout.count()) +
               " ms");
  });
  resolver_.async_resolve(
      options_.url.host, std::to_string(options_.url.port),
      [self = shared_from_this(), generation](boost::system::error_code ec,
                                              tcp::resolver::results_type results) {
        if (generation != self->generation_) return;
        if (ec) return self->fail("resolve: " + ec.message());
        asio::async_connect(self->socket_, results,
                            [self, generation](boost::system::error_code ec, const tcp::endpoint&) {
                              if (generation != self->generation_) return;
                              if (ec) return self->fail("connect: " + ec.message());
                              self->on_connected();
                            });
      });
}

template <class Buffers, class Handler>
void RedisConnection::async_read_some(const Buffers& buffers, Handler&& handler) {
  if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
  socket_.async_read_some(buffers, std::forward<Handler>(handler));
}

template <class Buffers, class Handler>
void RedisConnection::async_write(const Buffers& buffers, Handler&& handler) {
  if (tls_) return asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
  asio::async_write(socket_, buffers, std::forward<Handler>(handler));
}

void RedisConnection::on_connected() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  if (options_.url.tls && !tls_) return start_tls();
  reader_ = std::make_unique<RespReader>();
  split_.clear();
  state_ = State::logging_in;
  read();
  log_in();
}

// rediss://: the server must prove it is the host the URL names, with a certificate the system
// trusts (or the CA file SSL_CERT_FILE names); TLS 1.2 or later.
void RedisConnection::start_tls() {
  if (!tls_context_) {
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
    tls_context_->set_default_verify_paths();
    tls_context_->set_verify_mode(asio::ssl::verify_peer);
  }
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_context_);
  const auto& host = options_.url.host;
  SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
  tls_->set_verify_callback(asio::ssl::host_name_verification(host));
  tls_->async_handshake(
      asio::ssl::stream_base::client,
      [self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
        if (generation != self->generation_) return;
        if (ec) return self->fail("TLS handshake: " + ec.message());
        self->on_connected();
      });
}

void RedisConnection::log_in() {
  // AUTH, SELECT and a PING go pipelined; the link is ready once Redis has answered them all
  // (a server that accepts connections but does not answer is no use). Any error drops the link,
  // to be retried later, in case the server comes back with another configuration.
  auto step = [weak = weak_from_this(), generation = generation_](std::string what,
                                                                  bool last) -> ReplyHandler {
    return [weak, generation, what = std::move(what), last](const RedisReply& reply) {
      auto self = weak.lock();
      if (!self || generation != self->generation_) return;
      if (reply.is_error()) return self->fail(what + " failed: " + reply.str);
      if (last) self->become_ready();
    };
  };
  const auto& url = options_.url;
  if (!url.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!url.username.empty()) auth.push_back(url.username);
    auth.push_back(url.password);
    write_raw(auth, {step("AUTH", false), 0, nullptr});
  }
  if (url.db != 0) {
    const auto db = std::to_string(url.db);
    write_raw({"SELECT", db}, {step("SELECT", false), 0, nullptr});
  }
  write_raw({"PING"}, {step("PING", true), 0, nullptr});
}

void RedisConnection::become_ready() {
  connect_timer_.cancel();
  state_ = State::ready;
  backoff_ = options_.min_backoff;
  if (!was_ready_) {
    spdlog::info("{}: connected", where());
  } else if (failed_attempts_ == 0) {
    spdlog::info("{}: reconnected", where());
  } else {
    spdlog::info("{}: reconnected after {} failed attempt(s)", where(), failed_attempts_);
  }
  if (was_ready_) ++reconnects_;
  was_ready_ = true;
  failed_attempts_ = 0;
  // What was given while the link was down goes out first, in order.
  auto waiting = std::move(waiting_);
  waiting_.clear();
  waiting_bytes_ = 0;
  for (auto& queued : waiting) {
    outbox_ += queued.bytes;
    pending_.push_back({std::move(queued.handler), 0, std::move(queued.in_place)});
  }
  if (!outbox_.empty()) schedule_flush();
  ping_outstanding_ = false;
  schedule_health_check();
  if (on_ready_) on_ready_();
}

void RedisConnection::schedule_health_check() {
  health_timer_.expires_after(options_.health_check_interval);
  health_timer_.async_wait(
      [self = shared_from_this(), generation = generation_](boost::system::error_code ec) {
        if (ec || generation != self->generation_ || self->state_ != State::ready) return;
        if (self->ping_outstanding_) {
          return self->fail("no answer to PING within " +
                            std::to_string(self->options_.health_check_interval.count()) + " ms");
        }
        self->ping_outstanding_ = true;
        // Held weakly: the handler waits in this connection's own queue.
        self->write_raw({"PING"}, {[weak = std::weak_ptr(self), generation](const RedisReply&) {
                                     auto self = weak.lock();
                                     if (self && generation == self->generation_)
                                       self->ping_outstanding_ = false;
                                   },
                                   0, nullptr});
        self->schedule_health_check();
      });
}

bool RedisConnection::send(const std::vector<std::string_view>& argv, ReplyHandler handler) {
  return send(argv, std::move(handler), nullptr);
}

bool RedisConnection::send(const std::vector<std::string_view>& argv, ReplyHandler handler,
                           InPlaceHandler in_place) {
  if (state_ == State::closed) return false;
  if (state_ == State::ready) {
    if (outbox_.size() > options_.max_queued_bytes) return false;
    write_raw(argv, {std::move(handler), 0, std::move(in_place)});
    return true;
  }
  std::string bytes;
  format_command(bytes, argv);
  if (waiting_bytes_ + bytes.size() > options_.max_queued_bytes) return false;
  waiting_bytes_ += bytes.size();
  waiting_.push_back({std::move(bytes), std::move(handler), std::move(in_place)});
  return true;
}

bool RedisConnection::send_subscription(const std::vector<std::string_view>& argv) {
  if (state_ != State::ready || argv.size() < 2) return false;
  subscriber_ = true;
  write_raw(argv, {nullptr, argv.size() - 1, nullptr});
  return true;
}

bool RedisConnection::send_batched(const std::vector<std::string_view>& argv,
                                   ReplyHandler handler) {
  if (state_ != State::ready) return send(argv, std::move(handler));
  if (outbox_.size() + batch_.bytes.size() > options_.max_queued_bytes) return false;
  // A transaction holds Redis (and the readers) until its last command: a long burst goes as
  // several.
  constexpr std::size_t kMaxBatch = 256;
  if (batch_.handlers.size() == kMaxBatch) close_batch();
  format_command(batch_.bytes, argv);
  batch_.handlers.push_back(std::move(handler));
  schedule_flush();
  return true;
}

void RedisConnection::close_batch() {
  if (batch_.handlers.empty()) return;
  auto handlers = std::move(batch_.handlers);
  batch_.handlers.clear();
  if (handlers.size() == 1) {
    outbox_ += batch_.bytes;
    pending_.push_back({std::move(handlers.front()), 0, nullptr});
  } else {
    format_command(outbox_, {"MULTI"});
    pending_.push_back({nullptr, 0, nullptr});
    outbox_ += batch_.bytes;
    // Each command is answered QUEUED (or refused, which makes EXEC fail: EXECABORT).
    for (std::size_t i = 0; i < handlers.size(); ++i) pending_.push_back({nullptr, 0, nullptr});
    format_command(outbox_, {"EXEC"});
    pending_.push_back({[handlers = std::move(handlers)](const RedisReply& reply) {
                          const bool each =
                              reply.is_array() && reply.elements.size() == handlers.size();
                          for (std::size_t i = 0; i < handlers.size(); ++i) {
                            if (handlers[i]) handlers[i](each ? reply.elements[i] : reply);
                          }
                        },
                        0, nullptr});
  }
  batch_.bytes.clear();
}

void RedisConnection::write_raw(const std::vector<std::string_view>& argv, Pending pending) {
  close_batch();  // what was given before it goes before it
  format_command(outbox_, argv);
  pending_.push_back(std::move(pending));
  schedule_flush();
}

// Commands given during one turn of the event loop leave in one write.
void RedisConnection::schedule_flush() {
  if (write_in_flight_ || flush_posted_) return;
  flush_posted_ = true;
  asio::post(ctx_, [self = shared_from_this(), generation = generation_] {
    self->flush_posted_ = false;
    if (generation == self->generation_) self->flush();
  });
}

void RedisConnection::flush() {
  if (write_in_flight_) return;
  close_batch();
  if (outbox_.empty()) return;
  write_in_flight_ = true;
  writing_.swap(outbox_);
  outbox_.clear();
  async_write(asio::buffer(writing_), [self = shared_from_this(), generation = generation_](
                                          boost::system::error_code ec, std::size_t) {
    if (generation != self->generation_) return;
    self->write_in_flight_ = false;
    self->writing_.clear();
    if (ec) return self->fail("write: " + ec.message());
    self->flush();
  });
}

void RedisConnection::read() {
  async_read_some(asio::buffer(read_buffer_), [self = shared_from_this(), generation = generation_](
                                                  boost::system::error_code ec, std::size_t n) {
    if (generation != self->generation_) return;
    if (ec)
      return self->fail(ec == asio::error::eof ? "closed by server" : "read: " + ec.message());
    std::string_view bytes(self->read_buffer_.data(), n);
    if (!self->take_in_place(bytes)) return;
    if (!bytes.empty()) {
      self->reader_->feed(bytes);
      self->split_.clear();  // fed: `bytes` may have been its text
    }
    while (generation == self->generation_) {
      auto reply = self->reader_->next();
      if (!reply) break;
      self->dispatch(*reply);
    }
    if (generation != self->generation_) return;
    if (!self->reader_->error().empty())
      return self->fail("protocol error: " + self->reader_->error());
    self->read();
  });
}

bool RedisConnection::take_in_place(std::string_view& bytes) {
  // Only between replies: what the RespReader holds of one comes first.
  if (!reader_->idle()) return true;
  const bool messages = subscriber_ && on_message_;
  if (!messages && split_.empty() && (pending_.empty() || !pending_.front().in_place)) {
    return true;
  }
  if (!split_.empty()) {
    split_.append(bytes);
    bytes = split_;
  }
  const auto generation = generation_;
  while (!bytes.empty()) {
    std::size_t used = 0;
    auto read = PushRead::other;
    if (messages) {
      PushedMessage message;
      read = read_pushed_message(bytes, message, used);
      if (read == PushRead::message) {
        bytes.remove_prefix(used);
        on_message_(message);
        if (generation != generation_) return false;
        continue;
      }
    }
    if (read == PushRead::other && !pending_.empty() && pending_.front().in_place &&
        pending_.front().push_replies == 0) {
      // Moved out while it runs: a handler that drops the connection clears the queue.
      auto in_place = std::move(pending_.front().in_place);
      read = in_place(bytes, used);
      if (generation != generation_) return false;
      if (read == PushRead::message) {
        pending_.pop_front();
        bytes.remove_prefix(used);
        continue;
      }
      pending_.front().in_place = std::move(in_place);
    }
    if (read == PushRead::other) return true;
    // The rest comes with the next read: kept here, not in the RespReader.
    split_ = std::string(bytes);
    bytes = {};
    return true;
  }
  split_.clear();
  return true;
}

// Pub/sub messages arrive at any time; every other reply answers the oldest pending command.
bool RedisConnection::is_message(const RedisReply& reply) const {
  if (!subscriber_ || reply.type != RedisReply::Type::array || reply.elements.size() < 3)
    return false;
  const auto& kind = reply.elements[0].str;
  if (kind == "message" || kind == "pmessage" || kind == "smessage") return true;
  // A cluster node drops the sharded subscriptions of a slot it no longer serves with a
  // "sunsubscribe" nobody asked for.
  return kind == "sunsubscribe" && (pending_.empty() || pending_.front().push_replies == 0);
}

void RedisConnection::dispatch(RedisReply& reply) {
  if (is_message(reply)) {
    if (PushedMessage message; on_message_ && as_pushed_message(reply, message)) {
      on_message_(message);
    } else if (on_push_) {
      on_push_(reply);
    }
    return;
  }
  if (pending_.empty()) return fail("reply to no command");
  auto& front = pending_.front();
  if (front.push_replies > 0) {
    if (--front.push_replies == 0) pending_.pop_front();
    if (on_push_) on_push_(reply);
    return;
  }
  auto handler = std::move(front.handler);
  pending_.pop_front();
  if (handler) handler(reply);
}

void RedisConnection::fail(const std::string& reason) {
  if (state_ == State::closed || state_ == State::backing_off) return;
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  connect_timer_.cancel();
  health_timer_.cancel();
  // A loss is logged once; the attempts that follow it quietly, until one succeeds.
  const bool was_up = state_ == State::ready;
  failed_attempts_ = was_up ? 0 : failed_attempts_ + 1;
  if (was_up || (failed_attempts_ == 1 && !was_ready_)) {
    spdlog::warn("{}: {}; retrying every {} ms at most", where(), reason,
                 options_.max_backoff.count());
  } else {
    spdlog::debug("{}: {}", where(), reason);
  }
  state_ = State::backing_off;
  close_batch();  // never sent: fails with the rest
  outbox_.clear();
  writing_.clear();
  write_in_flight_ = false;
  subscriber_ = false;
  reader_.reset();
  auto lost = std::move(pending_);
  pending_.clear();

  retry_timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ != State::backing_off) return;
    self->tls_.reset();
    self->socket_ = tcp::socket(self->ctx_);
    self->connect();
  });

  const auto error = RedisReply::error("connection lost: " + reason);
  for (auto& pending : lost) {
    if (pending.handler) pending.handler(error);
  }
  if (on_lost_) on_lost_();
}

void RedisConnection::close() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  retry_timer_.cancel();
  connect_timer_.cancel();
  health_timer_.cancel();
  reader_.reset();
  close_batch();
  outbox_.clear();
  auto lost = std::move(pending_);
  pending_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  on_ready_ = nullptr;
  on_push_ = nullptr;
  on_message_ = nullptr;
  on_lost_ = nullptr;
  const auto error = RedisReply::error("connection closed");
  for (auto& pending : lost) {
    if (pending.handler) pending.handler(error);
  }
  for (auto& queued : waiting) {
    if (queued.handler) queued.handler(error);
  }
}

}  // namespace sio::adapter
