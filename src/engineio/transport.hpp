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

  // Sends a batch (in order). Precondition: writable().
  virtual void send(std::vector<FramePtr> frames) = 0;

  // Bytes accepted by `send` that have not reached the socket yet.
  virtual std::size_t buffered_bytes() const = 0;

  // Ends the transport. A held polling GET is released with a close packet, or with a noop when
  // the client itself asked to close; a WebSocket is closed after what is queued is written.
  virtual void close(bool client_initiated) = 0;
};

}  // namespace sio::engineio
