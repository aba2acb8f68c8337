#pragma once
// The broadcast operator behind `io.to(room)`, `socket.broadcast`, `except`, `volatile`, `local`
// and `timeout`: an immutable description of who to reach, with emit and the socket utilities
// (fetch_sockets, sockets_join, sockets_leave, disconnect_sockets). Every call reaches the sockets
// of every reactor and, through the namespace's adapter, of every server of a cluster. Usable
// from any reactor; handlers are answered on the calling one.
//
// A broadcast packet is encoded once and its bytes are shared by every recipient.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapter/adapter.hpp"
#include "socketio/ack.hpp"

namespace sio::socketio {

class Namespace;

// err is set when some clients did not answer in time; responses hold what arrived (each the
// first argument of a client's ack).
using BroadcastAckCallback =
    std::function<void(std::optional<Error> error, const std::vector<json>& responses)>;

class BroadcastOperator {
 public:
  BroadcastOperator(Namespace& nsp, adapter::BroadcastOptions options = {})
      : nsp_(&nsp), options_(std::move(options)) {}

  BroadcastOperator to(const adapter::Room& room) const;
  BroadcastOperator to(const std::vector<adapter::Room>& rooms) const;
  BroadcastOperator in(const adapter::Room& room) const { return to(room); }
  BroadcastOperator in(const std::vector<adapter::Room>& rooms) const { return to(rooms); }
  BroadcastOperator except(const adapter::Room& room) const;
  BroadcastOperator except(const std::vector<adapter::Room>& rooms) const;
  BroadcastOperator volatile_() const;
  BroadcastOperator local() const;
  BroadcastOperator timeout(std::chrono::milliseconds timeout) const;

  template <class... T>
  void emit(std::string_view event, T&&... args) const {
    emit_args(event, Args::array({json(std::forward<T>(args))...}));
  }
  void emit_args(std::string_view event, Args args) const;
  // Collects one ack from every recipient; needs timeout() (default 5 s otherwise).
  void emit_with_ack(std::string_view event, Args args, BroadcastAckCallback callback) const;

  // The matching sockets of every server. The first form is told when some servers did not
  // answer in time (with the sockets of those that did); the second gets the sockets only.
  void fetch_sockets(adapter::FetchResultHandler handler) const;
  void fetch_sockets(adapter::FetchHandler handler) const;
  void sockets_join(const std::vector<adapter::Room>& rooms) const;
  void sockets_leave(const std::vector<adapter::Room>& rooms) const;
  void disconnect_sockets(bool close = false) const;

  const adapter::BroadcastOptions& options() const { return options_; }

 private:
  Namespace* nsp_;
  adapter::BroadcastOptions options_;
};

}  // namespace sio::socketio
