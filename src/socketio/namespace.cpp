#include "socketio/namespace.hpp"

#include "engineio/session_id.hpp"
#include "socketio/client.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

Namespace::Namespace(Server& server, std::string name, Namespace* parent)
    : server_(server),
      name_(std::move(name)),
      parent_(parent),
      event_rate_limit_(parent ? parent->event_rate_limit_ : server.options().event_rate_limit),
      event_rule_(event_rate_limit_),
      shards_(server.reactors()) {
  if (parent_) {
    // A child of a dynamic namespace starts with what its parent was given so far.
    middlewares_ = parent_->middlewares_;
    connection_handlers_ = parent_->connection_handlers_;
    server_side_handlers_ = parent_->server_side_handlers_;
  }
  adapter_ = server_.make_adapter(*this);
}

Namespace::~Namespace() {
  if (adapter_) adapter_->close();
}

void Namespace::use(Middleware middleware) {
  middlewares_.push_back(std::move(middleware));
}

void Namespace::on_connection(ConnectionHandler handler) {
  connection_handlers_.push_back(std::move(handler));
}

void Namespace::on_server_side(const std::string& event, ServerSideHandler handler) {
  server_side_handlers_[event] = std::move(handler);
}

void Namespace::set_event_rate_limit(EventRateLimit limit) {
  event_rate_limit_ = std::move(limit);
  event_rule_ = EventBucket::Rule(event_rate_limit_);
}

void Namespace::set_adapter(std::unique_ptr<adapter::Adapter> adapter) {
  if (adapter_) adapter_->close();
  adapter_ = std::move(adapter);
}

Socket* Namespace::find_socket(const std::string& id) const {
  const auto& sockets = local_shard().sockets;
  auto it = sockets.find(id);
  return it == sockets.end() ? nullptr : it->second.get();
}

std::size_t Namespace::local_socket_count() const {
  return local_shard().sockets.size();
}

std::vector<adapter::Room> Namespace::local_rooms_here() const {
  const auto& shard = local_shard();
  return shard.rooms.all_rooms(shard.sockets);
}

void Namespace::connect(const std::shared_ptr<Client>& client, json auth) {
  auto socket = std::make_shared<Socket>(*this, client, client->handshake_for(std::move(auth)));
  if (server_.session_store()) {
    // Node's client sends them back in the CONNECT payload once the server gave it a pid.
    const auto& data = socket->handshake().auth;
    const auto pid = data.find("pid");
    const auto offset = data.find("offset");
    if (pid != data.end() && pid->is_string() && offset != data.end() && offset->is_string()) {
      if (adapter_keeps_sessions()) {
        return restore_from_adapter(socket, pid->get<std::string>(), offset->get<std::string>());
      }
      return look_for_session(socket, pid->get<std::string>(), offset->get<std::string>());
    }
    socket->set_session(socket->id(), engineio::generate_session_id(), false);
  }
  authorize(socket, std::nullopt);
}

void Namespace::authorize(const std::shared_ptr<Socket>& socket, std::optional<Recovery> recovery) {
  if (recovery && server_.options().connection_state_recovery->skip_middlewares) {
    return finish_connect(socket, std::nullopt, std::move(recovery));
  }
  run_middlewares(socket, 0,
                  [this, socket, recovery = std::move(recovery)](std::optional<Error> error) {
                    finish_connect(socket, std::move(error), recovery);
                  });
}

void Namespace::run_middlewares(const std::shared_ptr<Socket>& socket, std::size_t index,
                                std::function<void(std::optional<Error>)> done) {
  if (index >= middlewares_.size()) return done(std::nullopt);
  auto called = std::make_shared<bool>(false);
  // `next` may be called later (after a database lookup); only its first call counts.
  Next next = [this, socket, index, done, called](std::optional<Error> error) {
    if (*called) return;
    *called = true;
    if (error) return done(std::move(error));
    run_middlewares(socket, index + 1, done);
  };
  middlewares_[index](*socket, std::move(next));
}

void Namespace::finish_connect(const std::shared_ptr<Socket>& socket, std::optional<Error> error,
                               std::optional<Recovery> recovery) {
  auto& client = socket->client();
  if (!client.is_open()) return;
  if (error) {
    json data{{"message", error->message}};
    if (!error->data.is_null()) data["data"] = error->data;
    // Protocol v4 (2.x clients) carries the data, or else the message, alone.
    if (client.protocol() == 3) {
      data = error->data.is_null() ? json(error->message) : std::move(error->data);
    }
    return client.send(Packet{PacketType::connect_error, name_, std::nullopt, std::move(data)});
  }
  // The session is taken only now, with the middlewares passed: until then it stays for a later
  // attempt.
  if (recovery) return recover(socket, std::move(*recovery));
  admit(socket);
}

void Namespace::admit(const std::shared_ptr<Socket>& socket) {
  auto& client = socket->client();
  if (!client.is_open()) return;
  auto& shard = local_shard();
  shard.sockets[socket->id()] = socket;
  client.add(socket);
  shard.rooms.join(*socket, socket->id());
  json connect{{"sid", socket->id()}};
  if (!socket->pid().empty()) connect["pid"] = socket->pid();
  // Protocol v4 answers a CONNECT with no payload.
  if (client.protocol() == 3) connect = nullptr;
  client.send(Packet{PacketType::connect, name_, std::nullopt, std::move(connect)});
  if (auto* observer = server_.observer()) observer->socket_connected(*socket);
  // Set up before the server runs: the list is stable while it is walked.
  for (const auto& handler : connection_handlers_) {
    if (!socket->connected()) break;
    handler(*socket);
  }
}

void Namespace::remove(const Socket& socket) {
  auto& sockets = local_shard().sockets;
  auto it = sockets.find(socket.id());
  if (it != sockets.end() && it->second.get() == &socket) sockets.erase(it);
}

void Namespace::server_side_emit(std::string_view event, Args args,
                                 adapter::ServerAckHandler handler) {
  args.insert(args.begin(), json(event));
  if (handler) {
    // The adapter answers on its own reactor: the answer is brought back here.
    handler = [&reactors = server_.reactors(), origin = server_.reactors().current_or_home(),
               handler = std::move(handler)](std::optional<std::string> error,
                                             std::vector<json> responses) mutable {
      reactors.post(origin, [handler = std::move(handler), error = std::move(error),
                             responses = std::move(responses)]() mutable {
        handler(std::move(error), std::move(responses));
      });
    };
  }
  adapter_->server_side_emit(args, std::move(handler));
}

void Namespace::server_count(std::function<void(std::size_t)> handler) {
  adapter_->server_count([&reactors = server_.reactors(),
                          origin = server_.reactors().current_or_home(),
                          handler = std::move(handler)](std::size_t count) {
    reactors.post(origin, [handler, count] { handler(count); });
  });
}

void Namespace::handle_server_side(const json& args, Ack ack) {
  if (!args.is_array() || args.empty() || !args[0].is_string()) return;
  auto it = server_side_handlers_.find(args[0].get<std::string>());
  if (it == server_side_handlers_.end()) return;
  Args rest = Args::array();
  for (std::size_t i = 1; i < args.size(); ++i) rest.push_back(args[i]);
  it->second(rest, std::move(ack));
}

}  // namespace sio::socketio
