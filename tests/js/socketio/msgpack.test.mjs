// The msgpack parser: sio-test-server --parser msgpack against the official socket.io-client with
// socket.io-msgpack-parser 3.0.2 (`io(url, { parser })`), over each transport: connect, middleware
// refusals, events both ways, acks, binary inline, rooms and broadcasts, reconnection, connection
// state recovery. A client with the default parser is closed with one log line saying why.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer } from "../helpers/server.mjs";
import { ackAll, client, closeAll, connect, connectError, next, normalizeBinary, until } from "../helpers/socketio.mjs";

const require = createRequire(import.meta.url);
const parser = require("socket.io-msgpack-parser");

const TRANSPORTS = { polling: ["polling"], websocket: ["websocket"], "polling, then the upgrade": ["polling", "websocket"] };

describe("the msgpack parser (socket.io-msgpack-parser 3.x)", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--parser", "msgpack"] })));
  afterEach(closeAll);
  after(() => server.stop());

  const join = (url, options = {}) => connect(url, { parser, ...options });

  for (const [name, transports] of Object.entries(TRANSPORTS)) {
    it(`exchanges events, acks and binary over ${name}`, async () => {
      const socket = await join(server.url, { transports });
      const payload = { zeta: 1, bytes: Buffer.from([0, 1, 254, 255]), nested: [{ big: Buffer.alloc(70000, 7) }], f: 3.25, n: null };
      const [echoed] = await ackAll(socket, "echo", payload);
      assert.deepEqual(normalizeBinary(echoed), normalizeBinary(payload));
      assert.equal(JSON.stringify(Object.keys(echoed)), JSON.stringify(Object.keys(payload)));
      const event = next(socket, "echo");
      socket.emit("echo", "plain", 1, [true]);
      assert.deepEqual(await event, ["plain", 1, [true]]);
      if (transports.length === 2) await until(() => socket.io.engine.transport.name === "websocket", 5000, "the upgrade");
    });
  }

  it("answers the server's own acks and broadcasts to rooms", async () => {
    const [a, b, c] = await Promise.all([join(server.url), join(server.url), join(server.url)]);
    for (const socket of [a, b]) await ackAll(socket, "join", "blue");
    const got = next(b, "news");
    const nothing = [];
    c.on("news", (...args) => nothing.push(args));
    await ackAll(a, "broadcast", { to: "blue", event: "news", args: ["hi", Buffer.from([9])] });
    assert.deepEqual(normalizeBinary(await got), normalizeBinary(["hi", Buffer.from([9])]));
    let question;
    b.on("question", (value, callback) => {
      question = value;
      callback({ answer: 42 });
    });
    const [reply] = await ackAll(b, "server-ask", { event: "question", args: ["why?"] });
    assert.equal(question, "why?");
    assert.deepEqual(reply, { err: null, response: [{ answer: 42 }] });
    assert.deepEqual(nothing, []);
  });

  it("passes a middleware refusal's message and data to connect_error", async () => {
    const err = await connectError(`${server.url}/admin`, { parser, auth: {} });
    assert.equal(err.message, "Forbidden");
    assert.deepEqual(err.data, { need: "admin" });
  });

  it("reconnects, and recovers the session with the broadcasts missed", async () => {
    // Recovery appends an offset to every event: a server of its own.
    const recovering = await startServer("sio-test-server", { args: ["--parser", "msgpack", "--recovery-window", "10000"] });
    try {
      const socket = await join(recovering.url, { reconnection: true, reconnectionDelay: 50 });
      const watcher = await join(recovering.url);
      await ackAll(socket, "join", "r");
      // An offset is needed before a drop can be recovered: the first broadcast brings one.
      const first = next(socket, "tick");
      await ackAll(watcher, "broadcast", { to: "r", event: "tick", args: [0] });
      assert.equal((await first)[0], 0);
      const id = socket.id;
      socket.io.engine.close(); // the transport drops
      await ackAll(watcher, "broadcast", { to: "r", event: "tick", args: [1] });
      const missed = next(socket, "tick", 5000);
      await until(() => socket.connected, 5000, "the reconnection");
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      assert.equal((await missed)[0], 1);
    } finally {
      await recovering.stop();
    }
  });

  it("closes a client that uses the default parser, and says so once", async () => {
    const socket = client(server.url, { transports: ["websocket"] });
    const reason = await new Promise((resolve) => socket.on("disconnect", resolve));
    assert.equal(reason, "transport close");
    assert.equal(socket.connected, false);
    await server.waitForLine(/^parse-error \S+ got a text message where the msgpack parser wants binary/);
  });
});
