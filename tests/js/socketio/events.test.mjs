import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.mjs";
import { connect, ackAll, next, record, closeAll, isBinary, normalizeBinary, toBytes } from "../helpers/socketio.mjs";

// Arguments of every JSON kind, with strings that need escaping and characters outside the BMP.
const manyArgs = [
  1,
  "two",
  { a: [1, { b: null }], c: { d: { e: "deep" } }, empty: {}, none: [] },
  [1, [2, [3, [4]]], "x", false],
  null,
  true,
  0,
  -7,
  3.5,
  0.1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e300,
  "héllo ✓ 日本語 🎉 𝄞",
  'quote " backslash \\ newline \n tab \t nul \u0000 end',
  "",
];

const bytes = (...values) => Buffer.from(values);

describe("Socket.IO events and acknowledgements", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  afterEach(closeAll);
  after(() => server.stop());

  it("acks with every argument sent, JSON kinds and unicode intact", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await ackAll(socket, "echo", ...manyArgs), manyArgs);
  });

  it("emits every argument back as an event when no ack is asked for", async () => {
    const socket = await connect(server.url);
    const echo = next(socket, "echo");
    socket.emit("echo", ...manyArgs);
    assert.deepEqual(await echo, manyArgs);
  });

  it("keeps the key order of objects, in acks and events, as JSON.parse does", async () => {
    const socket = await connect(server.url);
    const ordered = { zeta: 1, alpha: { y: [{ d: 1, c: 2 }], x: null }, mid: "m", b: { a: {} } };
    const [acked] = await ackAll(socket, "echo", ordered);
    assert.equal(JSON.stringify(acked), JSON.stringify(ordered));
    const echo = next(socket, "echo");
    socket.emit("echo", ordered);
    assert.equal(JSON.stringify((await echo)[0]), JSON.stringify(ordered));
    // A repeated key keeps its first place and its last value (sent as raw text to get one).
    socket.io.engine.write('2["echo",{"b":1,"a":2,"b":3}]');
    assert.equal(JSON.stringify((await next(socket, "echo"))[0]), '{"b":3,"a":2}');
  });

  it("keeps the key order of handshake.auth and socket.data", async () => {
    const socket = await connect(server.url, { auth: { zeta: 1, name: "ordered", alpha: { z: 0, a: 1 } } });
    assert.equal(await ackAll(socket, "set-data", { z: 1, y: 2, x: { c: 3, b: 2 } }).then(([ok]) => ok), true);
    const [sockets] = await ackAll(socket, "fetch-sockets", {});
    const mine = sockets.find((s) => s.id === socket.id);
    assert.equal(JSON.stringify(mine.auth), '{"zeta":1,"name":"ordered","alpha":{"z":0,"a":1}}');
    assert.equal(JSON.stringify(mine.data), '{"z":1,"y":2,"x":{"c":3,"b":2}}');
  });

  it("acks an event sent with no arguments with no arguments", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await ackAll(socket, "echo"), []);
  });

  it("keeps events from one client in order", async () => {
    const socket = await connect(server.url);
    const received = record(socket, "echo");
    for (let i = 0; i < 200; i++) socket.emit("echo", i);
    assert.deepEqual(await ackAll(socket, "echo", "done"), ["done"]);
    assert.deepEqual(received.map(([n]) => n), Array.from({ length: 200 }, (_, i) => i));
  });

  it("echoes binary nested in objects and arrays (ack), bytes intact", async () => {
    const socket = await connect(server.url);
    const large = Buffer.alloc(100_000, 0);
    for (let i = 0; i < large.length; i++) large[i] = (i * 31) & 0xff;
    const payload = {
      file: bytes(0, 1, 2, 253, 254, 255),
      meta: { name: "x.bin", parts: [new Uint8Array([10, 20, 30]), { deep: bytes(0x7b, 0x22, 0x7d) }] },
      empty: Buffer.alloc(0),
      large,
    };
    const list = [bytes(1), "text", [bytes(2, 2)], null];
    const response = await ackAll(socket, "echo", payload, list, bytes(9, 9, 9));
    assert.equal(response.length, 3);
    assert.ok(isBinary(response[0].file), "binary came back as something else");
    assert.ok(isBinary(response[0].meta.parts[1].deep));
    assert.deepEqual(toBytes(response[0].large).equals(large), true);
    assert.deepEqual(normalizeBinary(response), normalizeBinary([payload, list, bytes(9, 9, 9)]));
  });

  it("emits binary nested in objects back as an event, bytes intact", async () => {
    const socket = await connect(server.url);
    const echo = next(socket, "echo");
    const args = [{ a: { b: [bytes(0xde, 0xad), bytes(0xbe, 0xef)] } }, "plain", bytes(0, 0, 0)];
    socket.emit("echo", ...args);
    const received = await echo;
    assert.ok(isBinary(received[0].a.b[0]));
    assert.deepEqual(normalizeBinary(received), normalizeBinary(args));
  });

  it("resolves a client emitWithAck with the server's answer", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await socket.emitWithAck("echo", { n: 1 }), { n: 1 });
    assert.deepEqual(await socket.emitWithAck("join", "ack-room"), [socket.id, "ack-room"].sort());
  });

  it("matches concurrent acks to their own events", async () => {
    const socket = await connect(server.url);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => socket.emitWithAck("echo", i)));
    assert.deepEqual(answers, Array.from({ length: 50 }, (_, i) => i));
  });

  it("gets the client's ack arguments back to the server (server-ask)", async () => {
    const socket = await connect(server.url);
    socket.on("question", (a, b, callback) => callback("answer", a + b, { sum: [a, b] }));
    const result = await socket.emitWithAck("server-ask", { event: "question", args: [2, 3] });
    assert.deepEqual(result, { err: null, response: ["answer", 5, { sum: [2, 3] }] });
  });

  it("gets a client's binary ack back to the server", async () => {
    const socket = await connect(server.url);
    socket.on("want-bytes", (n, callback) => callback({ data: Buffer.alloc(n, 0xab) }, bytes(1, 2)));
    const result = await socket.emitWithAck("server-ask", { event: "want-bytes", args: [5] });
    assert.equal(result.err, null);
    assert.deepEqual(normalizeBinary(result.response), normalizeBinary([{ data: Buffer.alloc(5, 0xab) }, bytes(1, 2)]));
  });

  it("sends binary in a server emit that asks for an ack", async () => {
    const socket = await connect(server.url);
    let got;
    socket.on("take", (...args) => {
      const callback = args.pop();
      got = args;
      callback("thanks");
    });
    const result = await socket.emitWithAck("server-ask", { event: "take", args: [bytes(7, 8), { x: 1 }] });
    assert.deepEqual(result, { err: null, response: ["thanks"] });
    assert.deepEqual(normalizeBinary(got), normalizeBinary([bytes(7, 8), { x: 1 }]));
  });

  it("answers server-ask with a timeout and no client ack with 'operation has timed out'", async () => {
    const socket = await connect(server.url);
    const asked = next(socket, "silent");
    socket.on("silent", () => {}); // listens, never acks
    const started = performance.now();
    const result = await socket.emitWithAck("server-ask", { event: "silent", args: ["hi"], timeout: 300 });
    const elapsed = performance.now() - started;
    assert.deepEqual(result, { err: "operation has timed out", response: [] });
    assert.ok(elapsed >= 280, `timed out after ${elapsed} ms, before 300 ms`);
    const [arg, callback] = await asked;
    assert.equal(arg, "hi");
    assert.equal(typeof callback, "function", "the server's emit did not ask for an ack");
  });

  it("answers server-ask with a timeout normally when the client acks in time", async () => {
    const socket = await connect(server.url);
    socket.on("quick", (callback) => setTimeout(() => callback("in time"), 50));
    const result = await socket.emitWithAck("server-ask", { event: "quick", timeout: 1000 });
    assert.deepEqual(result, { err: null, response: ["in time"] });
  });

  it("ignores a client ack that arrives after the server's timeout", async () => {
    const socket = await connect(server.url);
    socket.on("late", (callback) => setTimeout(() => callback("too late"), 300));
    const result = await socket.emitWithAck("server-ask", { event: "late", timeout: 100 });
    assert.deepEqual(result, { err: "operation has timed out", response: [] });
    await new Promise((resolve) => setTimeout(resolve, 350));
    // The late ack did nothing harmful: the socket still works and later asks get their answer.
    socket.on("later", (callback) => callback("fine"));
    assert.deepEqual(await socket.emitWithAck("server-ask", { event: "later", timeout: 1000 }), {
      err: null,
      response: ["fine"],
    });
  });

  it("rejects a client emitWithAck with a timeout when the server never acks", async () => {
    const socket = await connect(server.url);
    // count-any is seen by the server's catch-all listener, which answers with an event, not an ack.
    const seen = next(socket, "any-seen");
    const started = performance.now();
    await assert.rejects(socket.timeout(200).emitWithAck("count-any", 1), { message: "operation has timed out" });
    assert.ok(performance.now() - started >= 190);
    assert.deepEqual(await seen, ["count-any"]);
    assert.ok(socket.connected);
  });

  it("answers a server-side emit on a single server with no responses and no error", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await socket.emitWithAck("server-side-emit", "a", { b: 1 }), { err: null, responses: [] });
  });

  it("ignores events nobody listens to and keeps the socket connected", async () => {
    const socket = await connect(server.url);
    await assert.rejects(socket.timeout(200).emitWithAck("no-such-event", 1), { message: "operation has timed out" });
    assert.equal(await socket.emitWithAck("echo", "alive"), "alive");
  });
});
