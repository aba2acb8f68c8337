#pragma once
// A Socket.IO socket: one client's connection to one namespace. Shaped like Node's server-side
// Socket: events in (`on`, `once`, `on_any`), events out (`emit`, with acks and timeouts), rooms,
// broadcasts that skip itself, and `disconnect`.
//
// A socket lives on its client's reactor and every member runs there: its handlers are called
// there, and code elsewhere (another reactor, a worker thread) reaches it by posting to
// executor(), holding a weak_ptr (the socket may be gone by then). An Ack may be called from
// anywhere: it goes to the socket's reactor by itself.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/ack.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/event_rate_limit.hpp"
#include "socketio/handshake.hpp"
#include "socketio/listener_list.hpp"
#include "socketio/packet.hpp"
#include "socketio/room_index.hpp"

namespace sio::socketio {

class Client;
class Namespace;

class Socket : public std::enable_shared_from_this<Socket> {
 public:
  using EventHandler = std::function<void(Socket&, const Args& args, Ack ack)>;
  using AnyHandler = std::function<void(Socket&, const std::string& event, const Args& args)>;
  using ReasonHandler = std::function<void(Socket&, const std::string& reason)>;

  Socket(Namespace& nsp, std::shared_ptr<Client> client, std::shared_ptr<const Handshake> handshake);
  ~Socket();

  const std::string& id() const { return id_; }
  const Handshake& handshake() const { return *handshake_; }
  Namespace& nsp() const { return nsp_; }
  bool connected() const { return connected_; }
  // True when this socket took over the session of a disconnected one (connection state
  // recovery): same id, rooms and data, and the packets it missed were sent to it first.
  bool recovered() const { return recovered_; }
  // The Engine.IO transport in use ("polling" or "websocket").
  std::string_view transport() const;
  // The id of the Engine.IO session the socket travels on (Node's `socket.conn.id`).
  const std::string& conn_id() const;
  // The reactor the socket lives on: post there to use it from elsewhere.
  boost::asio::io_context::executor_type executor() const;

  // Free-form data the application keeps on the socket (fetch_sockets reports it).
  json data = json::object();

  // --- incoming events ---
  void on(const std::string& event, EventHandler handler);
  void once(const std::string& event, EventHandler handler);
  void off(const std::string& event);
  void on_any(AnyHandler handler);
  // `disconnecting` fires while the rooms are still readable, `disconnect` after the socket left.
  void on_disconnecting(ReasonHandler handler);
  void on_disconnect(ReasonHandler handler);

  // --- outgoing events ---
  template <class... T>
  void emit(std::string_view event, T&&... args) {
    emit_args(event, Args::array({json(std::forward<T>(args))...}));
  }
  void emit_args(std::string_view event, Args args);
  // Without a timeout the callback waits as long as the socket is connected; on disconnection
  // it gets an error.
  void emit_with_ack(std::string_view event, Args args, AckCallback callback,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Like emit, but dropped if the client cannot take it right now.
  void emit_volatile(std::string_view event, Args args);

  // --- rooms ---
  // False when nothing was joined: the socket is disconnected, or the rooms would put it in more
  // than ServerOptions::max_rooms_per_socket (all or none of `rooms` are joined).
  bool join(const adapter::Room& room);
  bool join(const std::vector<adapter::Room>& rooms);
  // Whether join(room…) would succeed now (to check before slow work a join depends on).
  bool can_join(const adapter::Room& room) const;
  bool can_join(const std::vector<adapter::Room>& rooms) const;
  void leave(const adapter::Room& room);
  std::vector<adapter::Room> rooms() const;
  bool in_room(const adapter::Room& room) const;

  // --- broadcasts from this socket (never back to itself) ---
  BroadcastOperator broadcast() const;
  BroadcastOperator to(const adapter::Room& room) const;
  BroadcastOperator to(const std::vector<adapter::Room>& rooms) const;
  BroadcastOperator in(const adapter::Room& room) const { return to(room); }
  BroadcastOperator except(const adapter::Room& room) const;

  // Leaves the namespace ("server namespace disconnect"); with close, ends the whole connection.
  void disconnect(bool close = false);
  // Ends the connection without leaving the namespace first, like Node's `socket.conn.close()`:
  // the client sees its transport close and reconnects.
  void close_connection();

  // The private session id the client presents to recover this socket (empty when recovery is
  // off).
  const std::string& pid() const { return pid_; }

 private:
  friend class Client;
  friend class Namespace;
  friend class RoomIndex;

  using BroadcastAckHandler = std::shared_ptr<const adapter::AckHandler>;

  struct Listener {
    std::string event;
    EventHandler handler;
    bool once;
    bool removed = false;
  };
  struct AnyListener {
    AnyHandler handler;
    bool removed = false;
  };
  struct PendingAck {
    AckCallback callback;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  Client& client() const { return *client_; }
  void handle_packet(Packet packet);
  void handle_close(const std::string& reason);
  void send_packet(Packet packet);
  void send_frames(const Frames& frames, bool is_volatile);
  // A broadcast with acks reached this socket: its answer to `id` goes to `handler`.
  void expect_broadcast_ack(std::uint64_t id, BroadcastAckHandler handler);
  void forget_broadcast_ack(std::uint64_t id) { broadcast_acks_.erase(id); }
  // The ids a connecting socket takes: its own, or those of the session it recovers.
  void set_session(std::string id, std::string pid, bool recovered);

  // False when the namespace's event rate limit refuses the event (the client has been told, or
  // the socket disconnected).
  bool admit_event(const Packet& packet);
  void handle_event(Packet& packet);
  void handle_ack(Packet& packet);
  void fail_pending_acks(const std::string& message);
  void persist_session(const std::string& reason);

  Namespace& nsp_;
  std::shared_ptr<Client> client_;
  std::string id_;
  std::shared_ptr<const Handshake> handshake_;  // shared with its client
  bool connected_ = true;
  std::string pid_;
  bool recovered_ = false;
  RoomIndex::Membership membership_;
  EventBucket event_bucket_;

  // In registration order. A socket listens to a handful of events: one small vector costs less
  // memory per socket than a hash map, and a scan of it is as fast.
  ListenerList<Listener> listeners_;
  ListenerList<AnyListener> any_listeners_;
  std::vector<ReasonHandler> disconnecting_handlers_;
  std::vector<ReasonHandler> disconnect_handlers_;
  std::unordered_map<std::uint64_t, PendingAck> acks_;
  std::unordered_map<std::uint64_t, BroadcastAckHandler> broadcast_acks_;
};

}  // namespace sio::socketio

#include "socketio/room_index_inl.hpp"
