#pragma once
// The chat and presence behaviour of the main namespace: every socket joins `user:<id>`; rooms
// are joined through their access rule (public, or a member); messages are stored durably, then
// broadcast to `room:<id>`, then acknowledged; history; unread notifications on connect;
// presence and last-seen when a user's last socket leaves.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "app/rate_meter.hpp"
#include "app/store_worker.hpp"
#include "socketio/server.hpp"

namespace sio::app {

class Chat {
 public:
  static constexpr std::size_t kMaxContentLength = 4000;  // characters
  static constexpr int kMaxHistory = 100;

  Chat(socketio::Server& io, StoreWorker& store);

  // Installs the handlers on a newly connected, authenticated socket.
  void on_connection(socketio::Socket& socket);

  std::size_t online_users() const { return online_.size(); }
  RateMeter& message_rate() { return message_rate_; }

 private:
  void join_room(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void leave_room(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void send_message(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void history(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void mark_read(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void user_online(const std::string& user_id);
  void user_offline(const std::string& user_id, std::vector<std::string> joined_rooms);
  // Log an outage of the message store once, not once per refused message.
  void note_unstored(const std::string& error);
  void note_stored();

  socketio::Server& io_;
  StoreWorker& store_;
  // Sockets per connected user on this server.
  std::unordered_map<std::string, int> online_;
  RateMeter message_rate_;
  std::uint64_t unstored_ = 0;  // messages refused since the last one stored
};

// Replies to a request: through its ack when there is one, else as an `error` event.
void reply_error(socketio::Socket& socket, const socketio::Ack& ack, const std::string& error);

}  // namespace sio::app
