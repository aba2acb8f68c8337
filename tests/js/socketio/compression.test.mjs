// The official client with compression on both sides: permessage-deflate negotiated by
// engine.io-client's WebSocket (sio-test-server --per-message-deflate) for events, acks and a
// broadcast to many clients (compressed once, shared: see Frame::websocket_deflated_bytes), and
// gzip on long-polling.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.mjs";
import { ackAll, closeAll, connect, connectMany, next, until } from "../helpers/socketio.mjs";

describe("Socket.IO with compression", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--per-message-deflate"] })));
  afterEach(closeAll);
  after(() => server.stop());

  const payload = { text: "compressible ".repeat(2000), list: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) };

  it("negotiates permessage-deflate with the official client and carries large events and acks", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    const ws = socket.io.engine.transport.ws;
    assert.ok(ws._extensions["permessage-deflate"], "permessage-deflate negotiated");
    const before = ws._socket.bytesRead;
    assert.deepEqual(await ackAll(socket, "echo", payload), [payload]);
    assert.ok(ws._socket.bytesRead - before < JSON.stringify(payload).length / 5, "the ack came compressed");
  });

  it("delivers a compressed broadcast intact to many clients", async () => {
    const sockets = await connectMany(server.url, 50, { transports: ["websocket"] });
    const arrivals = sockets.map((s) => next(s, "big", 10000));
    await ackAll(sockets[0], "broadcast", { event: "big", args: [payload] });
    for (const args of await Promise.all(arrivals)) assert.deepEqual(args, [payload]);
  });

  it("gzips long-polling responses", async () => {
    const socket = await connect(server.url, { transports: ["polling"] });
    assert.deepEqual(await ackAll(socket, "echo", payload), [payload]);
    await until(() => socket.connected, 1000, "still connected");
  });
});
