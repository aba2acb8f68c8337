#include "socketio/client.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/url/parse.hpp>

#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace sio::socketio {

Client::Client(Server& server, std::shared_ptr<engineio::Session> session)
    : server_(server),
      session_(std::move(session)),
      reactor_(server.reactors().current_or_home()),
      executor_(server.reactors().executor(reactor_)),
      decoder_(server.options().limits, server.options().parser),
      handshake_(std::make_shared<Handshake>(
          Handshake::from_request(session_->request(), json::object()))) {
  session_->release_request();
}

std::shared_ptr<const Handshake> Client::handshake_for(json auth) {
  auto value = auth.is_object() ? std::move(auth) : json::object();
  if (handshake_.use_count() == 1) {
    handshake_->auth = std::move(value);
    return handshake_;
  }
  auto copy = std::make_shared<Handshake>(*handshake_);
  copy->auth = std::move(value);
  return copy;
}

void Client::start() {
  std::weak_ptr<Client> weak = shared_from_this();
  session_->on_message([weak](std::string_view data, bool binary) {
    if (auto self = weak.lock()) self->handle_message(data, binary);
  });
  if (server_.observer()) {
    session_->on_upgrade([weak] {
      auto self = weak.lock();
      if (self && self->server_.observer()) self->server_.observer()->transport_upgraded(*self);
    });
  }
  session_->on_close([weak](engineio::CloseReason reason) {
    if (auto self = weak.lock()) self->handle_session_closed(std::string(engineio::to_string(reason)));
  });
  connect_timer_ =
      std::make_unique<boost::asio::steady_timer>(executor_, server_.options().connect_timeout);
  connect_timer_->async_wait([weak](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_ || !self->sockets_.empty()) return;
    // Joined no namespace in time: an Engine.IO client that is not a Socket.IO client.
    self->session_->close();
  });
  // A Socket.IO v4 client (2.x) is in the main namespace from the start, with no auth: it sends
  // no CONNECT for it.
  if (protocol() == 3) {
    Packet implicit{PacketType::connect, "/", std::nullopt, json::object()};
    handle_connect(implicit);
  }
}

void Client::send(const Frames& frames, bool is_volatile) {
  if (!is_open()) return;
  if (is_volatile && !ready_for_volatile()) {
    ++server_.here().stats.volatile_dropped;
    return;
  }
  for (const auto& frame : frames) session_->send(frame);
}

void Client::send(const Packet& packet, bool is_volatile) {
  send(encode_frames(packet, server_.options().parser), is_volatile);
}

void Client::close() {
  if (closed_) return;
  auto sockets = sockets_;
  for (auto& socket : sockets) socket->disconnect(false);
  session_->close();
}

void Client::close_connection() {
  if (!closed_) session_->close();
}

std::vector<std::shared_ptr<Socket>>::iterator Client::find_socket(std::string_view nsp) {
  return std::find_if(sockets_.begin(), sockets_.end(),
                      [&](const auto& socket) { return socket->nsp().name() == nsp; });
}

void Client::add(const std::shared_ptr<Socket>& socket) {
  if (auto it = find_socket(socket->nsp().name()); it != sockets_.end()) {
    *it = socket;
  } else {
    sockets_.push_back(socket);
  }
  connect_timer_.reset();
}

void Client::remove(const Socket& socket) {
  auto it = find_socket(socket.nsp().name());
  if (it != sockets_.end() && it->get() == &socket) sockets_.erase(it);
}

void Client::handle_message(std::string_view data, bool binary) {
  if (closed_) return;
  const auto status = binary ? decoder_.add_binary(data) : decoder_.add_text(data);
  if (status == Decoder::Status::error) return close_for_parse_error();
  if (status == Decoder::Status::packet) handle_packet(decoder_.take());
}

void Client::handle_packet(Packet packet) {
  if (packet.type == PacketType::connect) return handle_connect(packet);
  auto it = find_socket(packet.nsp);
  // Packets for a namespace the client has not joined (or has left) are ignored, as Node does.
  if (it == sockets_.end()) return;
  auto socket = *it;
  socket->handle_packet(std::move(packet));
}

void Client::handle_connect(Packet& packet) {
  if (protocol() == 3) split_v3_connect(packet);
  if (find_socket(packet.nsp) != sockets_.end()) return;
  Namespace* nsp = server_.find_namespace(packet.nsp, packet.data);
  if (!nsp) {
    // socket.io 2.x refused with the message alone, and that is what its clients expect.
    json reason = protocol() == 3 ? json("Invalid namespace") : json{{"message", "Invalid namespace"}};
    return send(Packet{PacketType::connect_error, packet.nsp, std::nullopt, std::move(reason)});
  }
  nsp->connect(shared_from_this(), std::move(packet.data));
}

// A v4 CONNECT names its namespace with the client's `query` appended ("/chat?token=t1"): the
// query becomes the auth payload, as socket.io 4 reads it.
void Client::split_v3_connect(Packet& packet) {
  json auth = json::object();
  const auto mark = packet.nsp.find('?');
  if (mark != std::string::npos) {
    if (auto url = boost::urls::parse_origin_form(packet.nsp)) {
      for (auto param : url->params()) auth[std::string(param.key)] = std::string(param.value);
    }
    packet.nsp.erase(mark);
  }
  packet.data = std::move(auth);
}

void Client::close_for_parse_error() {
  ++server_.here().stats.parse_errors;
  if (const auto& report = server_.options().on_parse_error) {
    report(handshake_ ? handshake_->address : std::string(), session_->id(), decoder_.error());
  }
  // Only this client goes; its sockets see "parse error" through handle_session_closed.
  session_->terminate(engineio::CloseReason::parse_error);
}

void Client::handle_session_closed(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  connect_timer_.reset();
  auto self = shared_from_this();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& socket : sockets) socket->handle_close(reason);
  server_.remove_client(this);
}

}  // namespace sio::socketio
