// The socket utilities over every reactor (and, through the adapter, every server): fetch_sockets,
// sockets_join/leave, disconnect_sockets, and what an adapter asks of this server.

#include <algorithm>
#include <set>

#include "reactor/gather.hpp"
#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

template <class Act>
void Namespace::on_every_reactor(Act act) {
  auto& reactors = server_.reactors();
  const auto here = reactors.current();
  for (std::size_t reactor = 0; reactor < reactors.size(); ++reactor) {
    if (reactor != here) reactors.post(reactor, [this, act] { act(local_shard()); });
  }
  // At once on the calling reactor: what it does next (a broadcast to the rooms just joined) sees
  // it; the other reactors get it before anything this reactor posts them later.
  if (here) act(local_shard());
}

std::vector<Socket*> Namespace::targets_here(const adapter::BroadcastOptions& options) {
  auto& shard = local_shard();
  std::vector<Socket*> targets;
  shard.rooms.for_each_target(options, shard.sockets,
                              [&](Socket& socket) { targets.push_back(&socket); });
  return targets;
}

// --- from BroadcastOperator ----------------------------------------------------------------

void Namespace::fetch_sockets(const adapter::BroadcastOptions& options,
                              adapter::FetchResultHandler handler) {
  fetch_local(options, [this, options, handler = std::move(handler)](
                           std::vector<adapter::SocketDetails> local) mutable {
    if (options.flags.local) return handler(std::nullopt, std::move(local));
    auto& reactors = server_.reactors();
    adapter_->fetch_sockets(
        options, [&reactors, here = reactors.current_or_home(), handler = std::move(handler),
                  local = std::move(local)](std::optional<std::string> error,
                                            std::vector<adapter::SocketDetails> remote) mutable {
          reactors.post(here, [handler = std::move(handler), local = std::move(local),
                               error = std::move(error), remote = std::move(remote)]() mutable {
            local.insert(local.end(), std::make_move_iterator(remote.begin()),
                         std::make_move_iterator(remote.end()));
            handler(std::move(error), std::move(local));
          });
        });
  });
}

void Namespace::room_existence_changed(const adapter::Room& room, bool own, bool exists) {
  if (!adapter_ || !adapter_->wants_room_events()) return;
  if (exists) return adapter_->room_appeared(room, own);
  adapter_->room_vanished(room, own);
}

// The cluster-wide utilities act here at once and tell the other servers, which act on receipt.
void Namespace::sockets_join(const adapter::BroadcastOptions& options,
                             const std::vector<adapter::Room>& rooms) {
  if (!options.flags.local) adapter_->add_sockets(options, rooms);
  join_local(options, rooms);
}

void Namespace::sockets_leave(const adapter::BroadcastOptions& options,
                              const std::vector<adapter::Room>& rooms) {
  if (!options.flags.local) adapter_->del_sockets(options, rooms);
  leave_local(options, rooms);
}

void Namespace::disconnect_sockets(const adapter::BroadcastOptions& options, bool close) {
  if (!options.flags.local) adapter_->disconnect_sockets(options, close);
  disconnect_local(options, close);
}

// --- adapter::LocalNamespace ---------------------------------------------------------------

void Namespace::fetch_local(const adapter::BroadcastOptions& options,
                            adapter::FetchHandler handler) {
  reactor::gather<std::vector<adapter::SocketDetails>>(
      server_.reactors(),
      [this, options](std::size_t) {
        std::vector<adapter::SocketDetails> details;
        for (auto* socket : targets_here(options)) {
          details.push_back(
              {socket->id(), socket->handshake().to_json(), socket->rooms(), socket->data});
        }
        return details;
      },
      [handler = std::move(handler)](std::vector<std::vector<adapter::SocketDetails>> parts) {
        std::vector<adapter::SocketDetails> all;
        for (auto& part : parts) {
          all.insert(all.end(), std::make_move_iterator(part.begin()),
                     std::make_move_iterator(part.end()));
        }
        handler(std::move(all));
      });
}

void Namespace::local_socket_ids(const adapter::BroadcastOptions& options,
                                 std::function<void(std::vector<adapter::SocketId>)> handler) {
  reactor::gather<std::vector<adapter::SocketId>>(
      server_.reactors(),
      [this, options](std::size_t) {
        std::vector<adapter::SocketId> ids;
        for (auto* socket : targets_here(options)) ids.push_back(socket->id());
        return ids;
      },
      [handler = std::move(handler)](std::vector<std::vector<adapter::SocketId>> parts) {
        std::vector<adapter::SocketId> all;
        for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
        handler(std::move(all));
      });
}

void Namespace::local_rooms(std::function<void(std::vector<adapter::Room>)> handler) {
  reactor::gather<std::vector<adapter::Room>>(
      server_.reactors(), [this](std::size_t) { return local_rooms_here(); },
      [handler = std::move(handler)](std::vector<std::vector<adapter::Room>> parts) {
        std::set<adapter::Room> all;
        for (auto& part : parts) all.insert(part.begin(), part.end());
        handler(std::vector<adapter::Room>(all.begin(), all.end()));
      });
}

// Joining and leaving this way bypass max_rooms_per_socket, as in Node: the server asked.
void Namespace::join_local(const adapter::BroadcastOptions& options,
                           const std::vector<adapter::Room>& rooms) {
  on_every_reactor([this, options, rooms](Shard& shard) {
    for (auto* socket : targets_here(options)) {
      for (const auto& room : rooms) shard.rooms.join(*socket, room);
    }
  });
}

void Namespace::leave_local(const adapter::BroadcastOptions& options,
                            const std::vector<adapter::Room>& rooms) {
  on_every_reactor([this, options, rooms](Shard& shard) {
    for (auto* socket : targets_here(options)) {
      for (const auto& room : rooms) shard.rooms.leave(*socket, room);
    }
  });
}

void Namespace::disconnect_local(const adapter::BroadcastOptions& options, bool close) {
  on_every_reactor([this, options, close](Shard&) {
    // Disconnecting runs handlers that may change the index: the targets are held first.
    std::vector<std::shared_ptr<Socket>> targets;
    for (auto* socket : targets_here(options)) targets.push_back(socket->shared_from_this());
    for (auto& socket : targets) socket->disconnect(close);
  });
}

void Namespace::with_socket(const adapter::SocketId& id, std::function<void(Socket&)> act,
                            FoundHandler done) {
  reactor::gather<bool>(
      server_.reactors(),
      [this, id, act = std::move(act)](std::size_t) {
        auto& sockets = local_shard().sockets;
        auto it = sockets.find(id);
        if (it == sockets.end()) return false;
        auto socket = it->second;  // acting may remove it from the table
        act(*socket);
        return true;
      },
      [done = std::move(done)](std::vector<bool> found) {
        done(std::find(found.begin(), found.end(), true) != found.end());
      });
}

void Namespace::join_socket(const adapter::SocketId& id, const adapter::Room& room,
                            FoundHandler done) {
  with_socket(
      id, [room](Socket& socket) { socket.join(room); }, std::move(done));
}

void Namespace::leave_socket(const adapter::SocketId& id, const adapter::Room& room,
                             FoundHandler done) {
  with_socket(
      id, [room](Socket& socket) { socket.leave(room); }, std::move(done));
}

void Namespace::disconnect_socket(const adapter::SocketId& id, bool close, FoundHandler done) {
  with_socket(
      id, [close](Socket& socket) { socket.disconnect(close); }, std::move(done));
}

}  // namespace sio::socketio
