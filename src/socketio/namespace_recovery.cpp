// Connection state recovery across reactors: a client that comes back may land on any reactor,
// while its session was kept by the store of the reactor its socket was on.
//
// The socket asks every reactor's store for the session (the one that has it answers with a
// copy), runs the middlewares unless recovery skips them, then takes the session from that store
// with the packets it logged after the client's offset. Whatever this reactor delivered that the
// other had not logged yet at that moment — broadcasts of each origin past what the other store
// covered — comes from this reactor's own log: every reactor sees one origin's broadcasts in the
// same order, so nothing falls between the two and nothing comes twice.

#include "engineio/session_id.hpp"
#include "reactor/gather.hpp"
#include "socketio/client.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

void Namespace::look_for_session(const std::shared_ptr<Socket>& socket, std::string pid,
                                 std::string offset) {
  reactor::gather<std::optional<PersistedSession>>(
      server_.reactors(),
      [this, pid, offset](std::size_t index) -> std::optional<PersistedSession> {
        const auto* store = server_.shard(index).session_store.get();
        const auto* session = store->find(name_, pid, offset, SessionStore::Clock::now());
        if (!session) return std::nullopt;
        return *session;
      },
      [this, socket, pid, offset](std::vector<std::optional<PersistedSession>> found) {
        if (!socket->client().is_open()) return;
        for (std::size_t reactor = 0; reactor < found.size(); ++reactor) {
          if (!found[reactor]) continue;
          socket->set_session(found[reactor]->sid, found[reactor]->pid, true);
          socket->data = std::move(found[reactor]->data);
          return authorize(socket, Recovery{reactor, pid, offset, nullptr});
        }
        socket->set_session(socket->id(), engineio::generate_session_id(), false);
        authorize(socket, std::nullopt);
      });
}

void Namespace::restore_from_adapter(const std::shared_ptr<Socket>& socket, std::string pid,
                                     std::string offset) {
  auto& reactors = server_.reactors();
  const auto here = reactors.current_or_home();
  adapter_->restore_session(
      pid, offset,
      [this, socket, pid, offset, here,
       &reactors](std::optional<adapter::RestoredSession> restored) mutable {
        reactors.post(here, [this, socket, pid = std::move(pid), offset = std::move(offset),
                             restored = std::move(restored)]() mutable {
          if (!socket->client().is_open()) return;
          if (!restored) {
            socket->set_session(socket->id(), engineio::generate_session_id(), false);
            return authorize(socket, std::nullopt);
          }
          socket->set_session(restored->session.sid, restored->session.pid, true);
          socket->data = std::move(restored->session.data);
          authorize(socket,
                    Recovery{0, std::move(pid), std::move(offset),
                             std::make_shared<adapter::RestoredSession>(std::move(*restored))});
        });
      });
}

void Namespace::recover(const std::shared_ptr<Socket>& socket, Recovery recovery) {
  auto& reactors = server_.reactors();
  if (recovery.restored) {
    auto& shard = local_shard();
    for (const auto& room : recovery.restored->session.rooms) shard.rooms.join(*socket, room);
    auto& client = socket->client();
    for (auto& data : recovery.restored->missed) {
      client.send(encode_frames(Packet{PacketType::event, name_, std::nullopt, std::move(data)},
                                server_.options().parser));
    }
    ++server_.here().stats.recovered_sockets;
    return admit(socket);
  }
  const auto here = reactors.current_or_home();
  reactors.post(recovery.reactor, [this, socket, recovery, here, &reactors] {
    auto* store = server_.shard(recovery.reactor).session_store.get();
    auto restored = store->take(name_, recovery.pid, recovery.offset, SessionStore::Clock::now());
    reactors.post(here, [this, socket, restored = std::move(restored)]() mutable {
      if (!socket->client().is_open()) return;
      if (!restored) {
        // Another connection took the session meanwhile: this socket starts afresh.
        socket->set_session(engineio::generate_session_id(), engineio::generate_session_id(),
                            false);
        return admit(socket);
      }
      auto& shard = local_shard();
      for (const auto& room : restored->session.rooms) shard.rooms.join(*socket, room);
      auto& client = socket->client();
      // Before the CONNECT reply, as Node sends them: the client hands them to the application
      // before its "connect" event, and its last offset ends at the newest.
      for (const auto& frames : restored->missed_packets) client.send(frames);
      const auto* store = server_.session_store();
      for (const auto& frames : store->missed_since(
               name_, restored->session.rooms, restored->covered, SessionStore::Clock::now())) {
        client.send(frames);
      }
      ++server_.here().stats.recovered_sockets;
      admit(socket);
    });
  });
}

}  // namespace sio::socketio
