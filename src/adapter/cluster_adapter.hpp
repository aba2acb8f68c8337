#pragma once
// The protocol of Node's socket.io-adapter ClusterAdapter, on any transport: what a namespace's
// adapter publishes for the other servers and how it answers theirs, as Node's sharded Redis
// adapter and Redis Streams adapter do. A transport (ShardedRedisAdapter, …) says how a message
// travels, how a response reaches its requester and how many servers there are.
//
// Requests follow Node's rules: fetch_sockets and server_side_emit wait for every other server
// (flags.timeout, else 5 s) and report an error naming how many answered when some did not;
// a broadcast with acks counts the servers first, then each server's clients and answers.
//
// The adapter lives on one reactor (its "home", the transport's): calls made on another are
// posted there, and its handlers run there.

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "adapter/ack_broadcast.hpp"
#include "adapter/adapter.hpp"
#include "adapter/cluster_messages.hpp"
#include "adapter/local_namespace.hpp"

namespace sio::adapter {

class ClusterAdapter : public Adapter {
 public:
  ClusterAdapter(LocalNamespace& nsp, boost::asio::io_context& home);
  ~ClusterAdapter() override;

  void broadcast(const socketio::Packet& packet, const BroadcastOptions& options) override;
  void broadcast_with_offset(const socketio::Packet& packet, const BroadcastOptions& options,
                             std::function<void(std::string offset)> on_offset) override;
  void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                          ClientCountHandler on_client_count, AckHandler on_ack) override;
  void fetch_sockets(const BroadcastOptions& options, FetchResultHandler handler) override;
  void add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void disconnect_sockets(const BroadcastOptions& options, bool close) override;
  void server_side_emit(const json& args, ServerAckHandler handler) override;
  void server_count(std::function<void(std::size_t)> handler) override;
  // Call where the adapter lives, or when no reactor runs.
  void close() override;

  // A random 16-hex-digit id per namespace adapter, as Node's.
  const std::string& uid() const { return uid_; }

 protected:
  // --- the transport (called on the home reactor) ---
  // Sends a message {type, data, uid, nsp} to every other server.
  virtual void publish(const json& message) = 0;
  // The same, telling (on the home reactor) the offset the transport gave the message, or "".
  virtual void publish_with_offset(const json& message,
                                   std::function<void(std::string offset)> on_offset) {
    publish(message);
    on_offset("");
  }
  // Sends a response to the server whose adapter is `requester_uid`.
  virtual void publish_response(const std::string& requester_uid, const json& message) = 0;
  // How many servers serve this namespace, this one included (at least 1).
  virtual void count_servers(std::function<void(std::size_t)> handler) = 0;
  // Called once by close(), before pending requests are dropped.
  virtual void close_transport() {}

  // The transport hands here (on the home reactor) every message it receives, with the offset
  // it has in the transport when it has one.
  void on_message(const json& message, const std::string& offset = {});
  // The same for a broadcast read the short way (clustered::decode_broadcast_event); the
  // transport gives its uid and namespace when the message itself did not carry them.
  void on_broadcast_event(redis::BroadcastEvent event, const std::string& offset = {});

  // Runs `f` on the home reactor: at once when called there, else posted (dropped if the
  // adapter is gone by then).
  template <class F>
  void on_home(F f);

  LocalNamespace& nsp_;
  boost::asio::io_context& home_;
  bool closed_ = false;
  // Deferred work holds this weakly: the adapter may be gone by then.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

 private:
  struct PendingRequest;

  json message(clustered::MessageType type, json data) const;
  void start_request(clustered::MessageType type, json data, std::size_t expected,
                     std::chrono::milliseconds timeout, std::unique_ptr<PendingRequest> pending);
  void finish_request(const std::string& request_id, bool timed_out);
  void on_response(const json& message);
  void answer_broadcast(const json& data, const std::string& requester, const std::string& offset);
  void answer_fetch(const json& data, const std::string& requester);
  void answer_server_side_emit(const json& data, const std::string& requester);

  std::string uid_;
  std::unordered_map<std::string, std::shared_ptr<AckBroadcast>> ack_broadcasts_;
  std::unordered_map<std::string, std::unique_ptr<PendingRequest>> requests_;
};

template <class F>
void ClusterAdapter::on_home(F f) {
  if (home_.get_executor().running_in_this_thread()) return f();
  boost::asio::post(home_, [alive = std::weak_ptr(alive_), f = std::move(f)]() mutable {
    if (!alive.expired()) f();
  });
}

}  // namespace sio::adapter
