#pragma once
// What a Session needs from a transport. Two exist: long-polling (writable only while a GET is
// held) and WebSocket (always writable, with its own bounded write queue).

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "engineio/close_reason.hpp"
#include "engineio/frame.hpp"

namespace sio::engineio {

class PollingTransport;
class Session;

enum class TransportKind { polling, websocket };

// "polling" or "websocket", as the protocol names them.
constexpr std::string_view to_string(TransportKind kind) {
  return kind == TransportKind::polling ? "polling" : "websocket";
}

class Transport {
 public:
  virtual ~Transport() = default;

  virtual TransportKind kind() const = 0;
  std::string_view name() const { return to_string(kind()); }
  // This transport as long-polling, or null for a WebSocket.
  virtual PollingTransport* as_polling() { return nullptr; }

  // Whether `send` may be called now.
  virtual bool writable() const = 0;

  // Sends a batch (in order), taking the frames out of `frames` (left empty, its capacity kept
  // for the caller's next batch). Precondition: writable().
  virtual void send(std::vector<FramePtr>& frames) = 0;

  void send_one(FramePtr frame) {
    std::vector<FramePtr> frames{std::move(frame)};
    send(frames);
  }

  // Bytes accepted by `send` that have not reached the socket yet.
  virtual std::size_t buffered_bytes() const = 0;

  // Ends the transport. A held polling GET is released with a close packet, or with a noop when
  // the client itself asked to close; a WebSocket is closed after what is queued is written.
  virtual void close(bool client_initiated) = 0;

  // Writes what it can of its queue now rather than at the end of the loop turn (the queue is
  // about to be judged against max_send_buffer).
  virtual void write_now() {}

  // Ends the transport without writing what is still queued (the peer does not read it).
  virtual void abort_queue() { close(false); }

 protected:
  // What a transport tells its session: only transports may (the session keeps these private).
  // A packet arrived.
  void deliver_packet(Session& session, PacketType type, std::string_view data, bool binary);
  // It can take a batch now (a GET arrived).
  void report_writable(Session& session);
  // It ended on its own (peer gone, protocol error at transport level).
  void report_closed(Session& session, CloseReason reason);
  // `self` (this transport) connected for `session` and awaits the probe: the session upgrades.
  static void offer_upgrade(Session& session, std::shared_ptr<Transport> self);
};

}  // namespace sio::engineio
