// One server, four reactors, the real socket.io-client: connections spread over the reactors, a
// session's requests reach its reactor wherever they land, broadcasts reach every reactor exactly
// once and in each publisher's order, and a client recovers its session on another reactor.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { startServer } from "../helpers/server.mjs";
import { client, connect, connectMany, whenConnected, next, until, closeAll } from "../helpers/socketio.mjs";

const REACTORS = 4;
const reactors = (args = []) =>
  startServer("sio-test-server", { args, env: { SIO_THREADS: String(REACTORS) } });

// The reactor that owns an Engine.IO session: the first two characters of its id name it.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const reactorOf = (sid) => ALPHABET.indexOf(sid[0]) * 64 + ALPHABET.indexOf(sid[1]);

const range = (n) => Array.from({ length: n }, (_, i) => i);

async function stats(socket) {
  return socket.timeout(5000).emitWithAck("stats");
}

describe("Socket.IO on four reactors", () => {
  let server;
  before(async () => {
    server = await reactors();
  });
  after(() => server.stop());
  afterEach(closeAll);

  it("spreads connections over every reactor", async () => {
    const sockets = await connectMany(server.url, 40, { transports: ["websocket"] });
    const used = new Set(sockets.map((s) => reactorOf(s.io.engine.id)));
    assert.deepEqual([...used].sort(), range(REACTORS));
  });

  it("delivers 50 publishers' broadcasts in 20 rooms to 2,000 clients exactly once, in each publisher's order", async () => {
    const CLIENTS = 2000;
    const ROOMS = 20;
    const PUBLISHERS = 50;
    const MESSAGES = 20;
    // One client in five polls (no upgrade), the others use WebSocket.
    const sockets = [];
    for (let i = 0; i < CLIENTS; i += 100) {
      const batch = range(Math.min(100, CLIENTS - i)).map((k) =>
        connect(server.url, { transports: (i + k) % 5 === 0 ? ["polling"] : ["websocket"] }, 30000),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    const inbox = sockets.map(() => []);
    sockets.forEach((socket, i) => socket.on("tick", (publisher, seq) => inbox[i].push([publisher, seq])));
    await Promise.all(
      sockets.map((socket, i) => socket.timeout(30000).emitWithAck("join", `room-${i % ROOMS}`)),
    );
    assert.equal(new Set(sockets.map((s) => reactorOf(s.io.engine.id))).size, REACTORS);

    // Publisher p (client p) broadcasts to its own room, from its own reactor, one message after
    // the other as fast as acks come back.
    await Promise.all(
      range(PUBLISHERS).map(async (p) => {
        for (let seq = 0; seq < MESSAGES; seq++) {
          await sockets[p]
            .timeout(30000)
            .emitWithAck("broadcast", { event: "tick", to: `room-${p % ROOMS}`, args: [p, seq] });
        }
      }),
    );

    const expected = sockets.map((_, i) => range(PUBLISHERS).filter((p) => p % ROOMS === i % ROOMS));
    const total = expected.reduce((sum, publishers) => sum + publishers.length * MESSAGES, 0);
    await until(() => inbox.reduce((sum, got) => sum + got.length, 0) >= total, 60000, `${total} deliveries`);
    for (const [i, got] of inbox.entries()) {
      const byPublisher = new Map(expected[i].map((p) => [p, []]));
      for (const [publisher, seq] of got) {
        assert.ok(byPublisher.has(publisher), `client ${i} got a tick from publisher ${publisher}, not in its room`);
        byPublisher.get(publisher).push(seq);
      }
      for (const [publisher, seqs] of byPublisher) {
        assert.deepEqual(seqs, range(MESSAGES), `client ${i}, publisher ${publisher}`);
      }
    }
  });

  it("serves a polling client whose every request opens a connection of its own, on whatever reactor it lands", async () => {
    const observer = await connect(server.url, { transports: ["websocket"] });
    const before = (await stats(observer)).requestsMoved;
    // No keep-alive: each GET and POST is a new TCP connection, handed to the next reactor in
    // turn, and moved to the session's reactor when it is another one.
    const agent = new Agent({ keepAlive: false });
    const poller = await connect(server.url, { transports: ["polling"], agent });
    const ticks = [];
    poller.on("tick", (seq) => ticks.push(seq));
    assert.deepEqual(await poller.timeout(5000).emitWithAck("join", "polled"), [poller.id, "polled"].sort());
    for (let seq = 0; seq < 30; seq++) {
      await observer.timeout(5000).emitWithAck("broadcast", { event: "tick", to: "polled", args: [seq] });
      assert.equal(await poller.timeout(5000).emitWithAck("echo", seq), seq);
    }
    await until(() => ticks.length >= 30, 10000, "30 ticks");
    assert.deepEqual(ticks, range(30));
    const moved = (await stats(observer)).requestsMoved - before;
    // Of every four connections, three land away from the session's reactor (other clients'
    // connections may shift the turn, never by much).
    assert.ok(moved >= 30, `only ${moved} requests were moved to the session's reactor`);
    agent.destroy();
  });
});

describe("Socket.IO connection state recovery across reactors", () => {
  let server;
  before(async () => {
    server = await reactors(["--recovery-window", "60000"]);
  });
  after(() => server.stop());
  afterEach(closeAll);

  it("recovers a session on another reactor with the broadcasts it missed, once each and in order", async () => {
    const publisher = await connect(server.url, { transports: ["websocket"] });
    const socket = client(server.url, { transports: ["websocket"] });
    await whenConnected(socket);
    const ticks = [];
    socket.on("tick", (seq) => ticks.push(seq));
    await socket.timeout(5000).emitWithAck("join", "recovering");
    const broadcast = (seq) =>
      publisher.timeout(5000).emitWithAck("broadcast", { event: "tick", to: "recovering", args: [seq] });
    for (const seq of range(5)) await broadcast(seq);
    await until(() => ticks.length === 5, 5000, "5 ticks before the drop");

    const id = socket.id;
    const reactorBefore = reactorOf(socket.io.engine.id);
    // Drop the connection; while the client is away, the broadcasts go on. The next connection
    // lands on the next reactor in turn: open one elsewhere first if it would be the same.
    const gone = next(socket, "disconnect");
    socket.io.engine.close();
    await gone;
    await server.waitForLine(new RegExp(`^disconnect / ${id} transport close$`));
    for (const seq of range(5).map((n) => n + 5)) await broadcast(seq);
    let spacers = 0;
    do {
      socket.connect();
      await whenConnected(socket, 10000);
      if (reactorOf(socket.io.engine.id) !== reactorBefore) break;
      // Came back on the same reactor: drop again and try the next one.
      const again = next(socket, "disconnect");
      socket.io.engine.close();
      await again;
      await server.waitForLine(new RegExp(`^disconnect / ${id} transport close$`));
    } while (++spacers < REACTORS);

    assert.notEqual(reactorOf(socket.io.engine.id), reactorBefore, "the client came back on another reactor");
    assert.equal(socket.id, id);
    assert.equal(socket.recovered, true);
    for (const seq of range(5).map((n) => n + 10)) await broadcast(seq);
    await until(() => ticks.length >= 15, 5000, "15 ticks");
    assert.deepEqual(ticks, range(15));
    assert.deepEqual(await socket.timeout(5000).emitWithAck("rooms"), [id, "recovering"].sort());
  });
});
