// Connection state recovery with the real socket.io-client: a client whose connection drops comes
// back as the same socket (same id, rooms, data) and gets the packets it missed, once each and in
// order — or starts afresh when its session is gone (window passed, unknown pid or offset, bytes
// bound, a disconnection it chose).
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, sleep } from "../helpers/server.mjs";
import { connect, whenConnected, next, until, closeAll } from "../helpers/socketio.mjs";

const RECOVERABLE = ["transport close", "transport error", "ping timeout", "forced close"];

const recoveryServer = (args = []) =>
  startServer("sio-test-server", { args: ["--recovery-window", "60000", ...args] });

// Cuts the client's connection without telling the server anything at Socket.IO level, and waits
// until the server has seen the socket go (so its session is kept): "close" closes the Engine.IO
// transport as a lost page would, "kill" destroys the WebSocket's TCP connection.
async function drop(server, socket, { how = "close", nsp = "/" } = {}) {
  const id = socket.id;
  const gone = next(socket, "disconnect");
  if (how === "kill") socket.io.engine.transport.ws.terminate();
  else socket.io.engine.close();
  await gone;
  const [, reason] = await server.waitForLine(new RegExp(`^disconnect ${nsp} ${id} (.+)$`));
  assert.ok(RECOVERABLE.includes(reason), `the server saw '${reason}'`);
}

// Connects again (the client sends its pid and last offset) and resolves once connected.
function reconnect(socket) {
  socket.connect();
  return whenConnected(socket, 10000);
}

const range = (n) => Array.from({ length: n }, (_, i) => i);

// How often the server's middleware on "/" ran for socket `id`.
const middlewareRuns = (server, id) => server.lines.filter((l) => l === `middleware / ${id}`).length;

describe("Socket.IO connection state recovery", () => {
  let server;
  before(async () => (server = await recoveryServer()));
  afterEach(closeAll);
  after(() => server.stop());

  // 500 numbered broadcasts to a room, 3 ms apart; the receiver's connection drops after 150 of
  // them and comes back, once an observer in the room has seen 30 more, while the stream goes on.
  const streams = [
    { transport: "websocket", how: "close" },
    { transport: "websocket", how: "kill" },
    { transport: "polling", how: "close" },
  ];
  for (const { transport, how } of streams) {
    it(`loses, repeats and reorders nothing of a room's stream across a dropped ${transport} (${how})`, async () => {
      const room = `stream-${transport}-${how}`;
      const receiver = await connect(server.url, { transports: [transport] });
      const id = receiver.id;
      await receiver.emitWithAck("join", room);
      const observer = await connect(server.url, { transports: ["websocket"] });
      await observer.emitWithAck("join", room);
      let observed = 0;
      observer.on("tick", (i) => (observed = i + 1));
      const got = [];
      const offsetTypes = new Set();
      receiver.on("tick", (i, offset) => {
        got.push(i);
        offsetTypes.add(typeof offset);
      });
      const sender = await connect(server.url, { transports: ["websocket"] });
      let finished = false;
      const series = sender
        .timeout(60000)
        .emitWithAck("broadcast-series", { event: "tick", to: room, count: 500, interval: 3 })
        .then(() => (finished = true));

      await until(() => got.length >= 150, 20000, "150 ticks before the drop");
      await drop(server, receiver, { how });
      assert.equal(finished, false, "the stream ended before the connection dropped");
      const beforeDrop = got.length;
      await until(() => observed >= beforeDrop + 30, 20000, "30 ticks while the receiver is away");
      let atConnect;
      receiver.once("connect", () => (atConnect = got.length));
      await reconnect(receiver);

      assert.equal(receiver.recovered, true);
      assert.equal(receiver.id, id);
      assert.ok(atConnect >= beforeDrop + 30, "the ticks missed were not sent again on reconnection");
      await series;
      await until(() => got.length >= 500, 20000, "all 500 ticks");
      // The ack comes after anything the server queued before it: nothing else is on its way.
      assert.deepEqual(await receiver.emitWithAck("rooms"), [id, room].sort());
      assert.deepEqual(got, range(500));
      assert.deepEqual([...offsetTypes], ["string"], "a tick came without its offset");
      await server.waitForLine(new RegExp(`^connect / ${id} recovered$`));
    });
  }

  it("recovers through the client's own reconnection after the transport closes", async () => {
    const socket = await connect(server.url, {
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 300,
      reconnectionDelayMax: 500,
    });
    const id = socket.id;
    await socket.emitWithAck("join", "auto");
    const got = [];
    socket.on("note", (text) => got.push(text));
    const sender = await connect(server.url);
    await sender.emitWithAck("broadcast", { event: "note", to: "auto", args: ["before"] });
    await until(() => got.length === 1, 5000, "the first note");
    const gone = next(socket, "disconnect");
    socket.io.engine.close();
    await gone;
    await server.waitForLine(new RegExp(`^disconnect / ${id} `));
    await sender.emitWithAck("broadcast", { event: "note", to: "auto", args: ["while away"] });
    await whenConnected(socket, 10000);
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
    await until(() => got.length === 2, 5000, "the missed note");
    assert.deepEqual(got, ["before", "while away"]);
  });

  it("gives back the socket's data, its last offset being that of a private emit", async () => {
    const socket = await connect(server.url);
    const id = socket.id;
    assert.equal(await socket.emitWithAck("set-data", { score: 42 }), true);
    const echoes = [];
    socket.on("echo", (text, offset) => echoes.push([text, typeof offset]));
    socket.emit("echo", "private"); // no ack: the server answers with a private emit
    await until(() => echoes.length === 1, 5000, "the private echo");
    await drop(server, socket);
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    const [me] = await socket.emitWithAck("fetch-sockets", { to: id });
    assert.deepEqual(me.data, { score: 42 });
    // The private emit's offset was the client's last: the server knew it.
    assert.deepEqual(echoes, [["private", "string"]]);
  });

  it("puts offsets on broadcasts and private emits only, as Node does", async () => {
    const socket = await connect(server.url);
    await socket.emitWithAck("join", "offsets");
    const seen = [];
    socket.onAny((event, ...args) => seen.push([event, args.map((a) => typeof a)]));
    await socket.emitWithAck("broadcast", { event: "b", to: "offsets", args: [1] });
    await socket.emitWithAck("broadcast", { event: "bv", to: "offsets", args: [1], volatile: true });
    await socket.emitWithAck("emit-volatile", { event: "v", args: [1] });
    socket.on("asked", (n, callback) => callback(n));
    await socket.emitWithAck("server-ask", { event: "asked", args: [1] });
    assert.equal(await socket.emitWithAck("echo", 1), 1, "an ack carried more than its answer");
    await until(() => seen.length === 4, 5000, "four events");
    assert.deepEqual(seen, [
      ["b", ["number", "string"]],
      ["bv", ["number"]],
      ["v", ["number"]],
      ["asked", ["number", "function"]],
    ]);
  });

  it("recovers on another namespace", async () => {
    const socket = await connect(`${server.url}/custom`);
    const id = socket.id;
    await socket.emitWithAck("join", "custom-room");
    const got = [];
    socket.on("n", (i) => got.push(i));
    await socket.emitWithAck("broadcast", { event: "n", to: "custom-room", args: [1] });
    await until(() => got.length === 1, 5000, "the first event");
    await drop(server, socket, { nsp: "/custom" });
    const other = await connect(`${server.url}/custom`);
    await other.emitWithAck("broadcast", { event: "n", to: "custom-room", args: [2] });
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
    await until(() => got.length === 2, 5000, "the missed event");
    assert.deepEqual(got, [1, 2]);
  });

  it("starts afresh after a client-initiated disconnection", async () => {
    const socket = await connect(server.url);
    const id = socket.id;
    await socket.emitWithAck("echo", "x");
    socket.disconnect();
    await server.waitForLine(new RegExp(`^disconnect / ${id} client namespace disconnect$`));
    await reconnect(socket);
    assert.equal(socket.recovered, false);
    assert.notEqual(socket.id, id);
  });

  it("starts afresh with a pid the server never gave", async () => {
    const socket = await connect(server.url, { auth: { pid: "not-a-session", offset: "1" } });
    assert.equal(socket.recovered, false);
    assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
    await server.waitForLine(new RegExp(`^connect / ${socket.id}$`));
  });

  it("starts afresh with a known pid but an offset the server never gave", async () => {
    const socket = await connect(server.url);
    const id = socket.id;
    await socket.emitWithAck("join", "lost");
    socket.emit("echo", "x");
    await next(socket, "echo");
    await drop(server, socket);
    socket._lastOffset = "999999999"; // what the client would send had it seen such an offset
    await reconnect(socket);
    assert.equal(socket.recovered, false);
    assert.notEqual(socket.id, id);
    assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
  });

  it("skips the middlewares on recovery by default", async () => {
    const socket = await connect(server.url);
    const id = socket.id;
    socket.emit("echo", "x");
    await next(socket, "echo");
    await drop(server, socket);
    socket.auth = { reject: "would be refused" }; // the middleware would refuse this
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    await server.waitForLine(new RegExp(`^connect / ${id} recovered$`));
    assert.equal(middlewareRuns(server, id), 1);
  });
});

describe("Socket.IO connection state recovery with middlewares", () => {
  let server;
  before(async () => (server = await recoveryServer(["--recovery-skip-middlewares", "false"])));
  afterEach(closeAll);
  after(() => server.stop());

  const droppedSocket = async () => {
    const socket = await connect(server.url);
    socket.emit("echo", "x");
    await next(socket, "echo");
    const id = socket.id;
    await drop(server, socket);
    return { socket, id };
  };

  it("runs them for a recovering socket, which keeps its id", async () => {
    const { socket, id } = await droppedSocket();
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
    await server.waitForLine(new RegExp(`^connect / ${id} recovered$`));
    assert.equal(middlewareRuns(server, id), 2);
  });

  it("lets them refuse a recovering socket, whose session stays for a later attempt", async () => {
    const { socket, id } = await droppedSocket();
    socket.auth = { reject: "Not now" };
    socket.connect();
    const err = await whenConnected(socket).then(
      () => assert.fail("connected"),
      (e) => e,
    );
    assert.equal(err.message, "Not now");
    socket.auth = {};
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    assert.equal(socket.id, id);
  });
});

describe("Socket.IO connection state recovery limits", () => {
  let shortWindow;
  let smallStore;
  before(async () => {
    shortWindow = await startServer("sio-test-server", { args: ["--recovery-window", "500"] });
    smallStore = await recoveryServer(["--recovery-max-bytes", "30000"]);
  });
  afterEach(closeAll);
  after(async () => {
    await shortWindow.stop();
    await smallStore.stop();
  });

  // A connected socket that has seen an offset (a private emit), then dropped.
  const droppedSocket = async (server) => {
    const socket = await connect(server.url);
    socket.emit("echo", "x");
    await next(socket, "echo");
    const id = socket.id;
    await drop(server, socket);
    return { socket, id };
  };

  it("starts afresh once max_disconnection_duration has passed", async () => {
    const { socket, id } = await droppedSocket(shortWindow);
    await sleep(1200); // the window is 500 ms: only time passing can expire it
    await reconnect(socket);
    assert.equal(socket.recovered, false);
    assert.notEqual(socket.id, id);
  });

  it("drops the oldest sessions first when its bytes are full", async () => {
    const old = await droppedSocket(smallStore);
    const sender = await connect(smallStore.url);
    const filler = "x".repeat(1000);
    // About 40 kB of broadcasts to a room nobody is in, over a 30 kB bound.
    for (let i = 0; i < 40; i++) await sender.emitWithAck("broadcast", { event: "fill", to: "nobody", args: [filler] });
    const recent = await droppedSocket(smallStore);
    await reconnect(old.socket);
    assert.equal(old.socket.recovered, false, "the oldest session survived the bound");
    assert.notEqual(old.socket.id, old.id);
    await reconnect(recent.socket);
    assert.equal(recent.socket.recovered, true, "the newest session was dropped too");
    assert.equal(recent.socket.id, recent.id);
  });
});
