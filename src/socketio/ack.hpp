#pragma once
// Acknowledgements. `Ack` is handed to an event handler: calling it answers the client's ack
// (once; later calls are ignored); it is empty when the client asked for none. `AckCallback`
// receives the client's answer to a server emit, or an error (timeout, disconnection).

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "socketio/error.hpp"

namespace sio::socketio {

using json = nlohmann::ordered_json;
// The arguments of an event or an ack: always a JSON array.
using Args = json;

class Ack {
 public:
  using Sender = std::function<void(Args args)>;

  Ack() = default;
  explicit Ack(Sender sender) : state_(std::make_shared<State>(State{std::move(sender), false})) {}

  explicit operator bool() const { return state_ != nullptr; }

  // ack(a, b, …) answers with those arguments.
  template <class... T>
  void operator()(T&&... args) const {
    send(Args::array({json(std::forward<T>(args))...}));
  }
  // Answers with an argument array built by the caller.
  void send(Args args) const {
    if (!state_ || state_->sent) return;
    state_->sent = true;
    state_->sender(std::move(args));
  }

 private:
  struct State {
    Sender sender;
    bool sent;
  };
  std::shared_ptr<State> state_;
};

using AckCallback = std::function<void(std::optional<Error> error, const Args& args)>;

}  // namespace sio::socketio
