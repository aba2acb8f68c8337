#pragma once
// One simulated Socket.IO client on the main namespace: it connects with a JWT in the CONNECT
// auth (`40{"token":...}`), answers heartbeats, joins a room with an acknowledgement
// (`421["join-room","7"]` → `431[{"ok":true}]`), publishes timestamped messages and reads the
// room's `message` events, telling its observer about each step.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loadgen/transport.hpp"

namespace sio::bench {

class Client;

// What the scenario learns from its clients.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  virtual void on_connected(Client& client) = 0;
  virtual void on_joined(Client& client) = 0;
  // A `message` event whose content is "<sent_ns>|<seq>|<publisher>".
  virtual void on_delivery(Client& receiver, std::uint64_t sent_ns, std::uint64_t seq,
                           std::uint32_t publisher) = 0;
  virtual void on_failed(Client& client, std::string_view reason) = 0;
  // An `error` event: the server refused a request that asked for no ack (its argument, as JSON).
  virtual void on_error_event(Client& client, std::string_view message) = 0;
};

class Client final : public PacketSink {
 public:
  enum class State { idle, connecting, connected, joined, failed, closed };

  Client(ClientObserver& observer, std::uint32_t index, std::string token);
  ~Client() override;

  void connect(boost::asio::io_context& ctx, const Target& target,
               std::optional<boost::asio::ip::address> source, bool polling);
  void join(std::string room);
  // Emits `message` to the client's room with the current time, `seq` and `publisher` in it.
  void publish(std::uint64_t seq, std::uint32_t publisher);
  void close();

  State state() const { return state_; }
  std::uint32_t index() const { return index_; }
  bool polling() const { return polling_; }
  const std::string& room() const { return room_; }
  std::uint64_t connect_started_ns() const { return connect_started_ns_; }
  bool was_connected() const { return was_connected_; }
  bool was_joined() const { return was_joined_; }
  // False when this (publisher, seq) was already seen: a duplicate.
  bool note_sequence(std::uint32_t publisher, std::uint64_t seq);

  void on_packet(std::string_view packet) override;
  void on_closed(std::string_view reason) override;

 private:
  void on_socketio_packet(std::string_view packet);
  void fail(std::string_view reason);

  ClientObserver& observer_;
  std::uint32_t index_;
  std::string token_;
  std::string room_;
  bool polling_ = false;
  State state_ = State::idle;
  bool was_connected_ = false;
  bool was_joined_ = false;
  std::uint64_t connect_started_ns_ = 0;
  std::shared_ptr<Transport> transport_;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> last_seq_;  // per publisher heard
  std::string scratch_;
};

// Nanoseconds on the monotonic clock (shared by every process on the machine).
std::uint64_t now_ns();

}  // namespace sio::bench
