// sio-server and a client that stops reading: past SIO_MAX_SEND_BUFFER bytes queued for it, the
// server disconnects it ("send buffer full"), counts it in /metrics and goes on serving everyone
// else. The slow client is a raw WebSocket with a valid token (helpers/raw_socketio.mjs) that
// joins a room and stops reading from its TCP socket while another user floods that room.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { closeAll, until } from "../helpers/socketio.mjs";
import {
  startApp,
  createRoom,
  connectAs,
  received,
  metrics,
  serverBinary,
  randomSecret,
  freshDir,
  NO_EVENT_RATE_LIMIT,
} from "../helpers/app.mjs";
import { connectRaw } from "../helpers/raw_socketio.mjs";

const CAP = 1024 * 1024; // the smallest cap sio-server accepts
const websocket = { transports: ["websocket"] };
const CONTENT = "m".repeat(4000); // the longest message content allowed
const WINDOW = 32; // messages in flight at once
// About 12 MB: more than the kernel buffers (a few MB on loopback) and CAP together, less than
// the default cap (16 MiB) alone, so that only SIO_MAX_SEND_BUFFER can cut the client in time.
const MAX_MESSAGES = 3000;

describe("sio-server: a client that stops reading", () => {
  let server;
  let room;
  let slow;
  let flooder;
  let reader;
  let sent = 0; // messages stored and broadcast to the room
  let cutAfter; // messages sent when /metrics first counted the disconnection

  before(async () => {
    server = await startApp({ env: { ...NO_EVENT_RATE_LIMIT, SIO_MAX_SEND_BUFFER: String(CAP) } });
    room = await createRoom(server, "flooder", { isPublic: true });
    // Healthy clients on WebSocket from the start: a polling client is sent at once all that
    // arrived since its last request, which a cap this small may not allow.
    flooder = await connectAs(server, "flooder", websocket);
    reader = await connectAs(server, "reader", websocket);
    for (const socket of [flooder, reader]) {
      assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    }
    slow = await connectRaw(server, { auth: { token: server.token("slowpoke") } });
    assert.deepEqual(await slow.emitWithAck("join-room", room.id), { ok: true });
    slow.pause();

    const send = async () => {
      const reply = await flooder.timeout(10000).emitWithAck("message", { roomId: room.id, content: CONTENT });
      assert.equal(reply.ok, true, JSON.stringify(reply));
      sent++;
    };
    while (sent < MAX_MESSAGES) {
      await Promise.all(Array.from({ length: WINDOW }, send));
      if ((await metrics(server)).sio_slow_consumer_disconnects_total >= 1) break;
    }
    cutAfter = sent;
    slow.resume();
    await slow.until((s) => s.ended, 15000, "the slow client's connection closed");
  });

  after(async () => {
    closeAll();
    slow?.destroy();
    await server.stop();
  });

  it("disconnects it with reason 'send buffer full' and counts it in /metrics", async (t) => {
    t.diagnostic(`disconnected after ${cutAfter} messages of ${CONTENT.length} characters`);
    assert.ok(cutAfter < MAX_MESSAGES, `still connected after ${cutAfter} messages`);
    assert.equal((await metrics(server)).sio_slow_consumer_disconnects_total, 1);
    await server.waitForLine(new RegExp(`disconnect user=slowpoke socket=${slow.id} reason=send buffer full$`));
    if (slow.closeCode !== null) assert.equal(slow.closeCode, 1008);
  });

  it("keeps delivering the room's messages to the others, all of them, in order", async () => {
    const last = await flooder.timeout(5000).emitWithAck("message", { roomId: room.id, content: "still here" });
    assert.equal(last.ok, true);
    const ids = (socket) => received(socket, "message").map(([message]) => message.id);
    await until(() => ids(reader).length >= sent + 1 && ids(flooder).length >= sent + 1, 10000, "every message");
    assert.equal(new Set(ids(reader)).size, sent + 1);
    // The same messages in the order the server broadcast them (the sender is in the room too).
    assert.deepEqual(ids(reader), ids(flooder));
    assert.equal(received(reader, "message").at(-1)[0].content, "still here");
  });

  it("accepts new connections and answers /healthz", async () => {
    const late = await connectAs(server, "latecomer", websocket);
    assert.deepEqual(await late.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
  });
});

describe("sio-server: SIO_MAX_SEND_BUFFER", () => {
  it("refuses to start with a cap below 1 MiB", () => {
    const dir = freshDir();
    const env = {
      ...process.env,
      PORT: "0",
      JWT_ACCESS_SECRET: randomSecret(),
      DATABASE_URL: `sqlite:${path.join(dir, "test.db")}`,
      SIO_MAX_SEND_BUFFER: String(CAP - 1),
    };
    const run = spawnSync(serverBinary, [], { env, encoding: "utf8", timeout: 5000 });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(run.signal, null, "the server kept running");
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /max-send-buffer|SIO_MAX_SEND_BUFFER/);
  });
});
