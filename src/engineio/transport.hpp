#pragma once
// What a Session needs from a transport. Two exist: long-polling (writable only while a GET is
// held) and WebSocket (always writable, with its own bounded write queue).

#include <cstddef>
#include <string_view>
#include <vector>

#include "engineio/frame.hpp"

namespace sio::engineio {

class Transport {
 public:
  virtual ~Transport() = default;

  virtual std::string_view name() const = 0;

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
};

}  // namespace sio::engineio
