#pragma once
// One Engine.IO session: the state machine of the protocol (opening → open → closing → closed),
// the heartbeat, the upgrade from polling to WebSocket and the write buffer. The layer above sees
// messages and a close reason; it never sees a transport.
//
// A session lives on one executor and never moves; every member runs there.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/close_reason.hpp"
#include "engineio/frame.hpp"
#include "http/http_request.hpp"
#include "engineio/options.hpp"
#include "engineio/stats.hpp"
#include "engineio/transport.hpp"

namespace sio::engineio {

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class State { opening, open, closing, closed };

  using MessageHandler = std::function<void(std::string_view data, bool binary)>;
  using CloseHandler = std::function<void(CloseReason reason)>;
  // Told once, when the session has closed, so that its owner can forget it.
  using FinishedHandler = std::function<void(Session&)>;

  Session(boost::asio::any_io_executor executor, std::string id, http::HttpRequest request,
          const ServerOptions& options, FinishedHandler on_finished, Stats* stats = nullptr);

  // Starts the session on its first transport: queues the open packet, starts the heartbeat.
  void open(std::shared_ptr<Transport> transport);

  const std::string& id() const { return id_; }
  // The request that opened the session (headers, query, remote address).
  // Empty once released.
  const http::HttpRequest& request() const;
  // Frees the request once the layer above has taken what it needs from it (an idle session
  // then holds no headers).
  void release_request() { request_.reset(); }
  State state() const { return state_; }
  // The transport in use (polling until an upgrade completes).
  TransportKind transport_kind() const { return transport_->kind(); }
  std::string_view transport_name() const { return to_string(transport_kind()); }
  bool upgrading() const { return upgrading_transport_ != nullptr; }
  // The Engine.IO protocol revision the client speaks: 4, or 3 (socket.io-client 2.x, when the
  // server allows it), whose client pings and whose transports frame packets differently.
  int protocol() const { return protocol_; }
  // A v3 client that asked for binary as base64 over polling (b64=1: Node's 2.x client).
  bool binary_as_base64() const { return binary_as_base64_; }
  bool upgraded() const { return upgraded_; }

  // Queues a packet. Dropped once the session is closing. A session whose queue outgrows
  // `max_send_buffer` is a slow consumer and is closed.
  void send(FramePtr frame);
  void send_text(std::string_view text);
  void send_binary(std::string bytes);
  // Whether a packet sent now would leave at once rather than wait in a queue: what "volatile"
  // packets ask for (they are dropped otherwise).
  bool ready_for_volatile() const;
  // The pong is overdue even if its timer has not fired yet (a busy loop runs timers late):
  // requests arriving past the deadline must not find the session alive.
  bool heartbeat_expired() const;

  // Server-side close: what is queued still goes out, then the transport closes.
  void close();

  void on_message(MessageHandler handler) { on_message_ = std::move(handler); }
  void on_close(CloseHandler handler) { on_close_ = std::move(handler); }
  void on_upgrade(std::function<void()> handler) { on_upgrade_ = std::move(handler); }

  // Closes at once, for a protocol error or a client-side close.
  void terminate(CloseReason reason, bool client_initiated = false);

  // While an upgrade has not been probed yet: whether a poll would find packets to take, and a
  // way to be told (once, posted) when that changes or the upgrade moves on (probe, upgrade,
  // abandon, close). A second waiter replaces the first, which is told at once.
  bool has_queued_packets() const { return !write_buffer_.empty(); }
  bool probed() const { return probed_; }
  void await_upgrade_progress(std::function<void()> waiter);

 private:
  // Transports report to their session through Transport's protected members; the server hands
  // requests to the session's transport.
  friend class Transport;
  friend class Server;

  // A packet arrived on `from` (the current transport or the one being upgraded to).
  void handle_packet(Transport& from, PacketType type, std::string_view data, bool binary);
  // `from` can take a batch now (a GET arrived).
  void handle_writable(Transport& from);
  // `from` ended on its own (peer gone, protocol error at transport level).
  void handle_transport_closed(Transport& from, CloseReason reason);
  // A WebSocket for this session connected and awaits the probe.
  void begin_upgrade(std::shared_ptr<Transport> websocket);
  Transport* transport() const { return transport_.get(); }

  void flush();
  void schedule_ping();
  void arm_heartbeat(std::chrono::milliseconds delay, void (Session::*action)());
  void on_ping_due();
  void on_pong_overdue();
  void on_pong();
  void await_client_ping();
  void start_timer(std::unique_ptr<boost::asio::steady_timer>& timer,
                   std::chrono::milliseconds delay, void (Session::*action)());
  void on_polling_close_overdue();
  void await_poll_before_close();
  void on_client_close_grace_over();
  void handle_upgrade_packet(PacketType type, std::string_view data);
  void complete_upgrade();
  void abandon_upgrade();
  void notify_upgrade_progress();
  // Keeps the WebSocket of a probed upgrade after the session ended, to send its close packet
  // there once the client has finished upgrading (it reads nothing else until then).
  void say_farewell(std::shared_ptr<Transport> websocket);
  void end_farewell();
  std::string open_packet_json() const;

  std::string id_;
  std::unique_ptr<http::HttpRequest> request_;
  const int protocol_;
  const bool binary_as_base64_;
  const ServerOptions& options_;
  FinishedHandler on_finished_;
  Stats* stats_;

  State state_ = State::opening;
  std::shared_ptr<Transport> transport_;
  std::shared_ptr<Transport> upgrading_transport_;
  bool probed_ = false;
  bool dropping_ = false;  // over max_send_buffer: nothing more is queued, the end is posted
  bool close_pending_ = false;  // closing a polling session: the close packet waits for a GET
  bool client_closing_ = false;  // the client closed over polling; a GET in flight is awaited
  bool upgraded_ = false;

  std::vector<FramePtr> write_buffer_;
  std::size_t buffered_bytes_ = 0;

  std::chrono::steady_clock::time_point heartbeat_deadline_ =
      std::chrono::steady_clock::time_point::max();
  // One timer for the heartbeat (the ping interval, then the pong timeout); the rarer upgrade
  // and polling-close timeouts get a timer of their own only while they run. An idle session
  // holds one timer and one pending wait.
  boost::asio::steady_timer heartbeat_timer_;
  std::uint32_t heartbeat_generation_ = 0;
  std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;
  std::unique_ptr<boost::asio::steady_timer> close_timer_;

  MessageHandler on_message_;
  CloseHandler on_close_;
  std::function<void()> on_upgrade_;
  std::function<void()> upgrade_waiter_;
  std::shared_ptr<Transport> farewell_transport_;
  std::unique_ptr<boost::asio::steady_timer> farewell_timer_;
};

}  // namespace sio::engineio
