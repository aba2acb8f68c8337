import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { closeAll, connectError, whenConnected } from "../helpers/socketio.mjs";
import { startApp, api, userSocket, connectAs, createRoom, forgedTokens, metrics, eventually, signJwt, claimsFor } from "../helpers/app.mjs";

describe("sio-server authentication (main namespace)", () => {
  let server;
  let alicePrivateRoom;
  before(async () => {
    server = await startApp();
    alicePrivateRoom = await createRoom(server, "alice");
  });
  afterEach(closeAll);
  after(() => server.stop());

  // A connected socket proves it is alice by joining her private room.
  const assertIsAlice = async (socket) =>
    assert.deepEqual(await socket.timeout(3000).emitWithAck("join-room", alicePrivateRoom.id), { ok: true });

  it('refuses a connection without a token with connect_error "No token"', async () => {
    const err = await connectError(server.url);
    assert.equal(err.message, "No token");
  });

  it('refuses an empty auth.token with "No token"', async () => {
    const err = await connectError(server.url, { auth: { token: "" } });
    assert.equal(err.message, "No token");
  });

  it('refuses a non-string auth.token with "Invalid token"', async () => {
    const err = await connectError(server.url, { auth: { token: 12345 } });
    assert.equal(err.message, "Invalid token");
  });

  it("connects with a valid token in auth.token, as the token's sub", async () => {
    const socket = await connectAs(server, "alice");
    assert.ok(socket.connected);
    await assertIsAlice(socket);
  });

  for (const transport of ["polling", "websocket"]) {
    it(`takes the token from an Authorization: Bearer header (${transport})`, async () => {
      const socket = await whenConnected(
        userSocket(server, "alice", { auth: {}, transports: [transport], extraHeaders: { Authorization: `Bearer ${server.token("alice")}` } }),
      );
      assert.equal(socket.io.engine.transport.name, transport);
      await assertIsAlice(socket);
    });
  }

  it("reads the Bearer scheme case-insensitively", async () => {
    const socket = await whenConnected(
      userSocket(server, "alice", { auth: {}, transports: ["polling"], extraHeaders: { authorization: `bearer ${server.token("alice")}` } }),
    );
    await assertIsAlice(socket);
  });

  it("refuses an Authorization header that is not a Bearer token", async () => {
    const err = await connectError(server.url, {
      transports: ["polling"],
      extraHeaders: { Authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` },
    });
    assert.match(err.message, /^(No token|Invalid token)$/);
  });

  it("refuses a forged token in the Authorization header", async () => {
    const err = await connectError(server.url, {
      transports: ["polling"],
      extraHeaders: { Authorization: `Bearer ${signJwt(claimsFor("alice"), "wrong-secret")}` },
    });
    assert.equal(err.message, "Invalid token");
  });

  for (const [what, token] of Object.entries(forgedTokens("placeholder"))) {
    // The forged tokens are rebuilt with the server's secret inside the test (it is random).
    it(`refuses a token with ${what}: connect_error "Invalid token"`, async () => {
      const forged = forgedTokens(server.secret)[what];
      assert.ok(token && forged);
      const err = await connectError(server.url, { auth: { token: forged } });
      assert.equal(err.message, "Invalid token");
    });
  }

  it("answers 401 with a JSON error on the REST API to every forged token", async () => {
    for (const [what, token] of Object.entries(forgedTokens(server.secret))) {
      const res = await api(server, "GET", "/api/rooms", { token });
      assert.equal(res.status, 401, `REST accepted a token with ${what}`);
      assert.equal(typeof res.body?.error, "string");
    }
  });

  it("accepts a token with a past nbf and a future exp", async () => {
    const now = Math.floor(Date.now() / 1000);
    const socket = await connectAs(server, "alice", { token: signJwt(claimsFor("alice", { nbf: now - 60, exp: now + 60 }), server.secret) });
    assert.ok(socket.connected);
  });

  it("keeps the token's role: an admin token reaches /admin, the same user without the role does not", async () => {
    const main = await connectAs(server, "alice", { claims: { role: "admin" } });
    assert.ok(main.connected);
    const admin = await connectAs(server, "alice", { claims: { role: "admin" }, nsp: "/admin" });
    const stats = await admin.timeout(3000).emitWithAck("stats");
    assert.ok(stats.namespaces["/"] >= 1);
    const refused = await connectError(`${server.url}/admin`, { auth: { token: server.token("alice", { role: "user" }) } });
    assert.equal(refused.message, "Forbidden");
  });

  it("leaves no socket behind for the refused connections", async () => {
    for (let i = 0; i < 5; i++) await connectError(server.url, { auth: { token: "garbage" } });
    await eventually(async () => assert.equal((await metrics(server))['sio_sockets{namespace="/"}'], 0));
  });
});
