// sio-server's limits, configured through the environment: rooms per socket (join-room beyond
// it answers "Too many rooms"), open connections per IP and handshakes per second per IP (both
// refused, both counted in /metrics), request header size and header-read time. Attacking
// clients use their own loopback addresses so that the test's own requests stay within limits.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { closeAll, connectError } from "../helpers/socketio.mjs";
import { startApp, createRoom, connectAs, nth, metrics } from "../helpers/app.mjs";
import { holdConnection, closedByServer, exchange, trickleHeaders, rawGet } from "../helpers/tcp.mjs";

describe("sio-server: rooms per socket", () => {
  let server;
  let rooms;
  before(async () => {
    server = await startApp({ env: { SIO_MAX_ROOMS_PER_SOCKET: "3" } });
    rooms = [];
    for (let i = 0; i < 3; i++) rooms.push(await createRoom(server, "owner", { isPublic: true }));
  });
  afterEach(closeAll);
  after(() => server.stop());

  const join = (socket, room) => socket.timeout(5000).emitWithAck("join-room", room.id);

  // A user socket in user:<id> and the first two rooms: three rooms, the cap.
  async function atTheCap(user) {
    const socket = await connectAs(server, user);
    for (const room of rooms.slice(0, 2)) assert.deepEqual(await join(socket, room), { ok: true });
    return socket;
  }

  it("answers a join-room beyond the cap with {ok:false, error:'Too many rooms'} and an error event", async () => {
    const alice = await atTheCap("alice");
    assert.deepEqual(await join(alice, rooms[2]), { ok: false, error: "Too many rooms" });
    assert.deepEqual(await nth(alice, "error"), ["Too many rooms"]);
  });

  it("sends the error event to a join-room without an ack", async () => {
    const bob = await atTheCap("bob");
    bob.emit("join-room", rooms[2].id);
    assert.deepEqual(await nth(bob, "error"), ["Too many rooms"]);
  });

  it("does not let a refused socket post to the room", async () => {
    const carol = await atTheCap("carol");
    await join(carol, rooms[2]);
    const reply = await carol.timeout(5000).emitWithAck("message", { roomId: rooms[2].id, content: "hi" });
    assert.deepEqual(reply, { ok: false, error: "Not in room" });
  });

  it("does not make the user a member of a public room it was refused", async () => {
    const erin = await atTheCap("erin");
    await join(erin, rooms[2]);
    // History is for members: a member would get {ok:true, …}.
    const history = await erin.timeout(5000).emitWithAck("history", { roomId: rooms[2].id });
    assert.deepEqual(history, { ok: false, error: "Forbidden" });
  });

  it("joins again once the socket left a room", async () => {
    const dave = await atTheCap("dave");
    assert.deepEqual(await dave.timeout(5000).emitWithAck("leave-room", rooms[0].id), { ok: true });
    assert.deepEqual(await join(dave, rooms[2]), { ok: true });
  });
});

describe("sio-server: connections and handshakes per IP", () => {
  let server;
  const held = [];
  before(async () => {
    server = await startApp({
      env: { SIO_MAX_CONNECTIONS_PER_IP: "2", SIO_HANDSHAKE_RATE: "0.2", SIO_HANDSHAKE_BURST: "2" },
    });
  });
  afterEach(closeAll);
  after(async () => {
    for (const socket of held) socket.destroy();
    await server.stop();
  });

  it("closes a connection over the per-IP limit and counts it in /metrics", async () => {
    held.push(await holdConnection(server, { localAddress: "127.0.0.2" }));
    held.push(await holdConnection(server, { localAddress: "127.0.0.2" }));
    const refused = await closedByServer(server, { localAddress: "127.0.0.2", timeoutMs: 3000 });
    assert.equal(refused.received, "");
    const m = await metrics(server);
    assert.equal(m['sio_connections_refused_total{limit="max_connections_per_ip"}'], 1);
    assert.equal(m['sio_connections_refused_total{limit="max_connections"}'], 0);
    assert.ok(m.sio_tcp_connections >= 3, `sio_tcp_connections ${m.sio_tcp_connections}`);
  });

  it("gives socket.io-client a connect_error while its address is at the limit", async () => {
    const err = await connectError(server.url, {
      transports: ["websocket"],
      localAddress: "127.0.0.2",
      auth: { token: server.token("erin") },
    });
    assert.equal(err.message, "websocket error");
  });

  it("serves users from other addresses meanwhile", async () => {
    const frank = await connectAs(server, "frank", { transports: ["websocket"], localAddress: "127.0.0.3" });
    assert.ok(frank.connected);
  });

  it("answers handshakes over the rate with 429 and counts them in /metrics", async () => {
    const handshake = () => rawGet(server, "/socket.io/?EIO=4&transport=polling", { localAddress: "127.0.0.4" });
    assert.equal((await handshake()).status, 200);
    assert.equal((await handshake()).status, 200);
    const refused = await handshake();
    assert.equal(refused.status, 429);
    assert.deepEqual(JSON.parse(refused.body), { code: 4, message: "Too many handshakes" });
    const m = await metrics(server);
    assert.equal(m.sio_handshakes_rate_limited_total, 1);
  });

  it("gives socket.io-client a connect_error carrying the 429 when its address is over the rate", async () => {
    // socket.io-client polls from 127.0.0.1: spend that address's tokens first. On a stalled
    // machine a token may come back before the client asks; then spend it and try again.
    for (let attempt = 1; ; attempt++) {
      while ((await rawGet(server, "/socket.io/?EIO=4&transport=polling")).status === 200);
      try {
        const err = await connectError(server.url, { transports: ["polling"], auth: { token: server.token("gina") } });
        assert.equal(err.message, "xhr poll error");
        assert.equal(err.description, 429);
        return;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  });
});

describe("sio-server: request headers", () => {
  let server;
  before(async () => {
    server = await startApp({ env: { SIO_MAX_HEADER_BYTES: "4096", SIO_HEADER_TIMEOUT: "1500" } });
  });
  afterEach(closeAll);
  after(() => server.stop());

  it("answers headers over SIO_MAX_HEADER_BYTES with 431 and closes", async () => {
    const response = await exchange(server, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(6 * 1024)}\r\n\r\n`);
    assert.match(response, /^HTTP\/1\.1 431 /);
    assert.equal((await rawGet(server, "/healthz", { headers: { "X-Fits": "a".repeat(2 * 1024) } })).status, 200);
  });

  it("closes a client trickling its headers after SIO_HEADER_TIMEOUT while a user connects", async () => {
    const trickling = trickleHeaders(server, { head: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", intervalMs: 1000 });
    const user = await connectAs(server, "henry");
    assert.ok(user.connected);
    const { ms, response } = await trickling;
    assert.equal(response, "");
    assert.ok(ms >= 1000 && ms < 8000, `closed after ${ms} ms (header timeout 1.5 s)`);
  });
});
