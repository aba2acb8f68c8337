#include "socketio/namespace.hpp"

#include "engineio/session_id.hpp"
#include "socketio/client.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

Namespace::Namespace(Server& server, std::string name, Namespace* parent)
    : server_(server), name_(std::move(name)), parent_(parent) {
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

void Namespace::use(Middleware middleware) { middlewares_.push_back(std::move(middleware)); }

void Namespace::on_connection(ConnectionHandler handler) {
  connection_handlers_.push_back(std::move(handler));
}

void Namespace::on_server_side(const std::string& event, ServerSideHandler handler) {
  server_side_handlers_[event] = std::move(handler);
}

void Namespace::set_adapter(std::unique_ptr<adapter::Adapter> adapter) {
  if (adapter_) adapter_->close();
  adapter_ = std::move(adapter);
}

Socket* Namespace::find_socket(const std::string& id) const {
  auto it = sockets_.find(id);
  return it == sockets_.end() ? nullptr : it->second.get();
}

void Namespace::server_side_emit(std::string_view event, Args args,
                                 adapter::Adapter::ServerAckHandler handler) {
  args.insert(args.begin(), json(event));
  adapter_->server_side_emit(args, std::move(handler));
}

void Namespace::handle_server_side(const Args& args, Ack ack) {
  if (!args.is_array() || args.empty() || !args[0].is_string()) return;
  auto it = server_side_handlers_.find(args[0].get<std::string>());
  if (it == server_side_handlers_.end()) return;
  Args rest = Args::array();
  for (std::size_t i = 1; i < args.size(); ++i) rest.push_back(args[i]);
  auto handler = it->second;
  handler(rest, std::move(ack));
}

void Namespace::connect(const std::shared_ptr<Client>& client, json auth) {
  auto socket = std::make_shared<Socket>(*this, client, client->handshake_for(std::move(auth)));
  auto offset = begin_session(*socket, socket->handshake().auth);
  if (offset && server_.session_store()->options().skip_middlewares) {
    return finish_connect(socket, std::nullopt, offset);
  }
  run_middlewares(socket, 0, [this, socket, offset](std::optional<Error> error) {
    finish_connect(socket, std::move(error), offset);
  });
}

std::optional<std::string> Namespace::begin_session(Socket& socket, const json& auth) {
  auto* store = server_.session_store();
  if (!store) return std::nullopt;
  // Node's client sends them back in the CONNECT payload once the server gave it a pid.
  const auto pid = auth.is_object() ? auth.find("pid") : auth.end();
  const auto offset = auth.is_object() ? auth.find("offset") : auth.end();
  if (pid != auth.end() && pid->is_string() && offset != auth.end() && offset->is_string()) {
    const auto& pid_text = pid->get_ref<const std::string&>();
    const auto& offset_text = offset->get_ref<const std::string&>();
    const auto now = SessionStore::Clock::now();
    if (const auto* session = store->find(name_, pid_text, offset_text, now)) {
      socket.set_session(session->sid, session->pid, true);
      socket.data = session->data;
      return offset_text;
    }
  }
  socket.set_session(socket.id(), engineio::generate_session_id(), false);
  return std::nullopt;
}

bool Namespace::recover(Socket& socket, const std::string& offset) {
  auto restored =
      server_.session_store()->take(name_, socket.pid(), offset, SessionStore::Clock::now());
  if (!restored) return false;
  adapter_->add_all(socket.id(), restored->session.rooms);
  // Before the CONNECT reply, as Node sends them: the client hands them to the application
  // before its "connect" event, and its last offset ends at the newest.
  for (const auto& frames : restored->missed_packets) socket.client().send(frames);
  ++server_.stats().recovered_sockets;
  return true;
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
  auto middleware = middlewares_[index];
  middleware(*socket, std::move(next));
}

void Namespace::finish_connect(const std::shared_ptr<Socket>& socket, std::optional<Error> error,
                               const std::optional<std::string>& offset) {
  auto& client = socket->client();
  if (!client.is_open()) return;
  if (error) {
    json data{{"message", error->message}};
    if (!error->data.is_null()) data["data"] = error->data;
    return client.send(Packet{PacketType::connect_error, name_, std::nullopt, std::move(data)});
  }
  // The session is taken only now, with the middlewares passed: until then it stays for a later
  // attempt. Should another connection have taken it meanwhile, this socket starts afresh.
  if (offset && !recover(*socket, *offset)) {
    socket->set_session(engineio::generate_session_id(), engineio::generate_session_id(), false);
  }
  sockets_[socket->id()] = socket;
  client.add(socket);
  adapter_->add_all(socket->id(), {socket->id()});
  json connect{{"sid", socket->id()}};
  if (!socket->pid().empty()) connect["pid"] = socket->pid();
  client.send(Packet{PacketType::connect, name_, std::nullopt, std::move(connect)});
  for (auto& handler : std::vector(connection_handlers_)) {
    if (!socket->connected()) break;
    handler(*socket);
  }
}

void Namespace::remove(const Socket& socket) {
  auto it = sockets_.find(socket.id());
  if (it != sockets_.end() && it->second.get() == &socket) sockets_.erase(it);
}

}  // namespace sio::socketio
