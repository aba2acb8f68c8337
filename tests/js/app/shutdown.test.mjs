import { describe, it, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { sleep } from "../helpers/server.mjs";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, api, createRoom, addMember, connectAs, disconnected, nth, freshDir, randomSecret } from "../helpers/app.mjs";

const DEADLINE_MS = 10000;

// Sends SIGTERM (or `signal`) and resolves with {code, signal, ms} once the process exited.
async function terminate(server, signal = "SIGTERM") {
  const started = performance.now();
  server.proc.kill(signal);
  const timer = setTimeout(() => server.proc.kill("SIGKILL"), DEADLINE_MS + 5000);
  const result = await server.exited;
  clearTimeout(timer);
  return { ...result, ms: performance.now() - started };
}

// Every message of a room, through the REST API (pages of 100).
async function allMessages(server, roomId, user) {
  const messages = [];
  let before = "";
  for (;;) {
    const res = await api(server, "GET", `/api/rooms/${roomId}/messages?limit=100${before}`, { token: server.token(user) });
    assert.equal(res.status, 200, res.text);
    if (res.body.length === 0) return messages;
    messages.push(...res.body);
    before = `&before=${res.body.at(-1).id}`;
  }
}

describe("sio-server shutdown", () => {
  const dirs = [];
  afterEach(closeAll);
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  for (const signal of ["SIGTERM", "SIGINT"]) {
    it(`disconnects the connected clients on ${signal} and exits 0 within 10 s`, async () => {
      const server = await startApp();
      try {
        const room = await createRoom(server, "alice");
        await addMember(server, "alice", room.id, "bob");
        const sockets = [
          await connectAs(server, "alice"),
          await connectAs(server, "bob", { transports: ["polling"] }),
          await connectAs(server, "bob", { transports: ["websocket"] }),
          await connectAs(server, "root", { nsp: "/admin", claims: { role: "admin" } }),
        ];
        await sockets[0].timeout(3000).emitWithAck("join-room", room.id);
        // Settled: every polling client has its next GET waiting, for the close packet to ride on.
        for (const s of sockets.slice(0, 3)) await nth(s, "notifications");
        await sleep(200);
        const reasons = sockets.map((s) => disconnected(s, DEADLINE_MS));
        const result = await terminate(server, signal);
        assert.equal(result.signal, null, `killed by ${result.signal}`);
        assert.equal(result.code, 0);
        assert.ok(result.ms < DEADLINE_MS, `exited after ${result.ms} ms`);
        // The server closed the transports (WebSocket close frame, polling close packet).
        assert.deepEqual(await Promise.all(reasons), Array(sockets.length).fill("transport close"));
        assert.ok(server.lines.some((l) => /shutting down/.test(l)), "no 'shutting down' log line");
      } finally {
        await server.stop().catch(() => {});
      }
    });
  }

  it("keeps every message acked before SIGTERM: all are in the database after a restart", async () => {
    const dir = freshDir();
    dirs.push(dir);
    const secret = randomSecret();
    const first = await startApp({ dir, secret });
    let room;
    const acked = new Map();
    try {
      room = await createRoom(first, "alice");
      await addMember(first, "alice", room.id, "bob");
      const senders = [await connectAs(first, "alice"), await connectAs(first, "bob", { transports: ["polling"] })];
      for (const s of senders) await s.timeout(3000).emitWithAck("join-room", room.id);
      // A steady stream of messages from both users; SIGTERM arrives in the middle of it.
      let stop = false;
      const pumps = senders.map(async (socket, n) => {
        for (let i = 0; !stop && socket.connected; i++) {
          const batch = Array.from({ length: 10 }, (_, j) =>
            socket.timeout(2000).emitWithAck("message", { roomId: room.id, content: `u${n}-${i}-${j}` }).then(
              (reply) => reply?.ok && acked.set(reply.message.id, reply.message),
              () => {},
            ),
          );
          await Promise.all(batch);
        }
      });
      while (acked.size < 100) await new Promise((r) => setTimeout(r, 5));
      const result = await terminate(first);
      stop = true;
      await Promise.all(pumps);
      assert.equal(result.code, 0);
      assert.ok(result.ms < DEADLINE_MS);
    } finally {
      await first.stop().catch(() => {});
    }
    assert.ok(acked.size >= 100);

    const second = await startApp({ dir, secret });
    try {
      const stored = await allMessages(second, room.id, "alice");
      const byId = new Map(stored.map((m) => [m.id, m]));
      const missing = [...acked.keys()].filter((id) => !byId.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.size} acked messages are not in the database`);
      for (const [id, message] of acked) assert.deepEqual(byId.get(id), message);
    } finally {
      await second.stop();
    }
  });

  it("keeps rooms, memberships, posts and unread notifications across a restart", async () => {
    const dir = freshDir();
    dirs.push(dir);
    const secret = randomSecret();
    const first = await startApp({ dir, secret });
    const room = await createRoom(first, "alice");
    await addMember(first, "alice", room.id, "bob");
    const post = (await api(first, "POST", "/api/posts", { token: first.token("alice"), body: { content: "persist me" } })).body;
    await api(first, "POST", `/api/posts/${post.id}/like`, { token: first.token("bob") });
    await first.stop();

    const second = await startApp({ dir, secret });
    try {
      const rooms = (await api(second, "GET", "/api/rooms", { token: second.token("bob") })).body;
      assert.deepEqual(rooms.find((r) => r.id === room.id), { ...room, member: true });
      const alice = await connectAs(second, "alice");
      const [list] = await nth(alice, "notifications");
      assert.deepEqual(list.map((n) => [n.postId, n.fromUserId]), [[post.id, "bob"]]);
    } finally {
      closeAll();
      await second.stop();
    }
  });
});
