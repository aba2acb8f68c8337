#pragma once
// How Socket.IO packets are written on Engine.IO messages: one parser per server, as in Node
// (`new Server({ parser })`), and the client must use the same one.
//
// text: socket.io-parser, the default — a text message per packet, binaries sent after it as
//   attachments (packet.hpp, decoder.hpp).
// msgpack: socket.io-msgpack-parser 3.x — one binary message per packet, the MessagePack map
//   {type, data, id?, nsp} with binaries inline (msgpack_packet.hpp). Smaller and faster to
//   decode for binary-heavy payloads; the browser loads /socket.io/socket.io.msgpack.min.js.

namespace sio::socketio {

enum class Parser { text, msgpack };

}  // namespace sio::socketio
