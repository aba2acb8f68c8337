// The per-socket event rate limit of sio-server with its production defaults (SIO_EVENT_RATE=20,
// SIO_EVENT_BURST=60), driven with the real socket.io-client: a flood is cut down to about a
// burst, refused events are answered "Rate limited", a socket next to the flooder is not slowed,
// and a socket that goes on flooding is disconnected.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/server.mjs";
import { closeAll, until } from "../helpers/socketio.mjs";
import { startApp, createRoom, connectAs, received, disconnected, metrics } from "../helpers/app.mjs";
import { roomMessages } from "../helpers/chat_traffic.mjs";

const BURST = 60;
const DISCONNECT_AFTER_MS = 2000;
const RATE_LIMITED = { ok: false, error: "Rate limited" };

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.ceil((p / 100) * values.length) - 1];

describe("sio-server event rate limit", () => {
  let server;
  before(
    async () =>
      (server = await startApp({ env: { SIO_EVENT_RATE_DISCONNECT_AFTER: String(DISCONNECT_AFTER_MS) } })),
  );
  afterEach(closeAll);
  after(() => server.stop());

  const ack = (socket, event, ...args) => socket.timeout(5000).emitWithAck(event, ...args);
  const joined = async (user, room) => {
    const socket = await connectAs(server, user);
    assert.deepEqual(await ack(socket, "join-room", room.id), { ok: true });
    return socket;
  };
  const flood = (socket, roomId, count, tag) =>
    Promise.all(Array.from({ length: count }, (_, i) => ack(socket, "message", { roomId, content: `${tag}-${i}` })));

  it('stores and broadcasts about a burst of a 300-message flood, acking the rest {ok:false, error:"Rate limited"}', async () => {
    const room = await createRoom(server, "alice", { isPublic: true });
    const flooder = await joined("mallory", room);
    const receiver = await joined("bob", room);

    const replies = await flood(flooder, room.id, 300, "flood");
    const stored = replies.filter((r) => r.ok);
    const refused = replies.filter((r) => !r.ok);
    // join-room took one token; the bucket refills at 20/s while the flood is handled.
    assert.ok(stored.length >= BURST - 5 && stored.length <= BURST + 15, `${stored.length} stored`);
    for (const reply of refused) assert.deepEqual(reply, RATE_LIMITED);

    await until(() => received(receiver, "message").length >= stored.length, 5000, "the stored messages broadcast");
    await sleep(200);
    assert.equal(received(receiver, "message").length, stored.length, "only stored messages are broadcast");
    const history = await roomMessages(server, room.id, "alice");
    assert.deepEqual(history.map((m) => m.id).sort(), stored.map((r) => r.message.id).sort());
    assert.equal(flooder.connected, true, "one burst is no reason to disconnect");
  });

  it('sends the "error" event "Rate limited" for flooded events that asked no ack', async () => {
    const room = await createRoom(server, "alice", { isPublic: true });
    const flooder = await joined("mallory", room);
    for (let i = 0; i < 150; i++) flooder.emit("message", { roomId: room.id, content: `plain-${i}` });
    await until(() => received(flooder, "error").length >= 150 - BURST - 15, 5000, "the Rate limited errors");
    for (const args of received(flooder, "error")) assert.deepEqual(args, ["Rate limited"]);
  });

  it("keeps an honest socket in the same room working, with its latency, while another floods", async () => {
    const room = await createRoom(server, "alice", { isPublic: true });
    const honest = await joined("bob", room);
    const flooder = await joined("mallory", room);
    const receiver = await joined("carol", room);

    let flooding = true;
    const flooderDone = (async () => {
      for (let i = 0; flooding && flooder.connected; i++) {
        flood(flooder, room.id, 50, `f${i}`).catch(() => {});
        await sleep(20);
      }
    })();
    const latencies = [];
    const replies = [];
    // 10 messages a second, for 3 s: a lively chat, half the default rate.
    for (let i = 0; i < 30; i++) {
      const start = performance.now();
      replies.push(await ack(honest, "message", { roomId: room.id, content: `honest-${i}` }));
      latencies.push(performance.now() - start);
      await sleep(100 - Math.min(latencies.at(-1), 100));
    }
    flooding = false;
    await flooderDone;

    assert.deepEqual(replies.filter((r) => !r.ok), [], "every honest message stored");
    assert.deepEqual(received(honest, "error"), []);
    const p99 = percentile(latencies, 99);
    assert.ok(p99 < 500, `honest p99 ${p99.toFixed(1)} ms`);
    await until(
      () => received(receiver, "message").filter(([m]) => m.userId === "bob").length === 30,
      5000,
      "the honest messages delivered",
    );
  });

  it("disconnects a socket that goes on flooding past the disconnect time, and counts it in /metrics", async () => {
    const before = await metrics(server);
    const room = await createRoom(server, "alice", { isPublic: true });
    const flooder = await joined("mallory", room);
    const gone = disconnected(flooder, DISCONNECT_AFTER_MS + 3000);
    const start = performance.now();
    for (let i = 0; flooder.connected && performance.now() - start < DISCONNECT_AFTER_MS + 3000; i++) {
      for (let k = 0; k < 20; k++) flooder.emit("message", { roomId: room.id, content: `on-${i}-${k}` });
      await sleep(20);
    }
    assert.equal(await gone, "io server disconnect");
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= DISCONNECT_AFTER_MS, `disconnected after ${elapsed.toFixed(0)} ms`);

    const after = await metrics(server);
    const delta = (name) => after[name] - (before[name] ?? 0);
    assert.ok(delta("sio_rate_limited_events_total") > 100, `${delta("sio_rate_limited_events_total")} refused`);
    assert.equal(delta("sio_rate_limited_disconnects_total"), 1);
  });
});
