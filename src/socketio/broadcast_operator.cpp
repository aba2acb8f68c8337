#include "socketio/broadcast_operator.hpp"

#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace sio::socketio {

namespace {

void add_unique(std::vector<adapter::Room>& into, const adapter::Room& room) {
  for (const auto& existing : into) {
    if (existing == room) return;
  }
  into.push_back(room);
}

}  // namespace

BroadcastOperator BroadcastOperator::to(const adapter::Room& room) const {
  auto copy = *this;
  add_unique(copy.options_.rooms, room);
  return copy;
}

BroadcastOperator BroadcastOperator::to(const std::vector<adapter::Room>& rooms) const {
  auto copy = *this;
  for (const auto& room : rooms) add_unique(copy.options_.rooms, room);
  return copy;
}

BroadcastOperator BroadcastOperator::except(const adapter::Room& room) const {
  auto copy = *this;
  add_unique(copy.options_.except, room);
  return copy;
}

BroadcastOperator BroadcastOperator::except(const std::vector<adapter::Room>& rooms) const {
  auto copy = *this;
  for (const auto& room : rooms) add_unique(copy.options_.except, room);
  return copy;
}

BroadcastOperator BroadcastOperator::volatile_() const {
  auto copy = *this;
  copy.options_.flags.is_volatile = true;
  return copy;
}

BroadcastOperator BroadcastOperator::local() const {
  auto copy = *this;
  copy.options_.flags.local = true;
  return copy;
}

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds timeout) const {
  auto copy = *this;
  copy.options_.flags.timeout = timeout;
  return copy;
}

void BroadcastOperator::emit_args(std::string_view event, Args args) const {
  args.insert(args.begin(), json(event));
  nsp_->broadcast(Packet{PacketType::event, nsp_->name(), std::nullopt, std::move(args)}, options_);
}

void BroadcastOperator::emit_with_ack(std::string_view event, Args args,
                                      BroadcastAckCallback callback) const {
  args.insert(args.begin(), json(event));
  nsp_->broadcast_with_ack(Packet{PacketType::event, nsp_->name(), std::nullopt, std::move(args)},
                           options_, std::move(callback));
}

void BroadcastOperator::fetch_sockets(adapter::FetchResultHandler handler) const {
  nsp_->fetch_sockets(options_, std::move(handler));
}

void BroadcastOperator::fetch_sockets(adapter::FetchHandler handler) const {
  nsp_->fetch_sockets(options_,
                      [handler = std::move(handler)](std::optional<std::string>,
                                                     std::vector<adapter::SocketDetails> sockets) {
                        handler(std::move(sockets));
                      });
}

void BroadcastOperator::sockets_join(const std::vector<adapter::Room>& rooms) const {
  nsp_->sockets_join(options_, rooms);
}

void BroadcastOperator::sockets_leave(const std::vector<adapter::Room>& rooms) const {
  nsp_->sockets_leave(options_, rooms);
}

void BroadcastOperator::disconnect_sockets(bool close) const {
  nsp_->disconnect_sockets(options_, close);
}

}  // namespace sio::socketio
