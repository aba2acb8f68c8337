// SIGTERM in the middle of a message storm: many clients (WebSocket and long-polling) send
// messages as fast as their acks come back while others watch the room, and the server is
// terminated mid-storm. It exits 0 in time and, restarted on the same database, has every message
// it acknowledged and every message it broadcast: a message is acked and sent only once durable.
import { describe, it, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { closeAll, until } from "../helpers/socketio.mjs";
import { startApp, createRoom, connectAs, received, freshDir, randomSecret } from "../helpers/app.mjs";
import { messageTraffic, roomMessages, assertAllStored } from "../helpers/chat_traffic.mjs";

const SHUTDOWN_DEADLINE_MS = 10000;
const SENDERS = { websocket: 8, polling: 4 };
const WINDOW = 4; // messages in flight per sender
const ACKED_BEFORE_SIGTERM = 300;

describe("sio-server terminated during a message storm", () => {
  const dir = freshDir();
  const secret = randomSecret();
  afterEach(closeAll);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0 in time and keeps every message it acked or broadcast", async (t) => {
    const first = await startApp({ dir, secret });
    let room;
    let traffic;
    let watchers;
    try {
      room = await createRoom(first, "owner", { isPublic: true });
      const join = async (user, transport) => {
        const socket = await connectAs(first, user, { transports: [transport] });
        assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
        return socket;
      };
      const senders = [];
      for (const [transport, count] of Object.entries(SENDERS)) {
        for (let i = 0; i < count; i++) senders.push(await join(`${transport}-${i}`, transport));
      }
      watchers = [await join("watcher-ws", "websocket"), await join("watcher-polling", "polling")];

      traffic = messageTraffic(senders, room.id, { window: WINDOW, ackTimeoutMs: 3000, tag: "storm" });
      await until(() => traffic.acked.size >= ACKED_BEFORE_SIGTERM, 30000, `${ACKED_BEFORE_SIGTERM} acked messages`);
      const started = performance.now();
      first.proc.kill("SIGTERM");
      const killer = setTimeout(() => first.proc.kill("SIGKILL"), SHUTDOWN_DEADLINE_MS + 5000);
      const exit = await first.exited;
      clearTimeout(killer);
      await traffic.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.ok(performance.now() - started < SHUTDOWN_DEADLINE_MS, `exited after ${performance.now() - started} ms`);
    } finally {
      await first.stop().catch(() => {});
    }
    // The storm was still going when the signal came: some messages were on their way.
    assert.ok(traffic.sent > traffic.acked.size + traffic.refused.length, "no message in flight at SIGTERM");

    const second = await startApp({ dir, secret });
    try {
      const stored = await roomMessages(second, room.id, "owner");
      const broadcast = watchers.flatMap((w) => received(w, "message").map(([m]) => m));
      t.diagnostic(
        `sent ${traffic.sent}, acked ${traffic.acked.size}, refused ${traffic.refused.length}, ` +
          `unanswered ${traffic.unanswered.length}, broadcast ${broadcast.length}, stored ${stored.length}`,
      );
      assertAllStored(stored, { acked: traffic.acked, broadcast });
      // The restarted server goes on from there.
      const sender = await connectAs(second, "owner");
      assert.deepEqual(await sender.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
      const reply = await sender.timeout(5000).emitWithAck("message", { roomId: room.id, content: "after the restart" });
      assert.equal(reply.ok, true);
      assert.ok(reply.message.id > Math.max(...stored.map((m) => m.id)));
    } finally {
      closeAll();
      await second.stop();
    }
  });
});
