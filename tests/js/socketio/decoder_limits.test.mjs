import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.mjs";
import { connect, ackAll, closeAll, next } from "../helpers/socketio.mjs";
import { startApp, connectAs, disconnected } from "../helpers/app.mjs";

// A packet past one of the decoder's limits closes the client that sent it ("parse error") and
// no other. The limits are the defaults of sio-test-server (nesting 32, event name 256 bytes,
// 10 attachments) and those sio-server is configured with.

const placeholder = (num) => ({ _placeholder: true, num });

// Sends a raw Socket.IO packet text (the Engine.IO "message" packet around it is the client's).
const sendRaw = (socket, ...messages) => {
  for (const message of messages) socket.io.engine.write(message);
};

// Nested arrays, `levels` deep, built without recursion (JSON.stringify would overflow first).
const nestedArrays = (levels) => "[".repeat(levels) + "]".repeat(levels);

describe("Socket.IO decoder limits (defaults)", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  afterEach(closeAll);
  after(() => server.stop());

  // Connects the offender and a bystander; `misbehave(offender)` must close the offender only.
  async function closesOnlyTheOffender(misbehave) {
    const bystander = await connect(server.url);
    const offender = await connect(server.url);
    const offenderId = offender.id;
    const gone = next(offender, "disconnect", 10000);
    misbehave(offender);
    await gone;
    await server.waitForLine(new RegExp(`^disconnect / ${offenderId} parse error$`), 10000);
    assert.equal(bystander.connected, true);
    assert.deepEqual(await ackAll(bystander, "echo", "still here"), ["still here"]);
  }

  it("closes only the client that sends data nested 100,000 deep", async () => {
    await closesOnlyTheOffender((offender) => sendRaw(offender, `2["echo",${nestedArrays(100000)}]`));
  });

  it("closes only the client that sends data nested 33 deep", async () => {
    await closesOnlyTheOffender((offender) => sendRaw(offender, `2["echo",${nestedArrays(32)}]`));
  });

  it("echoes data nested exactly 32 deep", async () => {
    const socket = await connect(server.url);
    const deep = JSON.parse(nestedArrays(31));
    assert.deepEqual(await ackAll(socket, "echo", deep), [deep]);
  });

  it("closes only the client that emits an event name longer than 256 bytes", async () => {
    await closesOnlyTheOffender((offender) => offender.emit("e".repeat(257), 1));
  });

  it("keeps a client that emits an event name of 256 bytes", async () => {
    const socket = await connect(server.url);
    socket.emit("e".repeat(256), 1);
    assert.deepEqual(await ackAll(socket, "echo", "after"), ["after"]);
    assert.equal(socket.connected, true);
  });

  it("closes only the client that sends more than 10 attachments in one packet", async () => {
    const buffers = Array.from({ length: 11 }, (_, i) => Buffer.from([i]));
    await closesOnlyTheOffender((offender) => offender.emit("echo", ...buffers));
  });

  it("echoes 10 attachments in one packet", async () => {
    const socket = await connect(server.url);
    const buffers = Array.from({ length: 10 }, (_, i) => Buffer.from([i, i + 1]));
    const echoed = await ackAll(socket, "echo", ...buffers);
    assert.deepEqual(echoed.map((b) => [...Buffer.from(b)]), buffers.map((b) => [...b]));
  });

  it("closes only the client whose placeholders repeat one attachment", async () => {
    const args = JSON.stringify(["echo", ...Array.from({ length: 10 }, () => placeholder(0))]);
    await closesOnlyTheOffender((offender) => sendRaw(offender, `51-${args}`, Buffer.alloc(1024, 7)));
  });
});

describe("Socket.IO decoder limits (sio-server configuration)", () => {
  let server;
  before(async () => {
    server = await startApp({ args: ["--max-event-name-bytes", "24"], env: { SIO_MAX_NESTING_DEPTH: "4" } });
  });
  afterEach(closeAll);
  after(() => server.stop());

  it("closes a client whose event name is past --max-event-name-bytes, and no other", async () => {
    const bystander = await connectAs(server, "bob");
    const offender = await connectAs(server, "alice");
    const gone = disconnected(offender, 10000);
    offender.emit("notifications:read:extra!", {}); // 25 bytes
    await gone;
    assert.deepEqual(await ackAll(bystander, "notifications:read", {}), [{ ok: true, count: 0 }]);
  });

  it("closes a client whose data nests deeper than SIO_MAX_NESTING_DEPTH, and no other, and logs why", async () => {
    const bystander = await connectAs(server, "bob");
    const offender = await connectAs(server, "alice");
    const gone = disconnected(offender, 10000);
    // The packet's array, the object, then three arrays: 5 levels.
    offender.emit("notifications:read", { ids: [[[1]]] });
    await gone;
    // One line says which client and why.
    await server.waitForLine(/\[warning\] parse error: closed client sid=\S+ address=127\.0\.0\.1: payload nested too deeply$/);
    // 4 levels: delivered (and refused by the handler, which wants numbers).
    assert.deepEqual(await ackAll(bystander, "notifications:read", { ids: [[1]] }), [
      { ok: false, error: "Invalid ids" },
    ]);
  });
});
