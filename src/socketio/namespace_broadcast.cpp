// Broadcasting over the reactors: encoded once on the reactor that broadcasts, delivered there at
// once (so that its order with that reactor's other packets is kept), posted to the others.

#include <boost/asio/steady_timer.hpp>

#include "socketio/client.hpp"
#include "socketio/json_parse.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

namespace {

constexpr std::chrono::milliseconds kDefaultAckTimeout{5000};

// The responses to one broadcast with acks, on the reactor that made it: complete when both
// parts — this server (all reactors) and the other servers — have said how many sockets they
// reached and that many have answered, or when the timeout comes first.
struct AckCollector {
  AckCollector(boost::asio::io_context::executor_type executor, BroadcastAckCallback callback)
      : callback(std::move(callback)), timer(executor) {}
  BroadcastAckCallback callback;
  boost::asio::steady_timer timer;
  int counts_missing = 2;
  std::size_t expected = 0;
  std::vector<json> responses;
  bool done = false;

  void finish(std::optional<Error> error) {
    if (done) return;
    done = true;
    timer.cancel();
    auto cb = std::move(callback);
    if (cb) cb(std::move(error), responses);
  }
  void add_count(std::size_t count) {
    expected += count;
    --counts_missing;
    check();
  }
  void add_response(const json& response) {
    if (done) return;
    responses.push_back(response);
    check();
  }
  void check() {
    if (counts_missing == 0 && responses.size() >= expected) finish(std::nullopt);
  }
};

// Brings a call back to the reactor `origin`.
template <class... Args, class F>
auto on_reactor(reactor::ReactorPool& reactors, std::size_t origin, F f) {
  return [&reactors, origin, f = std::move(f)](Args... args) {
    reactors.post(origin, [f, args...] { f(args...); });
  };
}

}  // namespace

void Namespace::broadcast(const Packet& packet, const adapter::BroadcastOptions& options) {
  auto& reactors = server_.reactors();
  if (!reactors.current()) {
    return reactors.post(0, [this, packet, options] { broadcast(packet, options); });
  }
  if (!options.flags.local && adapter_keeps_sessions() &&
      SessionStore::is_logged(packet, options)) {
    // The adapter gives it its offset (Redis Streams: the entry's id), and it is delivered here
    // once it has one, as Node does.
    const auto here = *reactors.current();
    return adapter_->broadcast_with_offset(
        packet, options, [this, &reactors, here, packet, options](std::string offset) {
          reactors.post(here, [this, packet, options, offset = std::move(offset)] {
            fan_out(packet, options, offset);
          });
        });
  }
  if (!options.flags.local) adapter_->broadcast(packet, options);
  fan_out(packet, options);
}

void Namespace::deliver(const Packet& packet, const adapter::BroadcastOptions& options,
                        const std::string& offset) {
  auto& reactors = server_.reactors();
  if (!reactors.current()) {
    return reactors.post(0, [this, packet, options, offset] { deliver(packet, options, offset); });
  }
  fan_out(packet, options, offset);
}

bool Namespace::adapter_keeps_sessions() const {
  return server_.session_store() && adapter_ && adapter_->keeps_sessions();
}

void Namespace::deliver_event(std::string data, adapter::BroadcastOptions options,
                              const std::string& offset) {
  auto& reactors = server_.reactors();
  if (!reactors.current()) {
    return reactors.post(
        0, [this, data = std::move(data), options = std::move(options), offset]() mutable {
          deliver_event(std::move(data), std::move(options), offset);
        });
  }
  if (server_.options().parser != Parser::text) {
    // The msgpack parser sends values: the text is read into one.
    Packet packet;
    packet.type = PacketType::event;
    packet.nsp = name();
    packet.data = parse_json(data);
    return fan_out(packet, options, offset);
  }
  // An EVENT without an ack id and with array data: logged unless volatile.
  auto logged_offset = offset_for(!options.flags.is_volatile, offset);
  fan_out(encode_event_broadcast(name(), std::move(data), std::move(options),
                                 std::move(logged_offset)));
}

std::optional<Broadcast::Offset> Namespace::offset_for(bool logged,
                                                       const std::string& adapter_offset) {
  // With connection state recovery, every broadcast delivered here — this server's, or another's
  // through a cluster adapter — is logged by every reactor under one offset. When the adapter
  // keeps sessions, the offset is the adapter's and nothing is logged here.
  if (!server_.session_store() || !logged) return std::nullopt;
  if (!adapter_keeps_sessions()) return server_.next_offset();
  if (!adapter_offset.empty()) {
    return Broadcast::Offset{0, Broadcast::kAdapterOrigin, adapter_offset};
  }
  return std::nullopt;
}

void Namespace::fan_out(const Packet& packet, const adapter::BroadcastOptions& options,
                        const std::string& adapter_offset) {
  fan_out(encode_broadcast(packet, options, server_.options().parser,
                           offset_for(SessionStore::is_logged(packet, options), adapter_offset)));
}

void Namespace::fan_out(BroadcastPtr broadcast) {
  auto& reactors = server_.reactors();
  const auto here = *reactors.current();
  ++server_.shard(here).stats.broadcasts;
  for (std::size_t reactor = 0; reactor < reactors.size(); ++reactor) {
    if (reactor != here) {
      reactors.post(reactor, [this, broadcast, reactor] { deliver_here(broadcast, reactor); });
    }
  }
  deliver_here(broadcast, here);
}

std::size_t Namespace::deliver_here(const BroadcastPtr& broadcast, std::size_t here) {
  auto& server_shard = server_.shard(here);
  if (server_shard.session_store) {
    server_shard.session_store->log(broadcast, SessionStore::Clock::now());
  }
  auto& shard = shards_[here];
  const bool is_volatile = broadcast->target.flags.is_volatile;
  const auto frames = frames_of(broadcast);
  std::size_t reached = 0;
  shard.rooms.for_each_target(broadcast->target, shard.sockets, [&](Socket& socket) {
    socket.send_frames(frames, is_volatile);
    ++reached;
  });
  server_shard.stats.broadcast_deliveries += reached;
  return reached;
}

void Namespace::broadcast_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                                   BroadcastAckCallback callback) {
  auto& reactors = server_.reactors();
  if (!reactors.current()) {
    return reactors.post(
        0, [this, packet, options, callback] { broadcast_with_ack(packet, options, callback); });
  }
  const auto here = *reactors.current();
  auto collector = std::make_shared<AckCollector>(reactors.executor(here), std::move(callback));
  collector->timer.expires_after(options.flags.timeout.value_or(kDefaultAckTimeout));
  collector->timer.async_wait([collector](boost::system::error_code ec) {
    if (!ec) collector->finish(Error{"operation has timed out", nullptr});
  });
  fan_out_with_ack(
      packet, options, [collector](std::size_t count) { collector->add_count(count); },
      [collector](const json& response) { collector->add_response(response); });
  if (options.flags.local) return collector->add_count(0);
  adapter_->broadcast_with_ack(
      packet, options,
      on_reactor<std::size_t>(reactors, here,
                              [collector](std::size_t count) { collector->add_count(count); }),
      on_reactor<json>(reactors, here,
                       [collector](const json& response) { collector->add_response(response); }));
}

void Namespace::deliver_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                                 adapter::ClientCountHandler on_client_count,
                                 adapter::AckHandler on_ack) {
  auto& reactors = server_.reactors();
  if (!reactors.current()) {
    return reactors.post(0, [this, packet, options, on_client_count, on_ack] {
      deliver_with_ack(packet, options, on_client_count, on_ack);
    });
  }
  fan_out_with_ack(packet, options, std::move(on_client_count), std::move(on_ack));
}

void Namespace::fan_out_with_ack(const Packet& packet, const adapter::BroadcastOptions& options,
                                 adapter::ClientCountHandler on_client_count,
                                 adapter::AckHandler on_ack) {
  auto& reactors = server_.reactors();
  const auto here = *reactors.current();
  auto with_id = packet;
  const auto id = next_ack_id();
  with_id.id = id;
  auto broadcast = encode_broadcast(with_id, options, server_.options().parser);
  ++server_.here().stats.broadcasts;
  const auto timeout = options.flags.timeout.value_or(kDefaultAckTimeout);
  // Answers come back here from the recipients' reactors.
  auto answer = std::make_shared<const adapter::AckHandler>(
      on_reactor<json>(reactors, here, std::move(on_ack)));
  // The count is told once, when every reactor has given its own (only this reactor counts).
  struct Count {
    std::size_t missing;
    std::size_t total = 0;
    adapter::ClientCountHandler done;
  };
  auto count = std::make_shared<Count>(Count{reactors.size(), 0, std::move(on_client_count)});
  auto add = [count](std::size_t reached) {
    count->total += reached;
    if (--count->missing == 0) count->done(count->total);
  };
  for (std::size_t reactor = 0; reactor < reactors.size(); ++reactor) {
    if (reactor == here) continue;
    reactors.post(reactor, [this, &reactors, here, broadcast, id, answer, timeout, add] {
      const auto reached = deliver_here_with_ack(broadcast, id, answer, timeout);
      reactors.post(here, [add, reached] { add(reached); });
    });
  }
  add(deliver_here_with_ack(broadcast, id, answer, timeout));
}

std::size_t Namespace::deliver_here_with_ack(const BroadcastPtr& broadcast, std::uint64_t id,
                                             std::shared_ptr<const adapter::AckHandler> on_ack,
                                             std::chrono::milliseconds timeout) {
  auto& shard = local_shard();
  const bool is_volatile = broadcast->target.flags.is_volatile;
  const auto frames = frames_of(broadcast);
  std::vector<std::weak_ptr<Socket>> reached;
  shard.rooms.for_each_target(broadcast->target, shard.sockets, [&](Socket& socket) {
    socket.expect_broadcast_ack(id, on_ack);
    socket.send_frames(frames, is_volatile);
    reached.push_back(socket.weak_from_this());
  });
  server_.here().stats.broadcast_deliveries += reached.size();
  if (reached.empty()) return 0;
  // A client that never answers must not keep the entry: once the broadcast has timed out, each
  // socket forgets it.
  auto timer = std::make_shared<boost::asio::steady_timer>(server_.executor(), timeout);
  const auto count = reached.size();
  timer->async_wait([timer, id, reached = std::move(reached)](boost::system::error_code) {
    for (const auto& weak : reached) {
      if (auto socket = weak.lock()) socket->forget_broadcast_ack(id);
    }
  });
  return count;
}

}  // namespace sio::socketio
