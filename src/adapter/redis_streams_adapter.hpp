#pragma once
// The Redis Streams adapter: a namespace's adapter for a cluster of servers that share one Redis
// through a stream, wire-compatible with Node's @socket.io/redis-streams-adapter 0.3 — with
// connection state recovery across servers: a client whose server went away comes back on any
// other with the same id, rooms and data, and gets what its rooms were sent meanwhile.
//
// What travels where, as Node's 0.3 does (P = channel prefix, default "socket.io"):
//   the stream (XADD <stream> MAXLEN ~ <max_len> * uid <uid> nsp <nsp> type <n> data <data>)
//       broadcasts without acks, sockets_join/leave, disconnect_sockets; `data` is JSON, or
//       base64 MessagePack when it holds binaries. An entry's id is its offset.
//   P#<nsp>#         (PUBLISH, MessagePack) fetch_sockets, server_side_emit, broadcasts with acks;
//                    PUBSUB NUMSUB on it counts the servers
//   P#<nsp>#<uid>#   the responses to the adapter <uid>
//   <session_key_prefix><pid>  a disconnected socket's session, base64 MessagePack
//                    {sid, pid, rooms, data}, expiring after the recovery window
//
// With recovery on (ServerOptions::connection_state_recovery) a broadcast of this server is
// delivered here once Redis has given it its offset, and so is a private emit (Node sends it
// through the stream too, so that a client that changes server still finds it). A session is
// taken back with GET+DEL, checked against the stream (its offset must still be there) and
// completed with the broadcast entries after the offset that its rooms would have received.
// While Redis is unreachable, broadcasts are delivered here at once, without an offset.
//
// The adapter lives on the reactor of its RedisClient: calls made on another are posted there.

#include <chrono>
#include <memory>
#include <string>

#include "adapter/cluster_adapter.hpp"
#include "adapter/redis_client.hpp"
#include "adapter/redis_stream_reader.hpp"

namespace sio::adapter {

struct RedisStreamsOptions {
  std::string stream_name = "socket.io";
  std::string channel_prefix = "socket.io";
  // Entries the stream keeps (about: MAXLEN ~).
  std::size_t max_len = 10000;
  // Entries per XREAD, and per XRANGE when a session is restored.
  std::size_t read_count = 100;
  std::string session_key_prefix = "sio:session:";
  // How long a session is kept in Redis: the server's recovery window.
  std::chrono::milliseconds session_ttl{120000};
};

class RedisStreamsAdapter : public ClusterAdapter {
 public:
  RedisStreamsAdapter(LocalNamespace& nsp, std::shared_ptr<RedisClient> client,
                      std::shared_ptr<RedisStreamReader> reader, RedisStreamsOptions options);
  ~RedisStreamsAdapter() override;

  bool keeps_sessions() const override { return true; }
  void persist_session(const SessionRecord& session) override;
  void restore_session(const std::string& pid, const std::string& offset,
                       std::function<void(std::optional<RestoredSession>)> handler) override;

 protected:
  void publish(const json& message) override;
  void publish_with_offset(const json& message,
                           std::function<void(std::string offset)> on_offset) override;
  void publish_response(const std::string& requester_uid, const json& message) override;
  void count_servers(std::function<void(std::size_t)> handler) override;
  void close_transport() override;

 private:
  struct Restore;

  void subscribe();
  void on_entry(const std::string& id, StreamFieldsView fields);
  bool add_entry(const json& message, RedisConnection::ReplyHandler handler);
  void read_missed(std::shared_ptr<Restore> restore, std::string after, int calls);

  std::shared_ptr<RedisClient> client_;
  std::shared_ptr<RedisStreamReader> reader_;
  RedisStreamsOptions options_;
  std::string channel_;  // P#<nsp>#
  std::vector<RedisClient::SubscriptionId> subscriptions_;
  RedisStreamReader::HandlerId reader_handler_ = 0;
};

// For ServerOptions::adapter / Server::set_adapter: every namespace shares `client` and one
// reader of the stream (made on first use, on the client's io_context).
AdapterFactory make_redis_streams_adapter_factory(std::shared_ptr<RedisClient> client,
                                                  RedisStreamsOptions options = {});

}  // namespace sio::adapter
