#pragma once
// The chat and presence behaviour of the main namespace: every socket joins `user:<id>`; rooms
// are joined through their access rule (public, or a member); messages are stored durably, then
// broadcast to `room:<id>`, then acknowledged; history; unread notifications on connect;
// presence and last-seen when a user's last socket leaves.
//
// Handlers run on their socket's reactor. Presence is counted per user on one reactor, the
// user's home (picked from the user id): every socket of the user tells it when it connects and
// leaves, so the first connection and the last disconnection are seen right whatever the
// reactors the user's sockets are on. Likewise a room's stored messages are broadcast from the
// room's home reactor, in the order the database gave them their ids: every member sees them in
// that order, the order of the history.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "app/rate_meter.hpp"
#include "app/store_worker.hpp"
#include "reactor/per_reactor.hpp"
#include "socketio/server.hpp"

namespace sio::app {

class Chat {
 public:
  static constexpr std::size_t kMaxContentLength = 4000;  // characters
  static constexpr int kMaxHistory = 100;

  Chat(socketio::Server& io, StoreWorker& store);

  // Installs the handlers on a newly connected, authenticated socket.
  void on_connection(socketio::Socket& socket);

  struct Stats {
    std::size_t online_users = 0;
    double messages_per_second = 0;
    std::uint64_t messages_stored = 0;
  };
  // Over every reactor; `done` runs on the calling one.
  void collect_stats(std::function<void(Stats)> done);

 private:
  void join_room(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void leave_room(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void send_message(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void history(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  void mark_read(socketio::Socket& socket, const socketio::Args& args, socketio::Ack ack);
  // On the user's home reactor.
  void socket_connected(const std::string& user_id);
  void socket_disconnected(const std::string& user_id, std::vector<std::string> joined_rooms);
  void user_online(const std::string& user_id);
  void user_offline(const std::string& user_id, std::vector<std::string> joined_rooms);
  std::size_t home_of(const std::string& user_id) const;
  std::size_t home_of(std::int64_t room_id) const;
  // Log an outage of the message store once, not once per refused message.
  void note_unstored(const std::string& error);
  void note_stored();

  // What one reactor keeps.
  struct Share {
    // Sockets per connected user whose home this reactor is.
    std::unordered_map<std::string, int> online;
    RateMeter message_rate;
    std::uint64_t unstored = 0;  // messages refused here since the last one stored
  };

  socketio::Server& io_;
  StoreWorker& store_;
  reactor::PerReactor<Share> shares_;
};

// Replies to a request: through its ack when there is one, else as an `error` event.
void reply_error(socketio::Socket& socket, const socketio::Ack& ack, const std::string& error);

}  // namespace sio::app
