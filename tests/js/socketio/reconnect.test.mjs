import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, sleep } from "../helpers/server.mjs";
import { connect, whenConnected, next, closeAll } from "../helpers/socketio.mjs";

const reconnecting = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200 };

describe("Socket.IO disconnection and reconnection", () => {
  let server;
  // Fast heartbeats, so that a client that stops answering them is noticed quickly.
  before(async () => (server = await startServer("sio-test-server", { args: ["--ping-interval", "200", "--ping-timeout", "300"] })));
  afterEach(closeAll);
  after(() => server.stop());

  for (const transport of ["websocket", "polling"]) {
    it(`reconnects with a new id after the server closes the ${transport} transport`, async () => {
      const socket = await connect(server.url, { ...reconnecting, transports: [transport] });
      const oldId = socket.id;
      await socket.emitWithAck("join", "before-reconnect");
      const disconnected = next(socket, "disconnect");
      const reconnected = next(socket.io, "reconnect");
      socket.emit("close-transport");
      const [reason] = await disconnected;
      assert.equal(reason, "transport close");
      await whenConnected(socket);
      await reconnected;
      assert.ok(socket.connected);
      assert.notEqual(socket.id, oldId);
      assert.ok(!socket.recovered, "the client thinks its state was recovered");
      assert.equal(await socket.emitWithAck("echo", "again"), "again");
      // The new socket starts afresh: the old one's rooms are gone with it.
      assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
      assert.deepEqual(await socket.emitWithAck("fetch-sockets", { to: "before-reconnect" }), []);
      // The server closed the connection itself: Node's engine.io reports that as "forced close".
      await server.waitForLine(new RegExp(`^disconnect / ${oldId} forced close$`));
      await server.waitForLine(new RegExp(`^connect / ${socket.id}$`));
    });
  }

  it("delivers, once reconnected, the events emitted while the connection was down", async () => {
    const socket = await connect(server.url, { ...reconnecting, transports: ["websocket"] });
    const disconnected = next(socket, "disconnect");
    socket.emit("close-transport");
    await disconnected;
    assert.equal(socket.connected, false);
    const answers = Promise.all([socket.emitWithAck("echo", "buffered-1"), socket.emitWithAck("echo", "buffered-2")]);
    assert.deepEqual(await answers, ["buffered-1", "buffered-2"]);
    assert.ok(socket.connected);
  });

  it("stays connected across many heartbeats", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    let pings = 0;
    socket.io.engine.on("ping", () => pings++);
    let disconnected = false;
    socket.on("disconnect", () => (disconnected = true));
    await sleep(1000);
    assert.ok(pings >= 3, `only ${pings} pings in 1 s with a 200 ms ping interval`);
    assert.equal(disconnected, false);
    assert.equal(await socket.emitWithAck("echo", "alive"), "alive");
  });

  it("disconnects with 'ping timeout' a client that stops answering pings", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    const id = socket.id;
    const engine = socket.io.engine;
    // engine.io-client 6.6 answers pings through its private _sendPacket: swallow the pongs.
    const sendPacket = engine._sendPacket.bind(engine);
    engine._sendPacket = (type, ...rest) => (type === "pong" ? undefined : sendPacket(type, ...rest));
    const disconnected = next(socket, "disconnect", 3000);
    const [line] = await server.waitForLine(new RegExp(`^disconnect / ${id} (.*)$`), 3000);
    assert.equal(line, `disconnect / ${id} ping timeout`);
    const [reason] = await disconnected;
    assert.ok(["transport close", "ping timeout"].includes(reason), `client saw '${reason}'`);
  });

  it("gives 'io server disconnect' on disconnect-me and does not reconnect", async () => {
    const socket = await connect(server.url, reconnecting);
    const id = socket.id;
    let attempts = 0;
    socket.io.on("reconnect_attempt", () => attempts++);
    const disconnected = next(socket, "disconnect");
    socket.emit("disconnect-me");
    assert.equal((await disconnected)[0], "io server disconnect");
    await sleep(600); // several reconnection delays
    assert.equal(attempts, 0);
    assert.equal(socket.connected, false);
    await server.waitForLine(new RegExp(`^disconnect / ${id} server namespace disconnect$`));
  });

  it("keeps the shared Engine.IO connection after disconnect-me on one multiplexed namespace", async () => {
    // Another host name for the same server: a Manager of its own (the cache is per host).
    const url = server.url.replace("127.0.0.1", "localhost");
    const main = await connect(url, { forceNew: false, transports: ["websocket"] });
    const custom = await connect(`${url}/custom`, { forceNew: false, transports: ["websocket"] });
    assert.equal(main.io, custom.io);
    const engine = main.io.engine;
    let customDisconnected = false;
    custom.on("disconnect", () => (customDisconnected = true));
    const disconnected = next(main, "disconnect");
    main.emit("disconnect-me");
    assert.equal((await disconnected)[0], "io server disconnect");
    assert.equal(await custom.emitWithAck("echo", "still"), "still");
    assert.equal(customDisconnected, false);
    assert.equal(engine.readyState, "open");
    // The main namespace can be joined again over the same connection.
    main.connect();
    await whenConnected(main);
    assert.equal(main.io.engine, engine);
    assert.equal(await main.emitWithAck("echo", 2), 2);
  });

  // Right after connecting, the client is often between polls while it probes a WebSocket: the
  // DISCONNECT then waits for its next GET, and the close packet must not share that response
  // (the client would act on the close before the DISCONNECT and reconnect).
  it("reports 'io server disconnect' for disconnect(true) at any point of the upgrade", async () => {
    const reasons = {};
    for (let i = 0; i < 30; i++) {
      const socket = await connect(server.url);
      const [reason] = await new Promise((resolve) => {
        socket.once("disconnect", (...args) => resolve(args));
        socket.emit("disconnect-me", true);
      });
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    assert.deepEqual(reasons, { "io server disconnect": 30 });
  });

  it("closes the Engine.IO connection on disconnect-me(true) without reconnection", async () => {
    const socket = await connect(server.url, reconnecting);
    const id = socket.id;
    let attempts = 0;
    socket.io.on("reconnect_attempt", () => attempts++);
    const engineClosed = next(socket.io.engine, "close");
    const disconnected = next(socket, "disconnect");
    socket.emit("disconnect-me", true);
    assert.equal((await disconnected)[0], "io server disconnect");
    await engineClosed;
    await sleep(600);
    assert.equal(attempts, 0);
    await server.waitForLine(new RegExp(`^disconnect / ${id} server namespace disconnect$`));
  });

  for (const transport of ["websocket", "polling"]) {
    it(`reports 'client namespace disconnect' when a ${transport} client calls socket.disconnect()`, async () => {
      const socket = await connect(server.url, { transports: [transport] });
      const id = socket.id;
      const disconnected = next(socket, "disconnect");
      socket.disconnect();
      assert.equal((await disconnected)[0], "io client disconnect");
      await server.waitForLine(new RegExp(`^disconnecting / ${id} client namespace disconnect\\|`));
      await server.waitForLine(new RegExp(`^disconnect / ${id} client namespace disconnect$`));
    });
  }

  it("reports 'transport close' when the client closes the connection without leaving", async () => {
    const socket = await connect(server.url, { transports: ["websocket"] });
    const id = socket.id;
    socket.io.engine.close();
    await server.waitForLine(new RegExp(`^disconnect / ${id} transport close$`));
  });

  it("disconnects every socket of a multiplexed connection the server closes", async () => {
    // Another host name for the same server: a Manager of its own (the cache is per host).
    const url = server.url.replace("127.0.0.1", "127.0.0.2");
    const main = await connect(`${url}/custom`, { forceNew: false, transports: ["websocket"] });
    const dyn = await connect(`${url}/dyn-7`, { forceNew: false, transports: ["websocket"] });
    assert.equal(main.io, dyn.io);
    const [mainId, dynId] = [main.id, dyn.id];
    const gone = [next(main, "disconnect"), next(dyn, "disconnect")];
    main.emit("close-transport");
    assert.equal((await gone[0])[0], "transport close");
    assert.equal((await gone[1])[0], "transport close");
    await server.waitForLine(new RegExp(`^disconnect /custom ${mainId} forced close$`));
    await server.waitForLine(new RegExp(`^disconnect /dyn-7 ${dynId} forced close$`));
  });
});
