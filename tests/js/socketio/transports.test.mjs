import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, once, sleep } from "../helpers/server.mjs";
import { client, connect, whenConnected, next, record, until, closeAll, isBinary, normalizeBinary } from "../helpers/socketio.mjs";

// An ack round trip and a binary echo (ack and event), checked on `socket`.
async function roundTrips(socket) {
  assert.deepEqual(await socket.emitWithAck("echo", { text: "héllo", n: [1, 2] }), { text: "héllo", n: [1, 2] });
  const payload = { blob: Buffer.from([0, 1, 2, 3, 254, 255]), list: [Buffer.alloc(3000, 7), "x"] };
  const acked = await socket.emitWithAck("echo", payload);
  assert.ok(isBinary(acked.blob), "binary came back as something else");
  assert.deepEqual(normalizeBinary(acked), normalizeBinary(payload));
  const echoed = next(socket, "echo");
  socket.emit("echo", Buffer.from([9, 8, 7]), { nested: Buffer.from("bytes") });
  assert.deepEqual(normalizeBinary(await echoed), normalizeBinary([Buffer.from([9, 8, 7]), { nested: Buffer.from("bytes") }]));
}

describe("Socket.IO over each transport", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  afterEach(closeAll);
  after(() => server.stop());

  it("works over WebSocket only", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    assert.equal(socket.io.engine.transport.name, "websocket");
    await roundTrips(socket);
    assert.equal(socket.io.engine.transport.name, "websocket");
  });

  it("works over HTTP long-polling only", async () => {
    const socket = await connect(server.url, { transports: ["polling"] });
    assert.equal(socket.io.engine.transport.name, "polling");
    await roundTrips(socket);
    assert.equal(socket.io.engine.transport.name, "polling");
  });

  it("starts on polling and upgrades to WebSocket by default", async () => {
    const socket = client(server.url);
    const engine = socket.io.engine;
    const upgraded = once(engine, "upgrade");
    await whenConnected(socket);
    const [transport] = await upgraded;
    assert.equal(transport.name, "websocket");
    assert.equal(socket.io.engine.transport.name, "websocket");
    await roundTrips(socket);
  });

  it("loses no ack of events sent before, during and after the upgrade", async () => {
    const socket = client(server.url);
    let upgradedAt = -1;
    socket.io.engine.once("upgrade", () => (upgradedAt = sent));
    let sent = 0;
    const answers = [];
    // One event every few ms from the start (buffered until connected) until well past the upgrade.
    await new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        answers.push(socket.emitWithAck("echo", sent++));
        if (upgradedAt >= 0 && sent >= upgradedAt + 30) {
          clearInterval(timer);
          resolve();
        } else if (sent > 2000) {
          clearInterval(timer);
          reject(new Error("no upgrade"));
        }
      }, 2);
    });
    assert.ok(upgradedAt > 0, "no event was sent before the upgrade");
    assert.deepEqual(await Promise.all(answers), Array.from({ length: sent }, (_, i) => i));
    assert.equal(socket.io.engine.transport.name, "websocket");
  });

  it("delivers a volatile emit to an idle WebSocket client", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    const got = next(socket, "vol");
    assert.equal(await socket.emitWithAck("emit-volatile", { event: "vol", args: ["v", 1] }), true);
    assert.deepEqual(await got, ["v", 1]);
  });

  it("delivers a volatile broadcast to an idle WebSocket member of the room", async () => {
    const member = await connect(server.url, { transports: ["websocket"] });
    await member.emitWithAck("join", "vol-room");
    const sender = await connect(server.url, { transports: ["websocket"] });
    const got = next(member, "vol-b");
    await sender.emitWithAck("broadcast", { to: "vol-room", volatile: true, event: "vol-b", args: [{ x: 1 }] });
    assert.deepEqual(await got, [{ x: 1 }]);
  });

  it("survives many volatile broadcasts to polling and WebSocket members, dropping but never duplicating or reordering", async () => {
    const polling = await connect(server.url, { transports: ["polling"] });
    const ws = await connect(server.url, { transports: ["websocket"] });
    await polling.emitWithAck("join", "vol-many");
    await ws.emitWithAck("join", "vol-many");
    const sender = await connect(server.url, { transports: ["websocket"] });
    const gotPolling = record(polling, "tick");
    const gotWs = record(ws, "tick");
    const count = 300;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        sender.emitWithAck("broadcast", { to: "vol-many", volatile: true, event: "tick", args: [i] }),
      ),
    );
    // A non-volatile message after them all: once it arrives, nothing volatile is still on the way.
    const pollingDone = next(polling, "tick-end");
    const wsDone = next(ws, "tick-end");
    await sender.emitWithAck("broadcast", { to: "vol-many", event: "tick-end", args: [] });
    await Promise.all([pollingDone, wsDone]);
    for (const [name, got] of [["polling", gotPolling], ["websocket", gotWs]]) {
      const seq = got.map(([n]) => n);
      assert.ok(seq.length <= count, `${name} got ${seq.length} > ${count} volatile messages`);
      for (let i = 1; i < seq.length; i++) {
        assert.ok(seq[i] > seq[i - 1], `${name} got ${seq[i - 1]} then ${seq[i]}`);
      }
      assert.ok(seq.every((n) => Number.isInteger(n) && n >= 0 && n < count));
    }
    // Everyone is still connected and answering.
    for (const socket of [polling, ws, sender]) {
      assert.ok(socket.connected);
      assert.equal(await socket.emitWithAck("echo", "ok"), "ok");
    }
  });

  it("delivers normal broadcasts to a polling-only member of a room, all and in order", async () => {
    const polling = await connect(server.url, { transports: ["polling"] });
    await polling.emitWithAck("join", "poll-room");
    const sender = await connect(server.url, { transports: ["websocket"] });
    const got = record(polling, "seq");
    const count = 200;
    for (let i = 0; i < count; i++) sender.emit("broadcast", { to: "poll-room", event: "seq", args: [i] });
    await until(() => got.length >= count, 5000, `all ${count} messages on polling`);
    await sleep(100);
    assert.deepEqual(got.map(([n]) => n), Array.from({ length: count }, (_, i) => i));
  });
});
