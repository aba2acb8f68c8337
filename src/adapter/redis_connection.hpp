#pragma once
// One TCP (or TLS) connection to a Redis server, on Asio: logs in (AUTH, SELECT), pipelines
// commands, hands each reply to the callback of its command, and reconnects by itself when the link
// breaks, with exponential backoff. A connection in subscriber mode also hands the pub/sub
// pushes (subscription confirmations, messages) to a push handler.
//
// Commands given while the link is down wait in a bounded queue and go out once it is back;
// commands in flight when it broke get an error reply (they may or may not have run).
//
// Shaped like Beast's sessions: one object owns its socket and buffers, keeps itself alive
// with shared_from_this, and only the completion of one write starts the next. Single-threaded:
// every member runs on the io_context the connection was made with.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/redis_resp.hpp"
#include "adapter/redis_url.hpp"

namespace sio::adapter {

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  using ReplyHandler = std::function<void(const RedisReply& reply)>;
  using PushHandler = std::function<void(RedisReply& push)>;
  using MessageHandler = std::function<void(const PushedMessage& message)>;
  // Reads a command's reply where it lies in the read buffer. Given the bytes at the front, it
  // reads and acts on the whole reply (`message`, `used` bytes), or does nothing: the bytes end
  // too early (`incomplete`: it is called again once more came) or hold something it does not
  // read (`other`: the RespReader reads the reply, for the command's ReplyHandler).
  using InPlaceHandler = std::function<PushRead(std::string_view bytes, std::size_t& used)>;

  struct Options {
    RedisUrl url;
    // Names the connection in log lines ("publisher", "subscriber").
    std::string name = "redis";
    // Bytes of commands that may wait for the link (or for the socket to drain).
    std::size_t max_queued_bytes = 16 * 1024 * 1024;
    std::chrono::milliseconds min_backoff{50};
    std::chrono::milliseconds max_backoff{2000};
    std::chrono::milliseconds connect_timeout{5000};
    // A PING goes out this often; a link that leaves one unanswered until the next is dropped
    // (a peer that vanished without closing the connection is noticed that way).
    std::chrono::milliseconds health_check_interval{5000};
  };

  static std::shared_ptr<RedisConnection> create(boost::asio::io_context& ctx, Options options);
  RedisConnection(boost::asio::io_context& ctx, Options options);

  // Connects; after a loss, reconnects until close().
  void start();
  // Drops the link for good; waiting commands get an error reply.
  void close();
  // Logged in and able to take commands right away.
  bool ready() const { return state_ == State::ready; }

  // Called each time the link is up and logged in (subscribers re-subscribe here).
  void on_ready(std::function<void()> handler) { on_ready_ = std::move(handler); }
  // A subscriber's pushes: its messages (message, pmessage, smessage) to `on_message`, read in
  // place when they come whole; the others (subscription confirmations, …) to `on_push`.
  void on_push(PushHandler handler) { on_push_ = std::move(handler); }
  void on_message(MessageHandler handler) { on_message_ = std::move(handler); }
  // Called each time the link breaks or an attempt to make it fails (not on close()).
  void on_lost(std::function<void()> handler) { on_lost_ = std::move(handler); }

  // Sends a command; `handler` (may be empty) gets its reply. False when the queue is full or
  // the connection is closed: the command is dropped and `handler` never called.
  bool send(const std::vector<std::string_view>& argv, ReplyHandler handler);
  // send(), with the reply read in place when it can be (see InPlaceHandler); `handler` gets it
  // otherwise (and gets the errors).
  bool send(const std::vector<std::string_view>& argv, ReplyHandler handler,
            InPlaceHandler in_place);
  // send(), for a command that may run in one MULTI … EXEC with the batched commands given right
  // before or after it in the same turn of the event loop (nothing else between them). Redis then
  // runs them back to back and wakes the clients blocked on what they write (XREAD BLOCK) once,
  // after the last: a burst of XADDs reaches each reader of the stream in one reply, not in a
  // first reply with one entry and a second with the rest. `handler` still gets the command's
  // own reply (or the error that made the transaction fail). Batched only while ready.
  bool send_batched(const std::vector<std::string_view>& argv, ReplyHandler handler);
  // Sends SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE or their UN- forms with at least one name; the replies
  // go to the push handler. Only while ready (false otherwise): subscriptions are not queued,
  // the owner renews them from on_ready.
  bool send_subscription(const std::vector<std::string_view>& argv);

  // Successful connections after the first.
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  enum class State { idle, connecting, logging_in, ready, backing_off, closed };
  struct Pending {
    ReplyHandler handler;
    // Non-zero for subscription commands: how many confirmations they still await.
    std::size_t push_replies = 0;
    InPlaceHandler in_place;
  };
  struct Queued {
    std::string bytes;
    ReplyHandler handler;
    InPlaceHandler in_place;
  };

  void connect();
  void on_connected();
  void start_tls();
  // Reads and writes go through TLS when it is on.
  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler);
  template <class Buffers, class Handler>
  void async_write(const Buffers& buffers, Handler&& handler);
  void log_in();
  void become_ready();
  void read();
  // Reads what it can at the front of `bytes` in place — message pushes (to on_message), replies
  // of commands with an InPlaceHandler — and leaves in `bytes` what the RespReader must read;
  // false when a handler dropped the connection.
  bool take_in_place(std::string_view& bytes);
  void dispatch(RedisReply& reply);
  bool is_message(const RedisReply& reply) const;
  void write_raw(const std::vector<std::string_view>& argv, Pending pending);
  // Moves the open batch to the outbox: alone as it is, several as one transaction.
  void close_batch();
  void schedule_flush();
  void schedule_health_check();
  void flush();
  void fail(const std::string& reason);
  std::string where() const;

  boost::asio::io_context& ctx_;
  Options options_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  // rediss://: the TLS context (made once) and the session over socket_ (made per connection).
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer health_timer_;
  bool ping_outstanding_ = false;
  State state_ = State::idle;
  // Bumped whenever the socket is dropped, so completions of its operations know they are stale.
  std::uint64_t generation_ = 0;
  std::chrono::milliseconds backoff_;
  std::uint64_t failed_attempts_ = 0;
  bool was_ready_ = false;
  std::uint64_t reconnects_ = 0;

  std::unique_ptr<RespReader> reader_;
  std::vector<char> read_buffer_;
  // The start of a push or reply read in place that the last read cut short.
  std::string split_;
  std::string outbox_;   // formatted commands not yet handed to the socket
  std::string writing_;  // the bytes of the write in flight
  bool write_in_flight_ = false;
  bool flush_posted_ = false;
  std::deque<Pending> pending_;  // commands sent, replies awaited, in order
  // send_batched()'s commands of this turn, formatted, not yet in the outbox.
  struct Batch {
    std::string bytes;
    std::vector<ReplyHandler> handlers;
  };
  Batch batch_;
  std::deque<Queued> waiting_;  // commands given while the link was down
  std::size_t waiting_bytes_ = 0;
  bool subscriber_ = false;

  std::function<void()> on_ready_;
  PushHandler on_push_;
  MessageHandler on_message_;
  std::function<void()> on_lost_;
};

}  // namespace sio::adapter
