// sio-servers on a Redis that takes TLS only (rediss://, a throwaway CA made by openssl, trusted
// through SSL_CERT_FILE) and an ACL user (the default user off): messages cross servers; a wrong
// password or a certificate nobody vouches for keeps the servers serving their own clients, with
// /readyz saying Redis is unreachable.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { closeAll } from "../helpers/socketio.mjs";
import { sleep } from "../helpers/server.mjs";
import { startApp, api, createRoom, connectAs, nth, freshDir, randomSecret } from "../helpers/app.mjs";
import { freePort } from "../helpers/redis.mjs";
import { makeCertificateAuthority } from "../helpers/tls.mjs";

// redis-server with TLS on `port` (no plain port) and the ACL user sio/secret.
async function startTlsRedis(authority, port) {
  const { cert, key } = authority.issue("redis");
  const proc = spawn("redis-server", [
    "--port", "0", "--tls-port", String(port), "--bind", "127.0.0.1",
    "--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", path.join(authority.dir, "ca.pem"),
    "--tls-auth-clients", "no", "--save", "", "--appendonly", "no", "--loglevel", "warning",
    "--user", "default", "off", "--user", "sio", "on", ">secret", "~*", "&*", "+@all",
  ], { stdio: "ignore" });
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  await sleep(300);
  assert.equal(proc.exitCode, null, "redis-server with TLS started");
  return { proc, stop: async () => { proc.kill("SIGKILL"); await exited; } };
}

describe("the Redis adapter over rediss:// with an ACL user", () => {
  let authority;
  let redis;
  let port;
  let servers = [];
  before(async () => {
    authority = makeCertificateAuthority();
    port = await freePort();
    redis = await startTlsRedis(authority, port);
  });
  afterEach(async () => {
    closeAll();
    for (const server of servers) await server.stop();
    servers = [];
  });
  after(async () => {
    await redis?.stop();
    authority?.remove();
  });

  const start = (url, extra = {}, shared = {}) =>
    startApp({ ...shared, env: { REDIS_URL: url, SSL_CERT_FILE: path.join(authority.dir, "ca.pem"), ...extra } }).then((s) => {
      servers.push(s);
      return s;
    });

  for (const adapter of ["redis", "redis-sharded", "redis-streams"]) {
    it(`carries a room's messages from one server to the other (SIO_ADAPTER=${adapter})`, async () => {
      const shared = { dir: freshDir(), secret: randomSecret() };
      const url = `rediss://sio:secret@127.0.0.1:${port}`;
      const a = await start(url, { SIO_ADAPTER: adapter }, shared);
      const b = await start(url, { SIO_ADAPTER: adapter }, shared);
      for (const server of [a, b]) {
        for (let i = 0; (await api(server, "GET", "/readyz")).body.redis !== "ok"; i++) {
          assert.ok(i < 100, `${adapter}: Redis not reachable over TLS`);
          await sleep(50);
        }
      }
      const room = await createRoom(a, "alice", { isPublic: true });
      const alice = await connectAs(a, "alice");
      const bob = await connectAs(b, "bob");
      for (const socket of [alice, bob]) assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
      // The sharded adapter subscribes a room's channel once the room has a member: until b's
      // subscription is in place, a message does not reach it (as with Node's), so try again.
      for (let i = 0; ; i++) {
        assert.equal((await alice.timeout(5000).emitWithAck("message", { roomId: room.id, content: "over TLS" })).ok, true);
        const got = await nth(bob, "message", 1, 300).catch(() => null);
        if (got) {
          assert.equal(got[0].content, "over TLS");
          break;
        }
        assert.ok(i < 10, `${adapter}: no message crossed over TLS`);
      }
    });
  }

  it("reports Redis unreachable with a wrong password, and with a certificate it cannot trust", async () => {
    const wrong = await start(`rediss://sio:nope@127.0.0.1:${port}`);
    const untrusted = await start(`rediss://sio:secret@127.0.0.1:${port}`, { SSL_CERT_FILE: "/dev/null" });
    for (const [server, why] of [[wrong, /AUTH failed/], [untrusted, /TLS handshake/]]) {
      const ready = await api(server, "GET", "/readyz");
      assert.equal(ready.status, 503);
      assert.equal(ready.body.redis, "unreachable");
      await server.waitForLine(why);
      assert.equal((await connectAs(server, "carol")).connected, true);
    }
  });
});
