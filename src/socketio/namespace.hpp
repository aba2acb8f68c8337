#pragma once
// A namespace: its middlewares, its connection handlers, its sockets and its adapter. A parent
// namespace (created by Server::of with a pattern) holds no sockets itself: each name it matches
// becomes a child namespace that runs the parent's middlewares and connection handlers.
//
// One namespace serves every reactor: each reactor keeps its own slice of it (its sockets and
// their room index). A broadcast is encoded once on the reactor that makes it, delivered there,
// and posted — the same immutable frames — to every other reactor, which delivers it to its
// slice; the adapter tells the other servers of a cluster. The cluster utilities (fetch_sockets,
// sockets_join/leave, disconnect_sockets) reach every reactor the same way and answer on the
// calling one.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "adapter/local_namespace.hpp"
#include "reactor/per_reactor.hpp"
#include "socketio/ack.hpp"
#include "socketio/broadcast.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/error.hpp"
#include "socketio/event_rate_limit.hpp"
#include "socketio/room_index.hpp"

namespace sio::socketio {

class Client;
class Server;
class Socket;

// Called with nothing to let the connection proceed, or an Error to refuse it.
using Next = std::function<void(std::optional<Error> error)>;
using Middleware = std::function<void(Socket& socket, Next next)>;
using ConnectionHandler = std::function<void(Socket& socket)>;
// An event another server sent with server_side_emit; `ack` is empty unless it asked for answers.
using ServerSideHandler = std::function<void(const Args& args, Ack ack)>;

class Namespace : public adapter::LocalNamespace {
 public:
  Namespace(Server& server, std::string name, Namespace* parent = nullptr);
  ~Namespace() override;
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  const std::string& name() const override { return name_; }
  Server& server() const { return server_; }

  // Set-up, before the server runs. Middlewares and connection handlers run on the connecting
  // socket's reactor; server-side handlers on the adapter's.
  void use(Middleware middleware);
  void on_connection(ConnectionHandler handler);
  void on_server_side(const std::string& event, ServerSideHandler handler);
  // Limits the events each socket of this namespace (and of the children of a parent created
  // afterwards) may send, in place of ServerOptions::event_rate_limit.
  void set_event_rate_limit(EventRateLimit limit);
  const EventRateLimit& event_rate_limit() const { return event_rate_limit_; }

  // Broadcasting: the same operators as Node's namespace.
  BroadcastOperator to(const adapter::Room& room) { return BroadcastOperator(*this).to(room); }
  BroadcastOperator to(const std::vector<adapter::Room>& rooms) {
    return BroadcastOperator(*this).to(rooms);
  }
  BroadcastOperator in(const adapter::Room& room) { return to(room); }
  BroadcastOperator except(const adapter::Room& room) {
    return BroadcastOperator(*this).except(room);
  }
  BroadcastOperator volatile_() { return BroadcastOperator(*this).volatile_(); }
  BroadcastOperator local() { return BroadcastOperator(*this).local(); }
  BroadcastOperator timeout(std::chrono::milliseconds t) {
    return BroadcastOperator(*this).timeout(t);
  }
  template <class... T>
  void emit(std::string_view event, T&&... args) {
    BroadcastOperator(*this).emit(event, std::forward<T>(args)...);
  }
  void fetch_sockets(adapter::FetchResultHandler handler) {
    BroadcastOperator(*this).fetch_sockets(std::move(handler));
  }
  void fetch_sockets(adapter::FetchHandler handler) {
    BroadcastOperator(*this).fetch_sockets(std::move(handler));
  }
  void sockets_join(const std::vector<adapter::Room>& rooms) {
    BroadcastOperator(*this).sockets_join(rooms);
  }
  void sockets_leave(const std::vector<adapter::Room>& rooms) {
    BroadcastOperator(*this).sockets_leave(rooms);
  }
  void disconnect_sockets(bool close = false) {
    BroadcastOperator(*this).disconnect_sockets(close);
  }
  // Sends an event to the other servers of the cluster (not to clients).
  void server_side_emit(std::string_view event, Args args,
                        adapter::ServerAckHandler handler = nullptr);
  // How many servers the cluster has (1 alone); answered on the calling reactor.
  void server_count(std::function<void(std::size_t)> handler);

  // The calling reactor's slice: its sockets of this namespace. Call on a reactor.
  Socket* find_socket(const std::string& id) const;
  std::size_t local_socket_count() const;
  // Rooms with members on the calling reactor.
  std::vector<adapter::Room> local_rooms_here() const;

  void set_adapter(std::unique_ptr<adapter::Adapter> adapter);
  // Ack ids are unique per namespace, over every reactor, so one id can serve a whole broadcast.
  std::uint64_t next_ack_id() { return next_ack_id_.fetch_add(1, std::memory_order_relaxed); }

  // --- adapter::LocalNamespace: this server's side of the cluster operations ---
  void deliver(const Packet& packet, const adapter::BroadcastOptions& options,
               const std::string& offset) override;
  void deliver_event(std::string data, adapter::BroadcastOptions options,
                     const std::string& offset) override;
  void deliver_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                        adapter::ClientCountHandler on_client_count,
                        adapter::AckHandler on_ack) override;
  void fetch_local(const adapter::BroadcastOptions& options,
                   adapter::FetchHandler handler) override;
  void local_socket_ids(const adapter::BroadcastOptions& options,
                        std::function<void(std::vector<adapter::SocketId>)> handler) override;
  void local_rooms(std::function<void(std::vector<adapter::Room>)> handler) override;
  void join_local(const adapter::BroadcastOptions& options,
                  const std::vector<adapter::Room>& rooms) override;
  void leave_local(const adapter::BroadcastOptions& options,
                   const std::vector<adapter::Room>& rooms) override;
  void disconnect_local(const adapter::BroadcastOptions& options, bool close) override;
  void join_socket(const adapter::SocketId& id, const adapter::Room& room,
                   FoundHandler done) override;
  void leave_socket(const adapter::SocketId& id, const adapter::Room& room,
                    FoundHandler done) override;
  void disconnect_socket(const adapter::SocketId& id, bool close, FoundHandler done) override;
  void handle_server_side(const json& args, Ack ack) override;

 private:
  friend class BroadcastOperator;
  friend class Client;
  friend class RoomIndex;
  friend class Socket;

  // One reactor's slice.
  struct Shard {
    std::unordered_map<std::string, std::shared_ptr<Socket>> sockets;
    RoomIndex rooms;
  };
  // Where a recovering socket's session is: the reactor whose store keeps it.
  struct Recovery {
    std::size_t reactor;
    std::string pid;
    std::string offset;
    // Set when the adapter kept the session (and took it already): no store is asked.
    std::shared_ptr<adapter::RestoredSession> restored;
  };

  Shard& local_shard() const { return shards_.local(); }

  // --- broadcasting (namespace_broadcast.cpp) ---
  // From BroadcastOperator: here and, unless `local`, on the other servers.
  void broadcast(const Packet& packet, const adapter::BroadcastOptions& options);
  void broadcast_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                          BroadcastAckCallback callback);
  // Encodes once and delivers on every reactor; `offset` is the adapter's for the broadcast when
  // the adapter keeps sessions.
  void fan_out(const Packet& packet, const adapter::BroadcastOptions& options,
               const std::string& offset = {});
  void fan_out(BroadcastPtr broadcast);
  // The offset a broadcast delivered here gets, if it is `logged` for recovery.
  std::optional<Broadcast::Offset> offset_for(bool logged, const std::string& adapter_offset);
  // With recovery on and sessions kept by the adapter.
  bool adapter_keeps_sessions() const;
  // Delivers on the calling reactor, `here` (passed down: the broadcast path asks the pool once);
  // returns how many sockets were reached.
  std::size_t deliver_here(const BroadcastPtr& broadcast, std::size_t here);
  // Same, each recipient expected to answer ack `id` until `timeout`.
  std::size_t deliver_here_with_ack(const BroadcastPtr& broadcast, std::uint64_t id,
                                    std::shared_ptr<const adapter::AckHandler> on_ack,
                                    std::chrono::milliseconds timeout);
  // Delivers with acks on every reactor: counts (all reactors together, once) and answers come
  // back on the calling reactor.
  void fan_out_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                        adapter::ClientCountHandler on_client_count, adapter::AckHandler on_ack);

  // --- the utilities (namespace_cluster.cpp) ---
  void fetch_sockets(const adapter::BroadcastOptions& options, adapter::FetchResultHandler handler);
  // From the room index: a room appeared on, or vanished from, the calling reactor.
  void room_existence_changed(const adapter::Room& room, bool own, bool exists);
  void sockets_join(const adapter::BroadcastOptions& options,
                    const std::vector<adapter::Room>& rooms);
  void sockets_leave(const adapter::BroadcastOptions& options,
                     const std::vector<adapter::Room>& rooms);
  void disconnect_sockets(const adapter::BroadcastOptions& options, bool close);
  // Runs `act(Shard&)` on every reactor: at once on the calling one, posted to the others.
  template <class Act>
  void on_every_reactor(Act act);
  std::vector<Socket*> targets_here(const adapter::BroadcastOptions& options);
  // Runs `act(Socket&)` on the socket `id` on whichever reactor has it; `done` says whether one
  // did.
  void with_socket(const adapter::SocketId& id, std::function<void(Socket&)> act,
                   FoundHandler done);

  // --- connecting (namespace.cpp, namespace_recovery.cpp) ---
  // Runs the middlewares for a new socket and, if they agree, connects it.
  void connect(const std::shared_ptr<Client>& client, json auth);
  void remove(const Socket& socket);
  void run_middlewares(const std::shared_ptr<Socket>& socket, std::size_t index,
                       std::function<void(std::optional<Error>)> done);
  void authorize(const std::shared_ptr<Socket>& socket, std::optional<Recovery> recovery);
  void finish_connect(const std::shared_ptr<Socket>& socket, std::optional<Error> error,
                      std::optional<Recovery> recovery);
  // Adds the socket to its reactor's slice, answers the CONNECT and runs the handlers.
  void admit(const std::shared_ptr<Socket>& socket);
  // Asks every reactor's store for the session the client names; the socket takes it over if
  // one has it (then middlewares may be skipped), else starts afresh.
  void look_for_session(const std::shared_ptr<Socket>& socket, std::string pid, std::string offset);
  // The same when the adapter keeps sessions: it takes the session at once (as Node's does).
  void restore_from_adapter(const std::shared_ptr<Socket>& socket, std::string pid,
                            std::string offset);
  // Takes the session from the store that keeps it, with the packets it missed, then admits.
  void recover(const std::shared_ptr<Socket>& socket, Recovery recovery);

  Server& server_;
  std::string name_;
  Namespace* parent_;
  std::vector<Middleware> middlewares_;
  std::vector<ConnectionHandler> connection_handlers_;
  std::unordered_map<std::string, ServerSideHandler> server_side_handlers_;
  EventRateLimit event_rate_limit_;
  EventBucket::Rule event_rule_;  // event_rate_limit_ in the units sockets' buckets count in
  reactor::PerReactor<Shard> shards_;
  std::unique_ptr<adapter::Adapter> adapter_;
  std::atomic<std::uint64_t> next_ack_id_{0};
};

}  // namespace sio::socketio
