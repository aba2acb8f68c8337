#pragma once
// A per-socket limit on incoming events: a token bucket of `burst` events that refills at `rate`
// events per second. An EVENT (or BINARY_EVENT) that finds the bucket empty is not handled: the
// client is told (its ack answered with `ack_response` when it asked for one, else an `error`
// event carrying `message`). A socket that goes on being refused for `disconnect_after` is
// disconnected from the namespace ("server namespace disconnect"). A run of refusals lasts while
// each comes within a second of the one before (or within the time an empty bucket takes to
// refill, when that is longer): a client sending at twice the rate, half of whose events pass, is
// disconnected; one that flooded once and then behaves is not.
//
// ACK, CONNECT and DISCONNECT packets are never limited. Set per namespace
// (Namespace::set_event_rate_limit) or for every namespace (ServerOptions::event_rate_limit).
//
// The bucket is kept as the time at which it is full again (the generic cell rate algorithm, as in
// engineio/address_rate_limit.hpp): one steady_clock read and integer arithmetic per event, no
// allocation, three time points per socket.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace sio::socketio {

struct EventRateLimit {
  double rate = 0;   // events per second; 0 = no limit
  double burst = 1;  // events at once (at least 1)
  // How long a socket may go on being refused before it is disconnected; 0 = never.
  std::chrono::milliseconds disconnect_after{5000};
  // The `error` event's argument for a refused event sent without an ack.
  std::string message = "Rate limited";
  // The answer (argument list) to a refused event that asked for an ack.
  nlohmann::ordered_json ack_response =
      nlohmann::ordered_json::array({nlohmann::ordered_json{{"ok", false}, {"error", "Rate limited"}}});
};

// The per-socket state; what it needs to know of the limit comes with each call.
class EventBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // The limit in the units the bucket counts in, computed once per namespace.
  struct Rule {
    explicit Rule(const EventRateLimit& limit);
    bool enabled() const { return interval.count() > 0; }
    Clock::duration interval{};          // one event's worth of time: 1 / rate
    Clock::duration tolerance{};         // how far ahead full_at may run: (burst - 1) events
    Clock::duration disconnect_after{};  // zero = never
    Clock::duration quiet{};             // a longer gap between refusals ends their run
  };

  enum class Verdict { allowed, refused, disconnect };

  // Takes one event's token.
  Verdict take(const Rule& rule, Clock::time_point now);

 private:
  Clock::time_point full_at_{};        // the bucket holds `burst` tokens from then on
  Clock::time_point refused_since_{};  // the first refusal of the current run
  Clock::time_point last_refused_{};   // epoch: never refused
};

}  // namespace sio::socketio
