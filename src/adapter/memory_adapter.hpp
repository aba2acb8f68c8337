#pragma once
// The adapter of a server on its own, the default: there is nobody else to tell. The namespace
// delivers every broadcast on its reactors itself; the cluster operations reduce to those.

#include "adapter/adapter.hpp"

namespace sio::adapter {

class MemoryAdapter : public Adapter {
 public:
  void broadcast(const socketio::Packet&, const BroadcastOptions&) override {}
  void broadcast_with_ack(const socketio::Packet&, const BroadcastOptions&,
                          ClientCountHandler on_client_count, AckHandler) override {
    on_client_count(0);
  }
  void fetch_sockets(const BroadcastOptions&, FetchResultHandler handler) override {
    handler(std::nullopt, {});
  }
  void add_sockets(const BroadcastOptions&, const std::vector<Room>&) override {}
  void del_sockets(const BroadcastOptions&, const std::vector<Room>&) override {}
  void disconnect_sockets(const BroadcastOptions&, bool) override {}
  // No other server to tell; one waiting for answers gets none.
  void server_side_emit(const json&, ServerAckHandler handler) override {
    if (handler) handler(std::nullopt, {});
  }
  void server_count(std::function<void(std::size_t)> handler) override { handler(1); }
};

}  // namespace sio::adapter
