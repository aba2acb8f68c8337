// A Socket.IO client written by hand on a raw TCP socket: the WebSocket opening handshake, masked
// client frames, Engine.IO and Socket.IO packets as text. Unlike the real client it can stop
// reading (pause()), so that the server sees a consumer that falls behind while the kernel's
// buffers fill up, and it shows what the server wrote down to the close frame.
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

// One masked client frame (FIN set).
export function clientFrame(opcode, payload) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  let header;
  if (data.length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | data.length]);
  } else if (data.length < 65536) {
    header = Buffer.from([0x80 | opcode, 0x80 | 126, 0, 0]);
    header.writeUInt16BE(data.length, 2);
  } else {
    header = Buffer.from([0x80 | opcode, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeBigUInt64BE(BigInt(data.length), 2);
  }
  const mask = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

// Splits a stream of server frames (unmasked) into messages; keeps a frame cut by a chunk's end.
class FrameReader {
  constructor(onMessage, onControl) {
    this.pending = Buffer.alloc(0);
    this.fragments = null;
    this.onMessage = onMessage;
    this.onControl = onControl;
  }

  push(chunk) {
    let buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    for (;;) {
      if (buffer.length - at < 2) break;
      const fin = (buffer[at] & 0x80) !== 0;
      const opcode = buffer[at] & 0x0f;
      if (buffer[at + 1] & 0x80) throw new Error("the server sent a masked frame");
      let length = buffer[at + 1] & 0x7f;
      let start = at + 2;
      if (length === 126) {
        if (buffer.length - at < 4) break;
        length = buffer.readUInt16BE(at + 2);
        start = at + 4;
      } else if (length === 127) {
        if (buffer.length - at < 10) break;
        length = Number(buffer.readBigUInt64BE(at + 2));
        start = at + 10;
      }
      if (buffer.length < start + length) break;
      const payload = buffer.subarray(start, start + length);
      at = start + length;
      if (opcode >= OP.close) {
        this.onControl(opcode, Buffer.from(payload));
      } else if (opcode === OP.continuation || !fin) {
        this.fragments ??= { opcode, parts: [] };
        this.fragments.parts.push(Buffer.from(payload));
        if (fin) {
          const { opcode: first, parts } = this.fragments;
          this.fragments = null;
          this.onMessage(first, Buffer.concat(parts));
        }
      } else {
        this.onMessage(opcode, payload);
      }
    }
    this.pending = Buffer.from(buffer.subarray(at));
  }
}

// A Socket.IO packet's text (after the Engine.IO "4"): {type, nsp, id, data}.
export function parseSocketIOPacket(text) {
  const type = Number(text[0]);
  let at = 1;
  let nsp = "/";
  if (text[at] === "/") {
    const comma = text.indexOf(",", at);
    nsp = text.slice(at, comma);
    at = comma + 1;
  }
  let id = null;
  const digits = /^\d+/.exec(text.slice(at, at + 20));
  if (digits) {
    id = Number(digits[0]);
    at += digits[0].length;
  }
  return { type, nsp, id, data: at < text.length ? JSON.parse(text.slice(at)) : undefined };
}

// Connects to `server` (startServer's result) at `path`, opens the Engine.IO session over a
// WebSocket and joins namespace `nsp` with `auth`. Resolves with a RawSocketIO once the server
// accepted the namespace; rejects on a CONNECT_ERROR, a failed handshake or a timeout.
export async function connectRaw(server, { path = "/socket.io/", nsp = "/", auth, timeoutMs = 5000 } = {}) {
  const raw = new RawSocketIO(server, { path, nsp });
  try {
    await raw.open(auth, timeoutMs);
  } catch (err) {
    raw.destroy();
    throw err;
  }
  return raw;
}

export class RawSocketIO {
  constructor(server, { path, nsp }) {
    this.server = server;
    this.path = path;
    this.nsp = nsp;
    this.sid = null; // Engine.IO session id
    this.id = null; // Socket.IO socket id
    this.events = []; // [{event, args}] of every EVENT received, in order
    this.closeCode = null; // the code of the server's close frame, once one arrived
    this.ended = false; // the TCP connection is closed
    this.error = null;
    this.nextAckId = 0;
    this.acks = new Map();
    this.waiters = new Set();
    this.socket = null;
  }

  open(auth, timeoutMs) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no Socket.IO connection within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      const succeed = () => {
        clearTimeout(timer);
        resolve();
      };
      const key = randomBytes(16).toString("base64");
      const expectedAccept = createHash("sha1").update(key + WS_GUID).digest("base64");
      const socket = net.connect({ host: "127.0.0.1", port: this.server.port });
      this.socket = socket;
      socket.on("error", (err) => {
        this.error = err;
        fail(err);
      });
      socket.once("close", () => {
        this.ended = true;
        fail(new Error("connection closed during the handshake")); // no effect once connected
        this.notify();
      });

      let head = Buffer.alloc(0);
      const onHead = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onHead);
        const response = head.subarray(0, end).toString("latin1");
        if (!/^HTTP\/1\.1 101 /.test(response)) return fail(new Error(`WebSocket handshake refused: ${response}`));
        const accept = response.split("\r\n").find((line) => /^sec-websocket-accept:/i.test(line));
        if (accept?.slice(accept.indexOf(":") + 1).trim() !== expectedAccept) {
          return fail(new Error(`bad Sec-WebSocket-Accept in ${response}`));
        }
        socket.on("data", (data) => this.reader.push(data));
        this.reader.push(head.subarray(end + 4));
      };
      this.reader = new FrameReader(
        (opcode, payload) => {
          if (opcode !== OP.text) return;
          const text = payload.toString("utf8");
          if (text[0] === "0" && !this.sid) {
            this.sid = JSON.parse(text.slice(1)).sid;
            const prefix = this.nsp === "/" ? "" : `${this.nsp},`;
            this.sendText(`40${prefix}${auth ? JSON.stringify(auth) : ""}`);
          } else if (text === "2") {
            this.sendText("3"); // Engine.IO ping
          } else if (text[0] === "4") {
            this.handlePacket(parseSocketIOPacket(text.slice(1)), succeed, fail);
          }
          this.notify();
        },
        (opcode, payload) => {
          if (opcode === OP.close && this.closeCode === null) {
            this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
            if (this.socket.writable) this.socket.write(clientFrame(OP.close, payload.subarray(0, 2)));
          } else if (opcode === OP.ping) {
            this.socket.write(clientFrame(OP.pong, payload));
          }
          this.notify();
        },
      );
      socket.on("data", onHead);
      socket.write(
        `GET ${this.path}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${this.server.port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  // `connected` and `fail` settle open()'s promise (no effect afterwards).
  handlePacket(packet, connected, fail) {
    if (packet.nsp !== this.nsp) return;
    switch (packet.type) {
      case 0: // CONNECT
        this.id = packet.data.sid;
        connected();
        return;
      case 4: // CONNECT_ERROR
        return fail(new Error(`connect_error: ${JSON.stringify(packet.data)}`));
      case 2: // EVENT
        this.events.push({ event: packet.data[0], args: packet.data.slice(1) });
        return;
      case 3: {
        // ACK
        const callback = this.acks.get(packet.id);
        this.acks.delete(packet.id);
        callback?.(packet.data);
        return;
      }
    }
  }

  sendText(text) {
    this.socket.write(clientFrame(OP.text, text));
  }

  packetPrefix() {
    return this.nsp === "/" ? "42" : `42${this.nsp},`;
  }

  emit(event, ...args) {
    this.sendText(this.packetPrefix() + JSON.stringify([event, ...args]));
  }

  // Emits with an ack id and resolves with the ack's first argument.
  emitWithAck(event, ...args) {
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`no ack for '${event}' within 5000 ms`));
      }, 5000);
      this.acks.set(id, (response) => {
        clearTimeout(timer);
        resolve(response[0]);
      });
      this.sendText(this.packetPrefix() + id + JSON.stringify([event, ...args]));
    });
  }

  // Stops reading from the socket: what the server sends piles up in the kernel, then in the
  // server's queue for this client.
  pause() {
    this.socket.pause();
  }

  resume() {
    this.socket.resume();
  }

  notify() {
    for (const waiter of this.waiters) waiter();
  }

  // Resolves once `predicate(this)` holds (checked on every message and at the end of the
  // connection); rejects after `timeoutMs`.
  until(predicate, timeoutMs = 5000, what = "condition") {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what} not met within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  destroy() {
    this.socket?.destroy();
  }
}
