#include "socketio/socket.hpp"

#include <boost/asio/post.hpp>
#include <unordered_set>

#include "engineio/session_id.hpp"
#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"

namespace sio::socketio {

namespace {

// Whether a socket in `current` rooms stays within `max` after joining `rooms`; the room named
// after the socket itself does not count.
bool fits_room_limit(const std::vector<adapter::Room>& current,
                     const std::vector<adapter::Room>& rooms, const std::string& own,
                     std::size_t max) {
  std::unordered_set<std::string_view> after(current.begin(), current.end());
  after.insert(rooms.begin(), rooms.end());
  return after.size() - after.count(own) <= max;
}

}  // namespace

Socket::Socket(Namespace& nsp, std::shared_ptr<Client> client,
               std::shared_ptr<const Handshake> handshake)
    : nsp_(nsp),
      client_(std::move(client)),
      // A 2.x client derives its socket's id from its Engine.IO session's: so does the server.
      id_(client_ && client_->protocol() == 3
              ? (nsp.name() == "/" ? client_->engine_id() : nsp.name() + "#" + client_->engine_id())
              : engineio::generate_session_id()),
      handshake_(std::move(handshake)) {}

Socket::~Socket() = default;

std::string_view Socket::transport() const {
  return client_->transport();
}

const std::string& Socket::conn_id() const {
  return client_->engine_id();
}

boost::asio::io_context::executor_type Socket::executor() const {
  return client_->executor();
}

void Socket::on(const std::string& event, EventHandler handler) {
  listeners_.add({event, std::move(handler), false});
}

void Socket::once(const std::string& event, EventHandler handler) {
  listeners_.add({event, std::move(handler), true});
}

void Socket::off(const std::string& event) {
  listeners_.remove_if([&](const Listener& l) { return l.event == event; });
}

void Socket::on_any(AnyHandler handler) {
  any_listeners_.add({std::move(handler)});
}

void Socket::on_disconnecting(ReasonHandler handler) {
  disconnecting_handlers_.push_back(std::move(handler));
}

void Socket::on_disconnect(ReasonHandler handler) {
  disconnect_handlers_.push_back(std::move(handler));
}

void Socket::send_packet(Packet packet) {
  if (!connected_) return;
  packet.nsp = nsp_.name();
  client_->send(packet);
}

void Socket::emit_args(std::string_view event, Args args) {
  if (auto* observer = nsp_.server().observer(); observer && connected_) {
    observer->event_sent(*this, event, args);
  }
  args.insert(args.begin(), json(event));
  Packet packet{PacketType::event, nsp_.name(), std::nullopt, std::move(args)};
  auto* store = nsp_.server().session_store();
  if (!store) return send_packet(std::move(packet));
  if (!connected_) return;
  // With recovery on, Node sends a private emit as a broadcast to the socket's own room: it is
  // logged with an offset, so it comes again after a recovery, and the offset the client keeps
  // (the last string argument of any event) stays one the server knows.
  adapter::BroadcastOptions own_room;
  own_room.rooms = {id_};
  if (nsp_.adapter_keeps_sessions()) {
    // The offset is the adapter's (Redis Streams: the entry's id): sent once it has one.
    auto& reactors = nsp_.server().reactors();
    const auto here = reactors.current_or_home();
    return nsp_.adapter_->broadcast_with_offset(
        packet, own_room,
        [weak = weak_from_this(), &reactors, here, packet, own_room](std::string offset) {
          reactors.post(here, [weak, packet, own_room, offset = std::move(offset)] {
            auto self = weak.lock();
            if (!self || !self->connected_) return;
            std::optional<Broadcast::Offset> at;
            if (!offset.empty()) at = Broadcast::Offset{0, Broadcast::kAdapterOrigin, offset};
            self->client_->send(frames_of(
                encode_broadcast(packet, own_room, self->nsp_.server().options().parser, at)));
          });
        });
  }
  auto broadcast = encode_broadcast(packet, own_room, nsp_.server().options().parser,
                                    nsp_.server().next_offset());
  store->log(broadcast, SessionStore::Clock::now());
  client_->send(frames_of(broadcast));
}

void Socket::emit_volatile(std::string_view event, Args args) {
  if (!connected_) return;
  args.insert(args.begin(), json(event));
  client_->send(Packet{PacketType::event, nsp_.name(), std::nullopt, std::move(args)}, true);
}

void Socket::emit_with_ack(std::string_view event, Args args, AckCallback callback,
                           std::optional<std::chrono::milliseconds> timeout) {
  if (!connected_) {
    if (callback) callback(Error{"socket has been disconnected", nullptr}, Args::array());
    return;
  }
  const auto id = nsp_.next_ack_id();
  PendingAck pending{std::move(callback), nullptr};
  if (timeout) {
    pending.timer = std::make_unique<boost::asio::steady_timer>(executor(), *timeout);
    std::weak_ptr<Socket> weak = shared_from_this();
    pending.timer->async_wait([weak, id](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      auto it = self->acks_.find(id);
      if (it == self->acks_.end()) return;
      auto expired = std::move(it->second.callback);
      self->acks_.erase(it);
      if (expired) expired(Error{"operation has timed out", nullptr}, Args::array());
    });
  }
  acks_.emplace(id, std::move(pending));
  args.insert(args.begin(), json(event));
  send_packet(Packet{PacketType::event, nsp_.name(), id, std::move(args)});
}

bool Socket::join(const adapter::Room& room) {
  return join(std::vector<adapter::Room>{room});
}

bool Socket::join(const std::vector<adapter::Room>& rooms) {
  if (!can_join(rooms)) return false;
  auto& index = nsp_.local_shard().rooms;
  for (const auto& room : rooms) index.join(*this, room);
  return true;
}

bool Socket::can_join(const adapter::Room& room) const {
  return can_join(std::vector{room});
}

bool Socket::can_join(const std::vector<adapter::Room>& rooms) const {
  if (!connected_) return false;
  const auto max = nsp_.server().options().max_rooms_per_socket;
  return max == 0 || fits_room_limit(RoomIndex::rooms_of(*this), rooms, id_, max);
}

void Socket::leave(const adapter::Room& room) {
  if (!connected_) return;
  nsp_.local_shard().rooms.leave(*this, room);
}

std::vector<adapter::Room> Socket::rooms() const {
  return RoomIndex::rooms_of(*this);
}

bool Socket::in_room(const adapter::Room& room) const {
  return RoomIndex::in_room(*this, room);
}

BroadcastOperator Socket::broadcast() const {
  adapter::BroadcastOptions options;
  options.except = {id_};
  return BroadcastOperator(nsp_, std::move(options));
}

BroadcastOperator Socket::to(const adapter::Room& room) const {
  return broadcast().to(room);
}

BroadcastOperator Socket::to(const std::vector<adapter::Room>& rooms) const {
  return broadcast().to(rooms);
}

BroadcastOperator Socket::except(const adapter::Room& room) const {
  return broadcast().except(room);
}

void Socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) return client_->close();
  send_packet(Packet{PacketType::disconnect, nsp_.name(), std::nullopt, nullptr});
  handle_close("server namespace disconnect");
}

void Socket::close_connection() {
  client_->close_connection();
}

void Socket::handle_packet(Packet packet) {
  if (!connected_) return;
  switch (packet.type) {
    case PacketType::event:
    case PacketType::binary_event:
      if (!admit_event(packet)) return;
      return handle_event(packet);
    case PacketType::ack:
    case PacketType::binary_ack:
      return handle_ack(packet);
    case PacketType::disconnect:
      return handle_close("client namespace disconnect");
    default:
      return;  // CONNECT is the client's business; CONNECT_ERROR only flows to clients
  }
}

bool Socket::admit_event(const Packet& packet) {
  const auto& rule = nsp_.event_rule_;
  if (!rule.enabled()) return true;
  const auto verdict = event_bucket_.take(rule, EventBucket::Clock::now());
  if (verdict == EventBucket::Verdict::allowed) return true;
  auto& stats = nsp_.server().here().stats;
  ++stats.rate_limited_events;
  if (verdict == EventBucket::Verdict::disconnect) {
    ++stats.rate_limited_disconnects;
    disconnect();
    return false;
  }
  const auto& limit = nsp_.event_rate_limit();
  if (packet.id) {
    send_packet(Packet{PacketType::ack, nsp_.name(), packet.id, limit.ack_response});
  } else {
    emit("error", limit.message);
  }
  return false;
}

void Socket::handle_event(Packet& packet) {
  auto self = shared_from_this();
  const std::string event = packet.data[0].get<std::string>();
  Args args = Args::array();
  for (std::size_t i = 1; i < packet.data.size(); ++i) args.push_back(std::move(packet.data[i]));

  Ack ack;
  if (packet.id) {
    // The answer may come later, from anywhere (a store result, another reactor): it is sent
    // from the socket's reactor.
    ack = Ack([weak = std::weak_ptr<Socket>(self), &reactors = nsp_.server().reactors(),
               reactor = client_->reactor(), id = *packet.id](Args response) {
      auto send = [weak, id, response = std::move(response)]() mutable {
        if (auto socket = weak.lock()) {
          socket->send_packet(
              Packet{PacketType::ack, socket->nsp_.name(), id, std::move(response)});
        }
      };
      // Posted through the pool, so that it keeps its order behind the broadcasts the same
      // reactor made before (a message to the room, then the sender's confirmation).
      if (reactors.current() == reactor) return send();
      reactors.post(reactor, std::move(send));
    });
  }

  if (auto* observer = nsp_.server().observer()) observer->event_received(*this, event, args);
  any_listeners_.for_each([&](AnyListener& listener) {
    listener.handler(*this, event, args);
    return connected_;
  });
  if (!connected_) return;
  listeners_.for_each([&](Listener& listener) {
    if (listener.event != event) return true;
    // A once-handler is off before it runs (as in Node: it may re-register itself).
    if (listener.once) listeners_.remove_if([&](const Listener& l) { return &l == &listener; });
    listener.handler(*this, args, ack);
    return connected_;
  });
}

void Socket::handle_ack(Packet& packet) {
  if (!packet.id) return;
  if (auto it = acks_.find(*packet.id); it != acks_.end()) {
    auto callback = std::move(it->second.callback);
    acks_.erase(it);
    if (callback) callback(std::nullopt, packet.data);
    return;
  }
  if (auto it = broadcast_acks_.find(*packet.id); it != broadcast_acks_.end()) {
    auto handler = std::move(it->second);
    broadcast_acks_.erase(it);
    (*handler)(packet.data.empty() ? json(nullptr) : packet.data[0]);
  }
}

void Socket::expect_broadcast_ack(std::uint64_t id, BroadcastAckHandler handler) {
  broadcast_acks_[id] = std::move(handler);
}

void Socket::send_frames(const Frames& frames, bool is_volatile) {
  if (!connected_) return;
  client_->send(frames, is_volatile);
}

void Socket::handle_close(const std::string& reason) {
  if (!connected_) return;
  auto self = shared_from_this();
  // Each list runs once in a socket's life: it is moved out, never copied.
  auto disconnecting = std::move(disconnecting_handlers_);
  disconnecting_handlers_.clear();
  for (auto& handler : disconnecting) handler(*this, reason);
  if (auto* observer = nsp_.server().observer()) observer->socket_disconnected(*this, reason);
  persist_session(reason);
  nsp_.local_shard().rooms.leave_all(*this);
  nsp_.remove(*this);
  client_->remove(*this);
  connected_ = false;
  fail_pending_acks("socket has been disconnected");
  auto disconnected = std::move(disconnect_handlers_);
  disconnect_handlers_.clear();
  for (auto& handler : disconnected) handler(*this, reason);
  // Handlers often capture what owns this socket; dropping them breaks such cycles.
  listeners_.clear();
  any_listeners_.clear();
  broadcast_acks_.clear();
}

void Socket::set_session(std::string id, std::string pid, bool recovered) {
  id_ = std::move(id);
  pid_ = std::move(pid);
  recovered_ = recovered;
}

void Socket::persist_session(const std::string& reason) {
  auto* store = nsp_.server().session_store();
  if (!store || pid_.empty() || !is_recoverable(reason)) return;
  if (nsp_.adapter_keeps_sessions()) {
    return nsp_.adapter_->persist_session({id_, pid_, rooms(), data});
  }
  store->persist(PersistedSession{nsp_.name(), id_, pid_, rooms(), data},
                 SessionStore::Clock::now());
}

void Socket::fail_pending_acks(const std::string& message) {
  auto pending = std::move(acks_);
  acks_.clear();
  for (auto& [id, ack] : pending) {
    if (ack.timer) ack.timer->cancel();
    if (ack.callback) ack.callback(Error{message, nullptr}, Args::array());
  }
}

}  // namespace sio::socketio
