import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { Socket as EngineSocket } from "engine.io-client";
import { startServer, once } from "../helpers/server.mjs";
import { client, connect, connectError, whenConnected, next, closeAll } from "../helpers/socketio.mjs";

describe("Socket.IO connection", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--connect-timeout", "500"] })));
  afterEach(closeAll);
  after(() => server.stop());

  it("gives the server the auth payload (handshake.auth) and middleware-set data", async () => {
    const auth = { name: "alice", token: "t-1", nested: { list: [1, "two", null], ok: true } };
    const socket = await connect(server.url, { auth });
    const sockets = await socket.emitWithAck("fetch-sockets", { to: socket.id });
    assert.deepEqual(sockets, [{ id: socket.id, rooms: [socket.id], data: { name: "alice" }, auth }]);
    await server.waitForLine(new RegExp(`^connect / ${socket.id}$`));
  });

  it("gives an empty auth object when the client sends none", async () => {
    const socket = await connect(server.url);
    const [details] = await socket.emitWithAck("fetch-sockets", { to: socket.id });
    assert.deepEqual(details.auth, {});
    assert.deepEqual(details.data, {});
  });

  it("passes a middleware error's message and data to connect_error", async () => {
    const err = await connectError(server.url, { auth: { reject: "go away" } });
    assert.equal(err.message, "go away");
    assert.deepEqual(err.data, { reason: "test" });
  });

  it("connects when retried with acceptable auth after a middleware refusal", async () => {
    const socket = client(server.url, { auth: { reject: "first try" } });
    await assert.rejects(whenConnected(socket), { message: "first try" });
    socket.auth = { name: "second" };
    socket.connect();
    await whenConnected(socket);
    const [details] = await socket.emitWithAck("fetch-sockets", { to: socket.id });
    assert.deepEqual(details.auth, { name: "second" });
  });

  it("connects once an asynchronous middleware calls next later", async () => {
    const started = performance.now();
    const socket = await connect(server.url, { auth: { delay: 300 } });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290, `connected after ${elapsed} ms, before the middleware's 300 ms`);
    assert.ok(socket.connected);
    assert.equal(await socket.emitWithAck("echo", "after delay"), "after delay");
  });

  it("lets a socket without delay connect while another one's middleware is still pending", async () => {
    // Shorter than --connect-timeout (500 ms), past which the pending connection is closed.
    const slow = client(server.url, { auth: { delay: 300 } });
    const slowConnected = whenConnected(slow);
    const fast = await connect(server.url);
    assert.equal(slow.connected, false, "the delayed socket connected before its middleware finished");
    assert.ok(fast.connected);
    await slowConnected;
  });

  it("runs the main namespace's middleware only for the main namespace", async () => {
    const socket = await connect(`${server.url}/custom`, { auth: { reject: "not here", name: "bob" } });
    await server.waitForLine(new RegExp(`^connect /custom ${socket.id}$`));
    const [details] = await socket.emitWithAck("fetch-sockets", { to: socket.id });
    assert.deepEqual(details.data, {}, "the main namespace's middleware ran for /custom");
  });

  it("refuses an unknown namespace with 'Invalid namespace'", async () => {
    const err = await connectError(`${server.url}/nope`);
    assert.equal(err.message, "Invalid namespace");
  });

  it("refuses /admin without auth.admin with 'Forbidden' and data {need: 'admin'}", async () => {
    const err = await connectError(`${server.url}/admin`, { auth: { admin: false } });
    assert.equal(err.message, "Forbidden");
    assert.deepEqual(err.data, { need: "admin" });
  });

  it("accepts /admin with auth {admin: true}", async () => {
    const socket = await connect(`${server.url}/admin`, { auth: { admin: true } });
    await server.waitForLine(new RegExp(`^connect /admin ${socket.id}$`));
    assert.equal(await socket.emitWithAck("echo", "admin"), "admin");
  });

  it("creates a dynamic namespace /dyn-<digits> on demand and runs its connection handler", async () => {
    const socket = client(`${server.url}/dyn-42`);
    const hello = next(socket, "hello");
    await whenConnected(socket);
    assert.deepEqual(await hello, ["/dyn-42"]);
    await server.waitForLine(new RegExp(`^connect /dyn-42 ${socket.id}$`));
    assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
  });

  it("refuses a namespace that does not match the dynamic pattern", async () => {
    const err = await connectError(`${server.url}/dyn-abc`);
    assert.equal(err.message, "Invalid namespace");
  });

  it("puts two clients of the same dynamic namespace in the same namespace", async () => {
    const a = await connect(`${server.url}/dyn-77`);
    const b = await connect(`${server.url}/dyn-77`);
    const ids = (await a.emitWithAck("fetch-sockets", {})).map((s) => s.id);
    assert.deepEqual(ids.sort(), [a.id, b.id].sort());
    const got = next(b, "shared");
    await a.emitWithAck("broadcast", { to: b.id, event: "shared", args: ["dyn"] });
    assert.deepEqual(await got, ["dyn"]);
  });

  it("keeps sockets of different dynamic namespaces apart", async () => {
    const a = await connect(`${server.url}/dyn-1`);
    const b = await connect(`${server.url}/dyn-2`);
    const inA = await a.emitWithAck("fetch-sockets", {});
    const inB = await b.emitWithAck("fetch-sockets", {});
    assert.deepEqual(inA.map((s) => s.id), [a.id]);
    assert.deepEqual(inB.map((s) => s.id), [b.id]);
  });

  it("multiplexes two namespaces over one Manager and one Engine.IO connection", async () => {
    const main = client(server.url, { forceNew: false });
    const custom = client(`${server.url}/custom`, { forceNew: false });
    assert.equal(main.io, custom.io, "the two sockets should share a Manager");
    await Promise.all([whenConnected(main), whenConnected(custom)]);
    assert.notEqual(main.id, custom.id);
    await server.waitForLine(new RegExp(`^connect / ${main.id}$`));
    await server.waitForLine(new RegExp(`^connect /custom ${custom.id}$`));
    assert.deepEqual(await Promise.all([main.emitWithAck("echo", "m"), custom.emitWithAck("echo", "c")]), ["m", "c"]);
    // Each namespace only knows its own socket.
    assert.deepEqual((await main.emitWithAck("fetch-sockets", {})).map((s) => s.id), [main.id]);
    assert.deepEqual((await custom.emitWithAck("fetch-sockets", {})).map((s) => s.id), [custom.id]);
    // One connection: closing it from the main namespace disconnects the other too.
    const customGone = next(custom, "disconnect");
    const mainGone = next(main, "disconnect");
    main.emit("disconnect-me", true);
    assert.deepEqual(await mainGone, ["io server disconnect", undefined]);
    assert.deepEqual(await customGone, ["io server disconnect", undefined]);
  });

  it("leaves the other multiplexed namespace connected when one socket disconnects", async () => {
    const url = server.url.replace("127.0.0.1", "localhost");
    const main = client(url, { forceNew: false });
    const custom = client(`${url}/custom`, { forceNew: false });
    assert.equal(main.io, custom.io);
    await Promise.all([whenConnected(main), whenConnected(custom)]);
    const mainId = main.id;
    const customId = custom.id;
    main.disconnect();
    await server.waitForLine(new RegExp(`^disconnect / ${mainId} client namespace disconnect$`));
    assert.equal(await custom.emitWithAck("echo", "still here"), "still here");
    assert.equal(custom.id, customId);
  });

  it("keeps a multiplexed connection when another namespace on it is refused", async () => {
    // Another host name for the same server: a Manager of its own (the cache is per host).
    const url = server.url.replace("127.0.0.1", "127.0.0.2");
    const main = await connect(url, { forceNew: false });
    const unknown = client(`${url}/nope`, { forceNew: false });
    const admin = client(`${url}/admin`, { forceNew: false });
    assert.equal(unknown.io, main.io);
    assert.equal(admin.io, main.io);
    const refusals = [whenConnected(unknown), whenConnected(admin)];
    await assert.rejects(refusals[0], { message: "Invalid namespace" });
    await assert.rejects(refusals[1], { message: "Forbidden" });
    assert.ok(main.connected);
    assert.equal(await main.emitWithAck("echo", "unaffected"), "unaffected");
    // The refused namespace can still be joined over that same connection.
    const engine = main.io.engine;
    admin.auth = { admin: true };
    admin.connect();
    await whenConnected(admin);
    assert.equal(admin.io.engine, engine, "/admin was joined over another Engine.IO connection");
    assert.equal(await admin.emitWithAck("echo", "admin now"), "admin now");
  });

  it("closes an Engine.IO connection that joins no namespace within --connect-timeout", async () => {
    const engine = new EngineSocket(server.url, { path: "/socket.io/", transports: ["websocket"] });
    await once(engine, "open");
    const opened = performance.now();
    await once(engine, "close", 3000);
    const elapsed = performance.now() - opened;
    assert.ok(elapsed >= 400 && elapsed < 2000, `closed after ${elapsed} ms, expected about 500 ms`);
  });

  it("keeps an Engine.IO connection that joined a namespace past --connect-timeout", async () => {
    const socket = await connect(server.url);
    const engine = socket.io.engine;
    let closed = false;
    engine.on("close", () => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(closed, false);
    assert.ok(socket.connected);
    assert.equal(await socket.emitWithAck("echo", 1), 1);
  });
});
