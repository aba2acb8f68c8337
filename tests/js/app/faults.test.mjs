// sio-server on SQLite whose database stops accepting writes — for real: the database, its WAL
// and its directory get the immutable attribute, which refuses writes even to root and even
// through the descriptors the server already holds (the -shm file stays writable: the server has
// it mapped, and a refused write to a mapping would be a crash, not a database fault). While the
// database cannot be written, `message` is refused with an error ack and nothing unstored is
// broadcast, the server stays up and serves what needs no write, /readyz says 503; once the
// attribute is gone the server stores and broadcasts again by itself.
import { describe, it, before, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { closeAll, until } from "../helpers/socketio.mjs";
import { startApp, api, createRoom, connectAs, received, nth, sqlite, NO_EVENT_RATE_LIMIT } from "../helpers/app.mjs";
import { immutableUnsupported, setImmutable } from "../helpers/immutable.mjs";
import { messageTraffic, roomMessages, assertAllStored } from "../helpers/chat_traffic.mjs";

const unsupported = immutableUnsupported(tmpdir());
const NOT_STORED = { ok: false, error: "Message not stored" };

// Skipped, saying why, where the attribute does not work (tmpfs, overlayfs, no CAP_LINUX_IMMUTABLE).
describe("sio-server when its SQLite database cannot be written", { skip: unsupported ? `needs the immutable attribute: ${unsupported}` : false }, () => {
  let server;
  let room;
  let alice; // sends
  let bob; // watches the room
  let frozen = false;

  const files = () => [server.dbPath, `${server.dbPath}-wal`, server.dir];
  const freeze = () => {
    setImmutable(files(), true);
    frozen = true;
  };
  const thaw = () => {
    if (frozen) setImmutable(files(), false);
    frozen = false;
  };
  const send = (socket, content) => socket.timeout(5000).emitWithAck("message", { roomId: room.id, content });
  const broadcasts = (socket) => received(socket, "message").map(([m]) => m);
  const storedContents = () => sqlite(server.dbPath, "SELECT content FROM messages ORDER BY id").split("\n").filter(Boolean);

  // Should the run end in the middle of a test, the files must not stay immutable (nobody could
  // remove them without chattr -i).
  before(() => process.once("exit", thaw));

  beforeEach(async () => {
    server = await startApp({ env: NO_EVENT_RATE_LIMIT });
    room = await createRoom(server, "alice", { isPublic: true });
    alice = await connectAs(server, "alice");
    bob = await connectAs(server, "bob");
    for (const socket of [alice, bob]) assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    assert.equal((await send(alice, "before")).ok, true);
    await nth(bob, "message");
  });

  afterEach(async () => {
    thaw(); // first: the directory cannot be removed while immutable
    closeAll();
    await server.stop();
  });

  it("refuses each message with the ack {ok:false, error:'Message not stored'} and broadcasts none of them", async () => {
    freeze();
    for (let i = 0; i < 5; i++) assert.deepEqual(await send(alice, `lost-${i}`), NOT_STORED);
    thaw();
    // A message sent after the outage is the next one anybody gets: nothing before it was sent.
    const after = await send(alice, "after");
    assert.equal(after.ok, true);
    await nth(bob, "message", 2);
    assert.deepEqual(broadcasts(bob).map((m) => m.content), ["before", "after"]);
    assert.deepEqual(broadcasts(alice).map((m) => m.content), ["before", "after"]);
    assert.deepEqual(storedContents(), ["before", "after"]);
  });

  it("stores and broadcasts again by itself once the database can be written", async () => {
    freeze();
    assert.deepEqual(await send(alice, "lost"), NOT_STORED);
    thaw();
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await send(alice, `back-${i}`));
    assert.deepEqual(replies.map((r) => r.ok), Array(5).fill(true));
    await nth(bob, "message", 6);
    assert.deepEqual(broadcasts(bob).slice(1), replies.map((r) => r.message));
    assert.deepEqual((await roomMessages(server, room.id, "alice")).slice(1), replies.map((r) => r.message));
  });

  it("stays up and serves what needs no write while the database cannot be written", async () => {
    freeze();
    assert.deepEqual(await send(alice, "lost"), NOT_STORED);
    assert.equal((await api(server, "GET", "/healthz")).status, 200);
    // Reads: history over the socket and the REST API.
    const history = await alice.timeout(5000).emitWithAck("history", { roomId: room.id });
    assert.deepEqual(history.messages.map((m) => m.content), ["before"]);
    const rest = await api(server, "GET", `/api/rooms/${room.id}/messages`, { token: server.token("bob") });
    assert.deepEqual([rest.status, rest.body.map((m) => m.content)], [200, ["before"]]);
    // New connections, and what lives in memory only: leaving a room, the admin namespace.
    const carol = await connectAs(server, "carol");
    assert.deepEqual(await carol.timeout(5000).emitWithAck("leave-room", room.id), { ok: true });
    const admin = await connectAs(server, "root", { nsp: "/admin", claims: { role: "admin" } });
    const stats = await admin.timeout(5000).emitWithAck("stats");
    assert.equal(stats.users, 3);
    assert.deepEqual(await admin.timeout(5000).emitWithAck("broadcast", { roomId: room.id, content: "maintenance" }), { ok: true });
    const [notice] = await nth(bob, "message", 2);
    assert.deepEqual([notice.content, notice.system], ["maintenance", true]);
    assert.equal(server.proc.exitCode, null);
  });

  it("answers /readyz 503 with database 'unavailable' while the database cannot be written, and 200 after", async () => {
    const ready = await api(server, "GET", "/readyz");
    assert.deepEqual([ready.status, ready.body], [200, { status: "ready", database: "ok" }]);
    freeze();
    const down = await api(server, "GET", "/readyz");
    assert.deepEqual([down.status, down.body], [503, { status: "unavailable", database: "unavailable" }]);
    thaw();
    const back = await api(server, "GET", "/readyz");
    assert.deepEqual([back.status, back.body], [200, { status: "ready", database: "ok" }]);
  });

  it("under traffic, acks and broadcasts match the database exactly across an outage", async () => {
    const senders = [alice, await connectAs(server, "dave", { transports: ["polling"] })];
    assert.deepEqual(await senders[1].timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    const traffic = messageTraffic(senders, room.id, { window: 4 });
    await until(() => traffic.acked.size >= 50, 15000, "50 messages stored before the outage");
    freeze();
    await until(() => traffic.refused.length >= 20, 15000, "20 messages refused during the outage");
    const storedBefore = traffic.acked.size;
    thaw();
    await until(() => traffic.acked.size >= storedBefore + 50, 15000, "50 messages stored after the outage");
    await traffic.stop();

    assert.deepEqual(traffic.unanswered, []);
    assert.ok(traffic.refused.every((r) => r.error === "Message not stored"), JSON.stringify(traffic.refused[0]));
    const stored = await roomMessages(server, room.id, "alice");
    // Nothing acked or broadcast is missing, and nothing refused was stored after all.
    await until(() => broadcasts(bob).length >= stored.length, 10000, "bob got every stored message");
    assertAllStored(stored, { acked: traffic.acked, broadcast: broadcasts(bob) });
    const refused = new Set(traffic.refused.map((r) => r.content));
    assert.deepEqual(stored.filter((m) => refused.has(m.content)), []);
    assert.equal(stored.length, 1 + traffic.acked.size);
    assert.deepEqual(broadcasts(bob), stored);
  });
});
