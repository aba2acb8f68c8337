// Two sio-servers (the chat application) sharing a database and a Redis (REDIS_URL); redis-server
// is killed and started again on the same port. Meanwhile each server stays up and serves its own
// clients (messages are stored and reach the room's members on the same server), /readyz answers
// 503 with "redis":"unreachable"; once Redis is back, cross-server delivery resumes by itself and
// /readyz is 200 again.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";
import { sleep } from "../helpers/server.mjs";
import { until } from "../helpers/socketio.mjs";
import { connectAs, createRoom, api, received, eventually } from "../helpers/app.mjs";

// How long cross-server delivery may take to come back after Redis did (reconnection backoff is
// at most 2 s; the rest is slack for a loaded machine).
const RESUME_MS = 15000;

describe("sio-servers whose Redis is killed and restarted", () => {
  let cluster;
  let redis;
  let a;
  let b;
  let room;
  let alice; // on A
  let anna; // on A, same room
  let bob; // on B, same room

  before(async () => {
    cluster = await startAppCluster();
    ({ redis, a, b } = cluster);
    room = await createRoom(a, "alice", { isPublic: true });
    alice = await connectAs(a, "alice", { transports: ["websocket"] });
    anna = await connectAs(a, "anna", { transports: ["websocket"] });
    bob = await connectAs(b, "bob", { transports: ["websocket"] });
    for (const socket of [alice, anna, bob]) {
      assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    }
  });

  after(async () => {
    for (const socket of [alice, anna, bob]) socket?.disconnect();
    await stopAppCluster(cluster);
  });

  const send = (content, from = alice) => from.timeout(5000).emitWithAck("message", { roomId: room.id, content });
  const got = (socket, content) => received(socket, "message").some(([m]) => m.content === content);
  const readyz = async (server) => {
    const res = await api(server, "GET", "/readyz");
    return [res.status, res.body];
  };
  const down = [503, { status: "unavailable", database: "ok", redis: "unreachable" }];
  const up = [200, { status: "ready", database: "ok", redis: "ok" }];

  // Sends messages from `from` until `to`, a member on the other server, gets one (each try with
  // its own content); resolves with the ack of the one that arrived.
  async function untilDelivered(from, to, tag) {
    const deadline = performance.now() + RESUME_MS;
    for (let i = 0; ; i++) {
      const content = `${tag}-${i}`;
      const reply = await send(content, from);
      assert.equal(reply.ok, true, JSON.stringify(reply));
      const arrival = performance.now() + 500;
      while (!got(to, content) && performance.now() < arrival) await sleep(20);
      if (got(to, content)) return reply;
      if (performance.now() > deadline) throw new Error(`no message reached the other server within ${RESUME_MS} ms`);
    }
  }

  it("keeps serving each server's own clients while Redis is down", async () => {
    await redis.kill();
    try {
      const reply = await send("while redis is down");
      assert.equal(reply.ok, true, JSON.stringify(reply));
      // Stored, and delivered to the room's members on the same server.
      await until(() => got(anna, "while redis is down"), 5000, "the message on the same server");
      assert.deepEqual(received(anna, "message").find(([m]) => m.id === reply.message.id)[0], reply.message);
      const history = await bob.timeout(5000).emitWithAck("history", { roomId: room.id, limit: 1 });
      assert.deepEqual(history.messages, [reply.message]);
      assert.equal((await api(b, "GET", "/healthz")).status, 200);
      assert.equal(a.proc.exitCode, null);
      assert.equal(b.proc.exitCode, null);
    } finally {
      await redis.restart();
    }
  });

  it("answers /readyz 503 with redis 'unreachable' while Redis is down, and 200 once it is back", async () => {
    await eventually(async () => assert.deepEqual(await readyz(a), up), RESUME_MS);
    await redis.kill();
    try {
      for (const server of [a, b]) await eventually(async () => assert.deepEqual(await readyz(server), down), 5000);
    } finally {
      await redis.restart();
    }
    for (const server of [a, b]) await eventually(async () => assert.deepEqual(await readyz(server), up), RESUME_MS);
  });

  it("resumes cross-server delivery by itself once Redis is back", async () => {
    await untilDelivered(alice, bob, "before");
    await redis.kill();
    try {
      for (const server of [a, b]) await eventually(async () => assert.deepEqual(await readyz(server), down), 5000);
    } finally {
      await redis.restart();
    }
    for (const [from, to] of [[alice, bob], [bob, alice]]) {
      const reply = await untilDelivered(from, to, `after-from-${from.userId}`);
      // Delivered once, as stored.
      const copies = received(to, "message").filter(([m]) => m.id === reply.message.id);
      assert.deepEqual(copies.map(([m]) => m), [reply.message]);
    }
  });
});
