import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, createRoom, addMember, connectAs, nth, NO_EVENT_RATE_LIMIT } from "../helpers/app.mjs";

const COUNT = 120;

describe("sio-server chat: history", () => {
  let server;
  let room;
  let sent; // acked records, oldest first
  before(async () => {
    server = await startApp({ env: NO_EVENT_RATE_LIMIT });
    room = await createRoom(server, "alice");
    await addMember(server, "alice", room.id, "bob");
    const alice = await connectAs(server, "alice");
    await alice.timeout(3000).emitWithAck("join-room", room.id);
    const replies = await Promise.all(
      Array.from({ length: COUNT }, (_, i) => alice.timeout(5000).emitWithAck("message", { roomId: room.id, content: `h${i}` })),
    );
    sent = replies.map((r) => r.message).sort((a, b) => a.id - b.id);
    alice.disconnect();
  });
  afterEach(closeAll);
  after(() => server.stop());

  const history = (socket, request) => socket.timeout(3000).emitWithAck("history", request);
  const newest = (n, skip = 0) => [...sent].reverse().slice(skip, skip + n);

  it("answers {ok:true, messages} newest first, 50 by default", async () => {
    const alice = await connectAs(server, "alice");
    const reply = await history(alice, { roomId: room.id });
    assert.equal(reply.ok, true);
    assert.deepEqual(reply.messages, newest(50));
  });

  it("gives a member the history without joining the room over the socket", async () => {
    const bob = await connectAs(server, "bob");
    const reply = await history(bob, { roomId: room.id, limit: 5 });
    assert.deepEqual(reply.messages, newest(5));
  });

  it("returns at most `limit` messages, up to 100", async () => {
    const alice = await connectAs(server, "alice");
    assert.deepEqual((await history(alice, { roomId: room.id, limit: 1 })).messages, newest(1));
    assert.deepEqual((await history(alice, { roomId: room.id, limit: 100 })).messages, newest(100));
  });

  it("refuses a limit of 101, 0, a negative or a non-integer one with an error ack", async () => {
    const alice = await connectAs(server, "alice");
    for (const limit of [101, 0, -5, 2.5, "10", null]) {
      const reply = await history(alice, { roomId: room.id, limit });
      assert.equal(reply.ok, false, `limit ${JSON.stringify(limit)} accepted`);
      assert.equal(typeof reply.error, "string");
      assert.equal(reply.messages, undefined);
    }
  });

  it("refuses a limit beyond the int range (2^32 + 2) instead of truncating it to 2", async () => {
    const alice = await connectAs(server, "alice");
    const reply = await history(alice, { roomId: room.id, limit: 2 ** 32 + 2 });
    assert.equal(reply.ok, false, `limit 2^32+2 accepted, ${reply.messages?.length} messages returned`);
  });

  it("pages back with `before` (an id): messages older than it, newest first, down to an empty page", async () => {
    const alice = await connectAs(server, "alice");
    const pages = [];
    let before;
    for (;;) {
      const reply = await history(alice, { roomId: room.id, limit: 45, ...(before ? { before } : {}) });
      assert.equal(reply.ok, true);
      if (reply.messages.length === 0) break;
      pages.push(reply.messages);
      before = reply.messages.at(-1).id;
      assert.ok(pages.length < 10, "paging does not end");
    }
    assert.deepEqual(pages.map((p) => p.length), [45, 45, 30]);
    assert.deepEqual(pages.flat(), newest(COUNT));
  });

  it("treats before: null as no cursor", async () => {
    const alice = await connectAs(server, "alice");
    assert.deepEqual((await history(alice, { roomId: room.id, limit: 3, before: null })).messages, newest(3));
  });

  it("refuses a non-integer `before`", async () => {
    const alice = await connectAs(server, "alice");
    const reply = await history(alice, { roomId: room.id, before: "abc" });
    assert.equal(reply.ok, false);
  });

  it('refuses a non-member with error "Forbidden"', async () => {
    const mallory = await connectAs(server, "mallory");
    assert.deepEqual(await history(mallory, { roomId: room.id }), { ok: false, error: "Forbidden" });
  });

  it('sends a non-member\'s history request without ack an "error" event "Forbidden"', async () => {
    const mallory = await connectAs(server, "mallory");
    mallory.emit("history", { roomId: room.id });
    assert.deepEqual(await nth(mallory, "error"), ["Forbidden"]);
  });

  it("refuses an unknown room and an invalid roomId", async () => {
    const alice = await connectAs(server, "alice");
    assert.deepEqual(await history(alice, { roomId: 987654 }), { ok: false, error: "Forbidden" });
    for (const request of [{ roomId: "x" }, {}, "not an object"]) {
      const reply = await history(alice, request);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(request)}`);
    }
  });
});
