// socket.io-client 2.5.0 (npm alias socket.io-client-v2: Engine.IO v3, Socket.IO protocol v4)
// against sio-test-server --allow-eio3, over each transport: the implicit main namespace, other
// namespaces with their query as auth, middleware refusals, events both ways, acks, binary both
// ways, rooms and broadcasts, server-side acks, the client-driven heartbeat, reconnection. Without
// --allow-eio3 the 2.x client cannot connect.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer } from "../helpers/server.mjs";
import { until } from "../helpers/socketio.mjs";

const require = createRequire(import.meta.url);
const io2 = require("socket.io-client-v2");

const TRANSPORTS = { polling: ["polling"], websocket: ["websocket"], "polling, then the upgrade": ["polling", "websocket"] };

const sockets = new Set();
// A 2.x client; resolves once connected, rejects on its `error` event (a refused CONNECT) or a
// connection error.
function connect2(url, options = {}) {
  const socket = io2(url, { forceNew: true, reconnection: false, ...options });
  sockets.add(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connect to ${url}`)), 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(Object.assign(new Error("refused"), { data: err }));
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
// emit with an ack, as a promise of the ack's arguments.
const ask = (socket, event, ...args) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
    socket.emit(event, ...args, (...reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
const nextEvent = (socket, event) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event}`)), 5000);
    socket.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });

describe("socket.io-client 2.x (allow_eio3)", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--allow-eio3", "--ping-interval", "300", "--ping-timeout", "300"] })));
  afterEach(() => {
    for (const socket of sockets) socket.close();
    sockets.clear();
  });
  after(() => server.stop());

  for (const [name, transports] of Object.entries(TRANSPORTS)) {
    it(`connects to the main namespace without a CONNECT and exchanges events, acks and binary over ${name}`, async () => {
      const socket = await connect2(server.url, { transports });
      // The id the 2.x client computes itself is the server's.
      await server.waitForLine(new RegExp(`^connect / ${socket.id}$`));
      const payload = { b: 1, a: [1, "two", null], bytes: Buffer.from([0, 1, 254, 255]), big: Buffer.alloc(5000, 3) };
      const [echoed] = await ask(socket, "echo", payload);
      assert.deepEqual(echoed, payload);
      assert.equal(JSON.stringify(Object.keys(echoed)), JSON.stringify(Object.keys(payload)));
      const event = nextEvent(socket, "echo");
      socket.emit("echo", "plain", 1, Buffer.from([7]));
      assert.deepEqual(await event, ["plain", 1, Buffer.from([7])]);
      if (transports.length === 2) await until(() => socket.io.engine.transport.name === "websocket", 5000, "the upgrade");
    });
  }

  it("joins another namespace with its query as the auth payload", async () => {
    const socket = await connect2(`${server.url}/custom`, { query: { name: "v2", flag: "1" } });
    assert.match(socket.id, /^\/custom#/);
    const [sockets] = await ask(socket, "fetch-sockets", {});
    const mine = sockets.find((s) => s.id === socket.id);
    assert.deepEqual(mine.auth, { name: "v2", flag: "1" });
  });

  it("gets a middleware refusal as its error event, with the data or else the message", async () => {
    const refused = await connect2(`${server.url}/admin`).catch((err) => err);
    assert.deepEqual(refused.data, { need: "admin" });
    const unknown = await connect2(`${server.url}/nowhere`).catch((err) => err);
    assert.equal(unknown.data, "Invalid namespace");
  });

  it("takes part in rooms and broadcasts, and answers the server's acks", async () => {
    const [a, b] = await Promise.all([connect2(server.url), connect2(server.url)]);
    await ask(b, "join", "room2");
    const got = nextEvent(b, "news");
    await ask(a, "broadcast", { to: "room2", event: "news", args: ["hi", Buffer.from([1, 2])] });
    assert.deepEqual(await got, ["hi", Buffer.from([1, 2])]);
    b.on("question", (value, callback) => callback(`re: ${value}`));
    const [reply] = await ask(b, "server-ask", { event: "question", args: ["q"] });
    assert.deepEqual(reply, { err: null, response: ["re: q"] });
  });

  it("stays connected on the heartbeat it drives (pings every 300 ms)", async () => {
    const socket = await connect2(server.url, { transports: ["websocket"] });
    let pongs = 0;
    socket.on("pong", () => pongs++);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.ok(pongs >= 3, `${pongs} pongs`);
    assert.equal(socket.connected, true);
  });

  it("reconnects after its transport drops", async () => {
    const socket = await connect2(server.url, { reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    const first = socket.id;
    const reconnecting = nextEvent(socket, "reconnect");
    const connected = nextEvent(socket, "connect");
    socket.emit("close-transport");
    await reconnecting;
    await connected;
    assert.equal(socket.connected, true);
    assert.notEqual(socket.id, first);
    assert.deepEqual(await ask(socket, "echo", "again"), ["again"]);
  });
});

describe("socket.io-client 2.x without allow_eio3", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  after(() => server.stop());

  it("cannot connect: the handshake is refused", async () => {
    const err = await connect2(server.url).catch((e) => e);
    assert.ok(err instanceof Error);
    for (const socket of sockets) socket.close();
    sockets.clear();
  });
});
