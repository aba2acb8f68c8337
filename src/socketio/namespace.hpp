#pragma once
// A namespace: its middlewares, its connection handlers, its sockets and its adapter. A parent
// namespace (created by Server::of with a pattern) holds no sockets itself: each name it matches
// becomes a child namespace that runs the parent's middlewares and connection handlers.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/ack.hpp"
#include "socketio/broadcast_operator.hpp"
#include "socketio/error.hpp"

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

class Namespace {
 public:
  Namespace(Server& server, std::string name, Namespace* parent = nullptr);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  const std::string& name() const { return name_; }
  Server& server() const { return server_; }

  void use(Middleware middleware);
  void on_connection(ConnectionHandler handler);
  void on_server_side(const std::string& event, ServerSideHandler handler);

  // Broadcasting: the same operators as Node's namespace.
  BroadcastOperator to(const adapter::Room& room) { return BroadcastOperator(*this).to(room); }
  BroadcastOperator to(const std::vector<adapter::Room>& rooms) {
    return BroadcastOperator(*this).to(rooms);
  }
  BroadcastOperator in(const adapter::Room& room) { return to(room); }
  BroadcastOperator except(const adapter::Room& room) { return BroadcastOperator(*this).except(room); }
  BroadcastOperator volatile_() { return BroadcastOperator(*this).volatile_(); }
  BroadcastOperator local() { return BroadcastOperator(*this).local(); }
  BroadcastOperator timeout(std::chrono::milliseconds t) { return BroadcastOperator(*this).timeout(t); }
  template <class... T>
  void emit(std::string_view event, T&&... args) {
    BroadcastOperator(*this).emit(event, std::forward<T>(args)...);
  }
  void fetch_sockets(adapter::Adapter::FetchHandler handler) {
    BroadcastOperator(*this).fetch_sockets(std::move(handler));
  }
  void sockets_join(const std::vector<adapter::Room>& rooms) { BroadcastOperator(*this).sockets_join(rooms); }
  void sockets_leave(const std::vector<adapter::Room>& rooms) { BroadcastOperator(*this).sockets_leave(rooms); }
  void disconnect_sockets(bool close = false) { BroadcastOperator(*this).disconnect_sockets(close); }
  // Sends an event to the other servers of the cluster (not to clients).
  void server_side_emit(std::string_view event, Args args,
                        adapter::Adapter::ServerAckHandler handler = nullptr);

  // Connected sockets of this server, by id.
  const std::unordered_map<std::string, std::shared_ptr<Socket>>& sockets() const { return sockets_; }
  Socket* find_socket(const std::string& id) const;
  adapter::Adapter& adapter() { return *adapter_; }
  void set_adapter(std::unique_ptr<adapter::Adapter> adapter);
  // Ack ids are unique per namespace, so one id can serve a whole broadcast.
  std::uint64_t next_ack_id() { return next_ack_id_++; }

  // --- used by the client and adapters ---
  // Runs the middlewares for a new socket and, if they agree, connects it.
  void connect(const std::shared_ptr<Client>& client, json auth);
  void remove(const Socket& socket);
  // An event from another server (cluster adapters call this).
  void handle_server_side(const Args& args, Ack ack);

 private:
  void run_middlewares(const std::shared_ptr<Socket>& socket, std::size_t index,
                       std::function<void(std::optional<Error>)> done);
  // With connection state recovery: gives the socket the session its client names, when there
  // is one to recover (then returns the client's offset), else a session of its own.
  std::optional<std::string> begin_session(Socket& socket, const json& auth);
  // `offset` is set for a socket recovering a session.
  void finish_connect(const std::shared_ptr<Socket>& socket, std::optional<Error> error,
                      const std::optional<std::string>& offset);
  // Takes the session over (its rooms, the packets it missed); false when it has gone meanwhile.
  bool recover(Socket& socket, const std::string& offset);
  const std::vector<Middleware>& all_middlewares() const;

  Server& server_;
  std::string name_;
  Namespace* parent_;
  std::vector<Middleware> middlewares_;
  std::vector<ConnectionHandler> connection_handlers_;
  std::unordered_map<std::string, ServerSideHandler> server_side_handlers_;
  std::unordered_map<std::string, std::shared_ptr<Socket>> sockets_;
  std::unique_ptr<adapter::Adapter> adapter_;
  std::uint64_t next_ack_id_ = 0;
};

}  // namespace sio::socketio
