#pragma once
// Turns the Engine.IO messages of one client into Socket.IO packets: with the text parser, parses
// the text form and collects the binary attachments that follow a BINARY_EVENT/BINARY_ACK; with
// the msgpack parser, decodes each binary message (msgpack_packet.hpp). Any violation of the
// format is an error that closes the client ("parse error").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "socketio/packet.hpp"
#include "socketio/parser.hpp"

namespace sio::socketio {

// Bounds on what one client packet may make the server hold or walk. Exceeding any of them is a
// parse error that closes that client.
struct DecoderLimits {
  // Binary attachments per packet; Node's socket.io-parser refuses more than 10 too.
  std::size_t max_attachments = 10;
  // Array/object nesting of the data, the packet's own array included. Refused before parsing:
  // the data is later walked recursively (placeholders, encoding), so keep this small.
  std::size_t max_depth = 32;
  // Bytes of an event name. Names are identifiers an application picks ("chat:message"), not
  // data; they are hashed for the handler lookup and end up in logs, so a client may not make
  // them kilobytes long.
  std::size_t max_event_name_bytes = 256;
};

class Decoder {
 public:
  enum class Status { need_more, packet, error };

  explicit Decoder(DecoderLimits limits = {}, Parser parser = Parser::text)
      : limits_(limits), parser_(parser) {}

  // Feeds one message. On `packet`, take() returns it; on `error`, error() says why.
  Status add_text(std::string_view text);
  Status add_binary(std::string_view bytes);

  Packet take() { return std::move(ready_); }
  const std::string& error() const { return error_; }

 private:
  Status fail(std::string message);
  Status finish_binary();

  DecoderLimits limits_;
  Parser parser_;
  Packet ready_;
  std::optional<Packet> reconstructing_;
  std::size_t expected_attachments_ = 0;
  std::vector<std::string> attachments_;
  std::string error_;
};

// The names the client API reserves for itself ("connect", "disconnect", …): a client cannot emit them.
bool is_reserved_event(std::string_view name);

// Parses the text form alone (for tests and tools); attachments are not resolved.
struct ParsedText {
  Packet packet;
  std::size_t attachments = 0;
};
std::optional<ParsedText> parse_text(std::string_view text, const DecoderLimits& limits,
                                     std::string* error = nullptr);

}  // namespace sio::socketio
