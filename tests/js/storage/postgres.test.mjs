// sio-server on PostgreSQL: a throwaway cluster (initdb + pg_ctl, unix socket only) is started for
// this file; messages go through the real server into it and survive a server restart. Skipped,
// saying so, only when the PostgreSQL binaries are missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";
import { startServer } from "../helpers/server.mjs";
import { signJwt, claimsFor } from "../helpers/app.mjs";

const PORT = 5432; // unix socket in our own directory: no clash with any other server

function findPgBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, "bin");
    if (existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "pg_ctl"))) return bin;
  }
  return null;
}

const pgBin = findPgBin();
let dir;
const asOwner = (cmd, args) =>
  userInfo().uid === 0 ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args]) : execFileSync(cmd, args);

before(() => {
  if (!pgBin) return;
  dir = mkdtempSync(path.join(tmpdir(), "sio-pg-e2e-"));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(dir, uid, gid);
  }
  asOwner(path.join(pgBin, "initdb"), ["-D", `${dir}/data`, "-U", "sio", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  asOwner(path.join(pgBin, "pg_ctl"), [
    "-D", `${dir}/data`, "-l", `${dir}/server.log`, "-w", "-o", `-p ${PORT} -k ${dir} -c listen_addresses=''`, "start",
  ]);
});

after(() => {
  if (!dir) return;
  try {
    asOwner(path.join(pgBin, "pg_ctl"), ["-D", `${dir}/data`, "-m", "immediate", "stop"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const connect = (url, token) =>
  new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token }, forceNew: true, reconnection: false, transports: ["websocket"] });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });

test("messages are stored in PostgreSQL and survive a server restart", { skip: !pgBin && "PostgreSQL binaries not found" }, async () => {
  const secret = randomBytes(16).toString("hex");
  const env = { JWT_ACCESS_SECRET: secret, DATABASE_URL: `postgresql://sio@/postgres?host=${dir}&port=${PORT}` };
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
