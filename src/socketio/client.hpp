#pragma once
// The Socket.IO side of one Engine.IO session: decodes its messages into packets, connects it to
// namespaces (many over one session), routes packets to its sockets and writes their frames.
// A client that joins no namespace within connect_timeout is closed.

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>

#include "engineio/session.hpp"
#include "socketio/decoder.hpp"
#include "socketio/packet.hpp"

namespace sio::socketio {

class Server;
class Socket;

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(Server& server, std::shared_ptr<engineio::Session> session);

  void start();

  const engineio::HttpRequest& request() const { return session_->request(); }
  std::string_view transport() const { return session_->transport_name(); }
  bool is_open() const { return session_->state() == engineio::Session::State::open; }
  // Whether a volatile packet would go out now rather than queue.
  bool ready_for_volatile() const { return session_->ready_for_volatile(); }

  void send(const Frames& frames, bool is_volatile = false);
  void send(const Packet& packet) { send(encode_frames(packet)); }
  // Ends the Engine.IO session; sockets still connected see "server namespace disconnect".
  void close();
  // Ends the Engine.IO session without leaving the namespaces first, like Node's
  // `socket.conn.close()`: the client sees its transport close and reconnects.
  void close_connection();

  // --- used by sockets and namespaces ---
  void add(const std::shared_ptr<Socket>& socket);
  void remove(const Socket& socket);

 private:
  void handle_message(std::string_view data, bool binary);
  void handle_packet(Packet packet);
  void handle_connect(Packet& packet);
  void handle_session_closed(const std::string& reason);
  void close_for_parse_error();

  Server& server_;
  std::shared_ptr<engineio::Session> session_;
  Decoder decoder_;
  std::unordered_map<std::string, std::shared_ptr<Socket>> sockets_;  // by namespace name
  boost::asio::steady_timer connect_timer_;
  bool closed_ = false;
};

}  // namespace sio::socketio
