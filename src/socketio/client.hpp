#pragma once
// The Socket.IO side of one Engine.IO session: decodes its messages into packets, connects it to
// namespaces (many over one session), routes packets to its sockets and writes their frames.
// A client that joins no namespace within connect_timeout is closed.
//
// A client lives on its session's reactor, with its sockets; every member runs there.

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engineio/session.hpp"
#include "socketio/decoder.hpp"
#include "socketio/handshake.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

class Server;
class Socket;

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Server& server, std::shared_ptr<engineio::Session> session);

  void start();

  // The handshake of a socket joining a namespace with `auth`. Built from the request once, when
  // the client starts (the session then lets its request go); sockets share it, and a copy is
  // made only for a second namespace joined at the same time.
  std::shared_ptr<const Handshake> handshake_for(json auth);
  std::string_view transport() const { return session_->transport_name(); }
  // The Engine.IO session's id, and the protocol revision its client speaks (3: socket.io-client
  // 2.x, Socket.IO protocol v4: the main namespace joined implicitly, no CONNECT payloads).
  const std::string& engine_id() const { return session_->id(); }
  int protocol() const { return session_->protocol(); }
  // The sockets of this client, one per namespace it joined.
  const std::vector<std::shared_ptr<Socket>>& sockets() const { return sockets_; }
  bool is_open() const { return session_->state() == engineio::Session::State::open; }
  // Whether a volatile packet would go out now rather than queue.
  bool ready_for_volatile() const { return session_->ready_for_volatile(); }
  // The reactor the client (its session, its sockets) lives on, and its executor.
  std::size_t reactor() const { return reactor_; }
  boost::asio::io_context::executor_type executor() const { return executor_; }

  void send(const Frames& frames, bool is_volatile = false);
  void send(const Packet& packet, bool is_volatile = false);
  // Ends the Engine.IO session; sockets still connected see "server namespace disconnect".
  void close();
  // Ends the Engine.IO session without leaving the namespaces first, like Node's
  // `socket.conn.close()`: the client sees its transport close and reconnects.
  void close_connection();

 private:
  friend class Namespace;
  friend class Socket;

  void add(const std::shared_ptr<Socket>& socket);
  void remove(const Socket& socket);
  void handle_message(std::string_view data, bool binary);
  void handle_packet(Packet packet);
  void handle_connect(Packet& packet);
  void handle_session_closed(const std::string& reason);
  void split_v3_connect(Packet& packet);
  void close_for_parse_error();

  Server& server_;
  std::shared_ptr<engineio::Session> session_;
  std::size_t reactor_;
  boost::asio::io_context::executor_type executor_;
  Decoder decoder_;
  // One per joined namespace; a client joins one or a few, so a vector is the cheapest index.
  std::vector<std::shared_ptr<Socket>> sockets_;
  std::vector<std::shared_ptr<Socket>>::iterator find_socket(std::string_view nsp);
  std::shared_ptr<Handshake> handshake_;
  // Runs until the first namespace is joined, then is released.
  std::unique_ptr<boost::asio::steady_timer> connect_timer_;
  bool closed_ = false;
};

}  // namespace sio::socketio
