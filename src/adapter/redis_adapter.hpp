#pragma once
// The Redis adapter: a namespace's adapter for a cluster of servers that share one Redis,
// wire-compatible with Node's @socket.io/redis-adapter 8.3 (the classic, non-sharded one) and
// with @socket.io/redis-emitter. sio and Node servers can serve one cluster together.
//
// Broadcasts are published for the other servers (never the `local` ones), and cluster-wide
// operations (fetch_sockets, sockets_join/leave, disconnect_sockets, server_side_emit, broadcasts
// with acks) become requests that every server answers. What other servers publish is decoded
// once and handed to the namespace, which delivers it on each of its reactors. While Redis is
// unreachable, local delivery goes on; the other servers are reached again once it is back.
//
// The adapter lives on the reactor of its RedisClient (one pair of Redis connections per
// process): calls made on any other reactor are posted there, and its handlers run there.
//
//   auto redis = sio::adapter::RedisClient::create(ctx, "redis://localhost:6379");
//   io.set_adapter(sio::adapter::make_redis_adapter_factory(redis));

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "adapter/ack_broadcast.hpp"
#include "adapter/adapter.hpp"
#include "adapter/local_namespace.hpp"
#include "adapter/redis_client.hpp"
#include "adapter/redis_messages.hpp"

namespace sio::adapter {

struct RedisAdapterOptions {
  // Prefix of every channel name.
  std::string key = "socket.io";
  // How long to wait for the other servers to answer a request.
  std::chrono::milliseconds requests_timeout{5000};
  // Answer a request on the requester's own response channel rather than the shared one
  // (Node's publishOnSpecificResponseChannel; off by default there too).
  bool publish_on_specific_response_channel = false;
};

// Everything a server needs to join a cluster.
struct RedisOptions {
  std::string url = "redis://127.0.0.1:6379";
  std::string key = "socket.io";
  std::chrono::milliseconds requests_timeout{5000};
  bool publish_on_specific_response_channel = false;
  // Bytes of publishes that may wait while Redis is unreachable; beyond, they are dropped.
  std::size_t max_queued_bytes = 16 * 1024 * 1024;
};

class RedisAdapter : public Adapter {
 public:
  RedisAdapter(LocalNamespace& nsp, std::shared_ptr<RedisClient> client,
               RedisAdapterOptions options);
  ~RedisAdapter() override;

  void broadcast(const socketio::Packet& packet, const BroadcastOptions& options) override;
  // `on_client_count` is called once, with the total of the other servers, when all have told
  // theirs.
  void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& options,
                          ClientCountHandler on_client_count, AckHandler on_ack) override;
  // On timeout, the handler gets an error and the sockets of the servers that answered.
  void fetch_sockets(const BroadcastOptions& options, FetchResultHandler handler) override;
  void add_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void del_sockets(const BroadcastOptions& options, const std::vector<Room>& rooms) override;
  void disconnect_sockets(const BroadcastOptions& options, bool close) override;
  void server_side_emit(const json& args, ServerAckHandler handler) override;
  void server_count(std::function<void(std::size_t)> handler) override;
  // Call where the adapter lives, or when no reactor runs.
  void close() override;

  const std::string& uid() const { return uid_; }
  RedisClient& client() { return *client_; }

 private:
  struct PendingRequest;

  // Runs `f` on the client's reactor: at once when called there, else posted (and dropped if
  // the adapter is gone by then).
  template <class F>
  void on_home(F f);
  void subscribe();
  void emit_to_servers(const json& args, ServerAckHandler handler);
  void count_servers(std::function<void(std::size_t)> handler);

  // What this server asks of the others, and their answers (redis_adapter.cpp).
  void publish_request(const json& request) {
    client_->publish(channels_.request, redis::stringify(request));
  }
  void start_request(std::string request_id, std::unique_ptr<PendingRequest> pending,
                     const json& request);
  void finish_request(const std::string& request_id, bool timed_out);
  void on_response(std::string_view payload);
  void handle_ack_response(AckBroadcast& pending, const json& response);
  void handle_request_response(const std::string& request_id, PendingRequest& pending,
                               const json& response);

  // What the others send to this server (redis_adapter_answers.cpp).
  void on_broadcast_message(std::string_view channel, std::string_view payload);
  void on_request(std::string_view payload);
  void answer_broadcast_request(const json& request);
  void answer_server_side_emit(const json& request);
  void answer_single_socket(const json& request, redis::RequestType type);
  void publish_response(const json& request, const std::string& payload);

  LocalNamespace& nsp_;
  std::shared_ptr<RedisClient> client_;
  RedisAdapterOptions options_;
  std::string uid_;
  redis::Channels channels_;
  std::vector<RedisClient::SubscriptionId> subscriptions_;
  std::unordered_map<std::string, std::shared_ptr<AckBroadcast>> ack_broadcasts_;
  std::unordered_map<std::string, std::unique_ptr<PendingRequest>> requests_;
  // Deferred work (posts, timers, Redis replies) holds this weakly: the adapter may be gone by
  // then.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool closed_ = false;
};

// For ServerOptions::adapter / Server::set_adapter: every namespace shares `client`.
AdapterFactory make_redis_adapter_factory(std::shared_ptr<RedisClient> client,
                                          RedisAdapterOptions options = {});
// Same, with a client of its own (reach it through RedisAdapter::client()). Throws
// std::invalid_argument for a bad URL.
AdapterFactory make_redis_adapter_factory(boost::asio::io_context& ctx, RedisOptions options);

}  // namespace sio::adapter
