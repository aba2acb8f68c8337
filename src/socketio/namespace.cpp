#include "socketio/namespace.hpp"

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
  auto socket =
      std::make_shared<Socket>(*this, client, Handshake::from_request(client->request(), std::move(auth)));
  run_middlewares(socket, 0, [this, socket](std::optional<Error> error) {
    finish_connect(socket, std::move(error));
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
  auto middleware = middlewares_[index];
  middleware(*socket, std::move(next));
}

void Namespace::finish_connect(const std::shared_ptr<Socket>& socket, std::optional<Error> error) {
  auto& client = socket->client();
  if (!client.is_open()) return;
  if (error) {
    json data{{"message", error->message}};
    if (!error->data.is_null()) data["data"] = error->data;
    return client.send(Packet{PacketType::connect_error, name_, std::nullopt, std::move(data)});
  }
  sockets_[socket->id()] = socket;
  client.add(socket);
  adapter_->add_all(socket->id(), {socket->id()});
  client.send(Packet{PacketType::connect, name_, std::nullopt, json{{"sid", socket->id()}}});
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
