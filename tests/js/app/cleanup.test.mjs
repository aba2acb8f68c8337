import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startApp, createRoom, metrics, rssBytes, eventually } from "../helpers/app.mjs";
import { isSanitized } from "../helpers/server.mjs";

const WARMUP = 1000;
const CYCLES = 10000;
const CONCURRENCY = 50;
const USERS = 500; // cycles reuse user ids, so users go online and offline many times
// Measured growth is well under 1 MB; 8 MB still catches a leak of ~1 KB per connection.
const RSS_GROWTH_LIMIT = 8 * 1024 * 1024;
const MB = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

describe("sio-server cleanup after many connections", () => {
  let server;
  let room;
  before(async () => {
    // Thousands of handshakes from one address: far over the default handshake rate per IP.
    server = await startApp({ env: { SIO_HANDSHAKE_RATE: "0" } });
    room = await createRoom(server, "owner", { isPublic: true });
  });
  after(() => server.stop());

  // One cycle: connect over WebSocket, every 10th socket also joins a chat room, disconnect.
  function cycle(i) {
    return new Promise((resolve, reject) => {
      const socket = io(server.url, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
        auth: { token: server.token(`user-${i % USERS}`) },
      });
      const timer = setTimeout(() => fail(new Error(`cycle ${i}: no connect within 10 s`)), 10000);
      const fail = (err) => {
        clearTimeout(timer);
        socket.disconnect();
        reject(err);
      };
      socket.on("connect_error", (err) => fail(new Error(`cycle ${i}: ${err.message}`)));
      socket.on("connect", async () => {
        try {
          if (i % 10 === 0) {
            const reply = await socket.timeout(10000).emitWithAck("join-room", room.id);
            if (!reply.ok) throw new Error(`cycle ${i}: join-room ${JSON.stringify(reply)}`);
          }
          clearTimeout(timer);
          socket.disconnect();
          resolve();
        } catch (err) {
          fail(err);
        }
      });
    });
  }

  async function run(count, offset) {
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < count) await cycle(offset + nextIndex++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  // Everything a connection leaves behind is gone: sessions, sockets, rooms, online users.
  const assertEmpty = () =>
    eventually(async () => {
      const m = await metrics(server);
      assert.equal(m.sio_connections, 0, "sio_connections");
      assert.equal(m['sio_sockets{namespace="/"}'], 0, 'sio_sockets{namespace="/"}');
      assert.equal(m['sio_rooms{namespace="/"}'], 0, 'sio_rooms{namespace="/"}');
      assert.equal(m.sio_online_users, 0, "sio_online_users");
      assert.equal(m.sio_store_queue_depth, 0, "sio_store_queue_depth");
    }, 10000);

  // Filled by the first test, checked by the second.
  const rss = {};

  it(`frees every session, socket, room and online user after ${CYCLES} connect/disconnect cycles`, async () => {
    const t0 = performance.now();
    await run(WARMUP, 0);
    await assertEmpty();
    rss.warm = rssBytes(server.proc.pid);
    const t1 = performance.now();

    await run(CYCLES, WARMUP);
    const t2 = performance.now();
    await assertEmpty();
    rss.final = rssBytes(server.proc.pid);
    const m = await metrics(server);
    assert.equal(m.sio_connections_opened_total, WARMUP + CYCLES, "every cycle opened one session");
    assert.equal(m.sio_store_failures_total, 0, "store calls failed");
    console.log(
      `# warm-up ${WARMUP} cycles ${t1 - t0} ms, ${CYCLES} cycles ${t2 - t1} ms (${Math.round((CYCLES * 1000) / (t2 - t1))}/s); ` +
        `RSS after warm-up ${MB(rss.warm)}, after ${MB(rss.final)} (growth ${MB(rss.final - rss.warm)})`,
    );
  });

  // ASan keeps freed memory in quarantine (hundreds of MB by design): no bound to check there.
  it(`keeps the server's RSS within ${MB(RSS_GROWTH_LIMIT)} of its post-warm-up value over ${CYCLES} cycles`, async (t) => {
    if (isSanitized(server.proc.pid)) return t.skip("sanitizer build: freed memory is quarantined");
    assert.ok(rss.warm && rss.final, "the cycles did not run");
    const growth = rss.final - rss.warm;
    assert.ok(growth < RSS_GROWTH_LIMIT, `RSS grew by ${MB(growth)} (${MB(rss.warm)} → ${MB(rss.final)}) over ${CYCLES} cycles`);
  });
});
