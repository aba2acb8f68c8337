// sio-server on PostgreSQL: a throwaway cluster (helpers/postgres.mjs: initdb + pg_ctl, unix
// socket only) is started for this file; messages go through the real server into it and survive
// a server restart. Skipped, saying so, only when the PostgreSQL binaries are missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";
import { startServer } from "../helpers/server.mjs";
import { signJwt, claimsFor } from "../helpers/app.mjs";
import { pgBin, startPostgres } from "../helpers/postgres.mjs";

let pg;
before(() => {
  if (pgBin) pg = startPostgres();
});
after(() => pg?.remove());

const connect = (url, token) =>
  new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, forceNew: true, reconnection: false, transports: ["websocket"] });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });

test("messages are stored in PostgreSQL and survive a server restart", { skip: !pgBin && "PostgreSQL binaries not found" }, async () => {
  const secret = randomBytes(16).toString("hex");
  const env = { JWT_ACCESS_SECRET: secret, DATABASE_URL: pg.url };
  const token = signJwt(claimsFor("alice"), secret);

  let server = await startServer("sio-server", { env });
  const room = await (
    await fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "pg room", public: true }),
    })
  ).json();
  assert.ok(room.id > 0);
  const alice = await connect(server.url, token);
  assert.deepEqual(await alice.emitWithAck("join-room", room.id), { ok: true });
  const sent = await alice.emitWithAck("message", { roomId: room.id, content: "stored in postgres ✓" });
  assert.equal(sent.ok, true);
  alice.disconnect();
  const ready = await (await fetch(`${server.url}/readyz`)).json();
  assert.equal(ready.database, "ok");
  await server.stop();

  server = await startServer("sio-server", { env });
  try {
    const again = await connect(server.url, token);
    const history = await again.emitWithAck("history", { roomId: room.id });
    again.disconnect();
    assert.equal(history.ok, true);
    assert.deepEqual(history.messages.map((m) => [m.id, m.content, m.userId]), [[sent.message.id, "stored in postgres ✓", "alice"]]);
  } finally {
    await server.stop();
  }
});
