#include "socketio/broadcast_operator.hpp"

#include <boost/asio/steady_timer.hpp>

#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace sio::socketio {

namespace {
constexpr std::chrono::milliseconds kDefaultAckTimeout{5000};

void add_unique(std::vector<adapter::Room>& into, const adapter::Room& room) {
  for (const auto& existing : into) {
    if (existing == room) return;
  }
  into.push_back(room);
}

// The responses to one broadcast with acks, complete when every recipient counted has answered.
struct AckCollector {
  explicit AckCollector(boost::asio::io_context& ctx) : timer(ctx) {}
  BroadcastAckCallback callback;
  boost::asio::steady_timer timer;
  std::optional<std::size_t> expected;
  std::vector<json> responses;
  bool done = false;

  void finish(std::optional<Error> error) {
    if (done) return;
    done = true;
    timer.cancel();
    auto cb = std::move(callback);
    if (cb) cb(std::move(error), responses);
  }
  void check() {
    if (expected && responses.size() >= *expected) finish(std::nullopt);
  }
};
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
  nsp_->adapter().broadcast(Packet{PacketType::event, nsp_->name(), std::nullopt, std::move(args)},
                            options_);
}

void BroadcastOperator::emit_with_ack(std::string_view event, Args args,
                                      BroadcastAckCallback callback) const {
  args.insert(args.begin(), json(event));
  auto collector = std::make_shared<AckCollector>(nsp_->server().context());
  collector->callback = std::move(callback);
  collector->timer.expires_after(options_.flags.timeout.value_or(kDefaultAckTimeout));
  collector->timer.async_wait([collector](boost::system::error_code ec) {
    if (!ec) collector->finish(Error{"operation has timed out", nullptr});
  });
  nsp_->adapter().broadcast_with_ack(
      Packet{PacketType::event, nsp_->name(), std::nullopt, std::move(args)}, options_,
      [collector](std::size_t count) {
        collector->expected = count;
        collector->check();
      },
      [collector](const json& response) {
        if (collector->done) return;
        collector->responses.push_back(response);
        collector->check();
      });
}

void BroadcastOperator::fetch_sockets(adapter::Adapter::FetchHandler handler) const {
  nsp_->adapter().fetch_sockets(options_, std::move(handler));
}

void BroadcastOperator::sockets_join(const std::vector<adapter::Room>& rooms) const {
  nsp_->adapter().add_sockets(options_, rooms);
}

void BroadcastOperator::sockets_leave(const std::vector<adapter::Room>& rooms) const {
  nsp_->adapter().del_sockets(options_, rooms);
}

void BroadcastOperator::disconnect_sockets(bool close) const {
  nsp_->adapter().disconnect_sockets(options_, close);
}

}  // namespace sio::socketio
