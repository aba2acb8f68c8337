#pragma once
// Parses the client-to-server side of a WebSocket (RFC 6455 §5) from raw bytes: masked frames,
// fragmented messages, interleaved control frames. Complete messages are handed over as views
// into the bytes just read (unmasked in place), so the usual case of one message per frame
// costs no copy; only a frame cut by the end of a read, or a fragmented message, is kept here.
//
// A protocol violation ends parsing with the close code to send: 1002 (protocol error) or 1009
// (message too big, checked on the announced length before any byte of it is buffered).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engineio/frame.hpp"

namespace sio::engineio {

class WebSocketReader {
 public:
  class Handler {
   public:
    // Return false to stop parsing (the connection is going away).
    virtual bool on_message(std::string_view data, bool binary) = 0;
    virtual bool on_control(WsOpcode opcode, std::string_view payload) = 0;

   protected:
    ~Handler() = default;
  };

  static constexpr uint16_t kProtocolError = 1002;
  static constexpr uint16_t kMessageTooBig = 1009;

  explicit WebSocketReader(std::size_t max_message) : max_message_(max_message) {}

  // permessage-deflate was negotiated: a message whose first frame has RSV1 set is compressed
  // (on its own: client_no_context_takeover), and `max_message` bounds it once inflated.
  void enable_deflate() { deflate_ = true; }

  // Parses `data` (modified: payloads are unmasked in place) after whatever was left over from
  // the previous call. Returns 0, or the close code of the first violation.
  uint16_t consume(char* data, std::size_t size, Handler& handler);

  // Bytes held between calls (a partial frame, a fragmented message).
  std::size_t buffered() const { return pending_.size() + message_.size(); }

 private:
  enum class Step { next, need_more, stop };
  Step parse_one(char* buf, std::size_t size, std::size_t& pos, Handler& handler, uint16_t& error);
  bool deliver(WsOpcode opcode, bool fin, bool compressed, std::string_view payload,
               Handler& handler, uint16_t& error);
  bool deliver_message(std::string_view data, bool binary, bool compressed, Handler& handler,
                       uint16_t& error);

  std::size_t max_message_;
  std::string pending_;  // the start of a frame whose end has not arrived yet
  std::string message_;  // the fragments of a message whose last frame has not arrived yet
  bool in_message_ = false;
  bool message_binary_ = false;
  bool message_compressed_ = false;
  bool deflate_ = false;
};

}  // namespace sio::engineio
