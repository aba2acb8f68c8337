// sio-server with SIO_ALLOW_EIO3=1 and socket.io-client 2.5.0 (npm alias socket.io-client-v2),
// which cannot send an auth payload: its token travels in the `token` query parameter. The chat
// recipe works for it beside a 4.x client; a missing or bad token is refused as for 4.x clients.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, createRoom, connectAs, nth } from "../helpers/app.mjs";

const require = createRequire(import.meta.url);
const io2 = require("socket.io-client-v2");

describe("sio-server with socket.io-client 2.x (SIO_ALLOW_EIO3=1)", () => {
  let server;
  const sockets = [];
  before(async () => (server = await startApp({ env: { SIO_ALLOW_EIO3: "1", SIO_RECOVERY_WINDOW: "0" } })));
  afterEach(() => {
    closeAll();
    for (const socket of sockets.splice(0)) socket.close();
  });
  after(() => server.stop());

  // Resolves with the connected socket, or rejects with what its `error` event carried.
  const connect2 = (query, nsp = "") =>
    new Promise((resolve, reject) => {
      const socket = io2(server.url + nsp, { forceNew: true, reconnection: false, query });
      sockets.push(socket);
      socket.once("connect", () => resolve(socket));
      socket.once("error", reject);
      socket.once("connect_error", reject);
    });
  const ask = (socket, event, ...args) => new Promise((resolve) => socket.emit(event, ...args, resolve));

  it("authenticates with the token in the query, joins a room and chats with a 4.x client", async () => {
    const room = await createRoom(server, "alice", { isPublic: true });
    const old = await connect2({ token: server.token("olduser") });
    const modern = await connectAs(server, "alice");
    assert.deepEqual(await ask(old, "join-room", room.id), { ok: true });
    assert.deepEqual(await modern.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    const fromOld = await ask(old, "message", { roomId: room.id, content: "from 2.x" });
    assert.equal(fromOld.ok, true);
    assert.equal(fromOld.message.userId, "olduser");
    assert.equal((await nth(modern, "message"))[0].content, "from 2.x");
    const heard = new Promise((resolve) => old.once("message", resolve));
    await modern.timeout(5000).emitWithAck("message", { roomId: room.id, content: "from 4.x" });
    assert.equal((await heard).content, "from 4.x");
  });

  it("refuses a 2.x client without a token, or with a bad one, as it refuses any client", async () => {
    assert.equal(await connect2({}).catch((reason) => reason), "No token");
    assert.equal(await connect2({ token: "not.a.jwt" }).catch((reason) => reason), "Invalid token");
  });

  it("lets an admin's 2.x client into /admin with the token in the namespace query", async () => {
    const admin = await connect2({ token: server.token("root", { role: "admin" }) }, "/admin");
    const stats = await ask(admin, "stats");
    assert.equal(typeof stats.connections, "number");
    assert.equal(await connect2({ token: server.token("eve") }, "/admin").catch((reason) => reason), "Forbidden");
  });
});
