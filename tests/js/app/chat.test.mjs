import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/server.mjs";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, api, createRoom, addMember, connectAs, received, nth, sqlite } from "../helpers/app.mjs";

// How long a test waits to be fairly sure an event is NOT coming (loopback).
const QUIET_MS = 300;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("sio-server chat: join-room and message", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  const ack = (socket, event, ...args) => socket.timeout(3000).emitWithAck(event, ...args);
  const stored = async (roomId, owner) =>
    (await api(server, "GET", `/api/rooms/${roomId}/messages?limit=100`, { token: server.token(owner) })).body;
  // A connected socket of `user` that joined `room`.
  const joined = async (user, room) => {
    const socket = await connectAs(server, user);
    assert.deepEqual(await ack(socket, "join-room", room.id), { ok: true }, `${user} could not join ${room.id}`);
    return socket;
  };

  describe("join-room", () => {
    it("acks {ok:true} for a public room", async () => {
      const room = await createRoom(server, "alice", { isPublic: true });
      const bob = await connectAs(server, "bob");
      assert.deepEqual(await ack(bob, "join-room", room.id), { ok: true });
    });

    it("accepts the room id as a decimal string", async () => {
      const room = await createRoom(server, "alice", { isPublic: true });
      const bob = await connectAs(server, "bob");
      assert.deepEqual(await ack(bob, "join-room", String(room.id)), { ok: true });
    });

    it('refuses a private room to a non-member: an "error" event "Forbidden" and ack {ok:false, error:"Forbidden"}', async () => {
      const room = await createRoom(server, "alice");
      const bob = await connectAs(server, "bob");
      assert.deepEqual(await ack(bob, "join-room", room.id), { ok: false, error: "Forbidden" });
      assert.deepEqual(await nth(bob, "error"), ["Forbidden"]);
    });

    it("lets a user join a private room once a member added them", async () => {
      const room = await createRoom(server, "alice");
      const bob = await connectAs(server, "bob");
      assert.equal((await ack(bob, "join-room", room.id)).ok, false);
      await addMember(server, "alice", room.id, "bob");
      assert.deepEqual(await ack(bob, "join-room", room.id), { ok: true });
    });

    it('sends the "error" event "Forbidden" when join-room has no ack', async () => {
      const room = await createRoom(server, "alice");
      const bob = await connectAs(server, "bob");
      bob.emit("join-room", room.id);
      assert.deepEqual(await nth(bob, "error"), ["Forbidden"]);
    });

    it("refuses an unknown room as Forbidden", async () => {
      const bob = await connectAs(server, "bob");
      assert.deepEqual(await ack(bob, "join-room", 99999999), { ok: false, error: "Forbidden" });
    });

    it("answers an invalid roomId with an error (ack and event)", async () => {
      const bob = await connectAs(server, "bob");
      for (const roomId of ["abc", -1, 0, 1.5, "", null, { id: 1 }, "12a", "1".repeat(19)]) {
        const reply = await ack(bob, "join-room", roomId);
        assert.equal(reply.ok, false, `join-room ${JSON.stringify(roomId)} was accepted`);
        assert.equal(typeof reply.error, "string");
      }
      bob.emit("join-room", "abc");
      const [error] = await nth(bob, "error");
      assert.match(error, /roomId/i);
    });

    it("answers join-room without arguments with an error event", async () => {
      const bob = await connectAs(server, "bob");
      bob.emit("join-room");
      assert.equal(typeof (await nth(bob, "error"))[0], "string");
    });
  });

  describe("message", () => {
    it("acks {ok:true, message:{id, roomId, userId, content, createdAt}} and stores it", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      const reply = await ack(alice, "message", { roomId: room.id, content: "hello" });
      assert.equal(reply.ok, true);
      assert.deepEqual(Object.keys(reply.message).sort(), ["content", "createdAt", "id", "roomId", "userId"]);
      assert.ok(Number.isInteger(reply.message.id) && reply.message.id > 0);
      assert.equal(reply.message.roomId, room.id);
      assert.equal(reply.message.userId, "alice");
      assert.equal(reply.message.content, "hello");
      assert.match(reply.message.createdAt, ISO_TIME);
      assert.deepEqual(await stored(room.id, "alice"), [reply.message]);
    });

    it("broadcasts the stored record to every socket that joined the room, and to nobody else", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      await addMember(server, "alice", room.id, "carol");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      const bob2 = await joined("bob", room);
      const carolNotJoined = await connectAs(server, "carol"); // a member, but did not join
      const mallory = await connectAs(server, "mallory"); // not a member
      const other = await createRoom(server, "mallory", { isPublic: true });
      const inOtherRoom = await joined("mallory", other);

      const reply = await ack(alice, "message", { roomId: room.id, content: "to the room" });
      assert.equal(reply.ok, true);
      assert.deepEqual(await nth(bob, "message"), [reply.message]);
      assert.deepEqual(await nth(bob2, "message"), [reply.message]);
      assert.deepEqual(await nth(alice, "message"), [reply.message], "the sender's socket, in the room, did not get it");
      await sleep(QUIET_MS);
      for (const socket of [alice, bob, bob2]) assert.equal(received(socket, "message").length, 1);
      assert.deepEqual(received(carolNotJoined, "message"), []);
      assert.deepEqual(received(mallory, "message"), []);
      assert.deepEqual(received(inOtherRoom, "message"), []);
    });

    it("accepts the roomId as a decimal string", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      const reply = await ack(alice, "message", { roomId: String(room.id), content: "string id" });
      assert.equal(reply.ok, true);
      assert.equal(reply.message.roomId, room.id);
    });

    it("refuses a message to a room the socket has not joined, and broadcasts nothing", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const bob = await joined("bob", room);
      const aliceNotJoined = await connectAs(server, "alice"); // a member, socket not joined
      const reply = await ack(aliceNotJoined, "message", { roomId: room.id, content: "not joined" });
      assert.equal(reply.ok, false);
      assert.equal(typeof reply.error, "string");
      await sleep(QUIET_MS);
      assert.deepEqual(received(bob, "message"), []);
      assert.deepEqual(await stored(room.id, "alice"), []);
    });

    it("refuses a message from a non-member to a private room", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      const mallory = await connectAs(server, "mallory");
      await ack(mallory, "join-room", room.id); // refused
      const reply = await ack(mallory, "message", { roomId: room.id, content: "let me in" });
      assert.equal(reply.ok, false);
      await sleep(QUIET_MS);
      assert.deepEqual(received(alice, "message"), []);
      assert.deepEqual(await stored(room.id, "alice"), []);
    });

    it("stops delivering to a socket after leave-room, and refuses its messages", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      assert.deepEqual(await ack(bob, "leave-room", room.id), { ok: true });
      assert.equal((await ack(alice, "message", { roomId: room.id, content: "after leave" })).ok, true);
      assert.equal((await ack(bob, "message", { roomId: room.id, content: "from outside" })).ok, false);
      await sleep(QUIET_MS);
      assert.deepEqual(received(bob, "message"), []);
    });

    const invalid = [
      ["empty content", (roomId) => ({ roomId, content: "" })],
      ["whitespace-only content", (roomId) => ({ roomId, content: " \t\r\n  " })],
      ["numeric content", (roomId) => ({ roomId, content: 42 })],
      ["null content", (roomId) => ({ roomId, content: null })],
      ["object content", (roomId) => ({ roomId, content: { text: "hi" } })],
      ["no content", (roomId) => ({ roomId })],
      ["4001 characters (multi-byte)", (roomId) => ({ roomId, content: "가".repeat(4001) })],
      ["4001 ASCII characters", (roomId) => ({ roomId, content: "a".repeat(4001) })],
      ["no roomId", () => ({ content: "hi" })],
      ["a roomId of 0", () => ({ roomId: 0, content: "hi" })],
      ["a non-numeric roomId", () => ({ roomId: "general", content: "hi" })],
    ];
    for (const [what, build] of invalid) {
      it(`refuses a message with ${what}: error ack, nothing stored, nothing broadcast`, async () => {
        const room = await createRoom(server, "alice");
        await addMember(server, "alice", room.id, "bob");
        const alice = await joined("alice", room);
        const bob = await joined("bob", room);
        const reply = await ack(alice, "message", build(room.id));
        assert.equal(reply.ok, false, `accepted: ${JSON.stringify(reply).slice(0, 200)}`);
        assert.equal(typeof reply.error, "string");
        assert.equal(reply.message, undefined);
        await sleep(QUIET_MS);
        assert.deepEqual(received(bob, "message"), []);
        assert.deepEqual(received(alice, "message"), []);
        assert.deepEqual(await stored(room.id, "alice"), []);
      });
    }

    it("refuses content made only of other whitespace (\\v \\f, no-break space, ideographic space)", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      for (const content of ["\v\f", "\u00a0", "\u3000", " \u3000\n"]) {
        const reply = await ack(alice, "message", { roomId: room.id, content });
        assert.equal(reply.ok, false, `blank content ${JSON.stringify(content)} accepted`);
      }
      assert.deepEqual(await stored(room.id, "alice"), []);
    });

    it("answers a message with a lone UTF-16 surrogate and keeps the connection", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      // What a front end that cuts a string at 4000 UTF-16 units can send: half an emoji.
      const reply = await alice.timeout(2000).emitWithAck("message", { roomId: room.id, content: "abc\ud83d" }).catch((err) => err);
      assert.ok(!(reply instanceof Error), `no ack: ${reply.message}; connected: ${alice.connected}`);
      assert.equal(typeof reply.ok, "boolean");
      assert.ok(alice.connected, "the server closed the connection");
    });

    it("refuses a message that is not an object", async () => {
      const alice = await connectAs(server, "alice");
      for (const payload of ["hello", 5, null, ["a"]]) {
        const reply = await ack(alice, "message", payload);
        assert.equal(reply.ok, false, `accepted ${JSON.stringify(payload)}`);
      }
    });

    it("counts characters, not bytes: 4000 multi-byte characters are accepted and stored whole", async () => {
      const room = await createRoom(server, "alice");
      const alice = await joined("alice", room);
      const content = "가".repeat(4000); // 12,000 bytes of UTF-8
      const reply = await ack(alice, "message", { roomId: room.id, content });
      assert.equal(reply.ok, true, JSON.stringify(reply).slice(0, 200));
      assert.equal(reply.message.content, content);
      assert.equal((await stored(room.id, "alice"))[0].content, content);
    });

    it('sends an "error" event for a refused message that has no ack, and broadcasts nothing', async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      alice.emit("message", { roomId: room.id, content: "   " });
      assert.equal(typeof (await nth(alice, "error"))[0], "string");
      await sleep(QUIET_MS);
      assert.deepEqual(received(bob, "message"), []);
      assert.deepEqual(await stored(room.id, "alice"), []);
    });

    it("stores and broadcasts a message sent without an ack", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      alice.emit("message", { roomId: room.id, content: "fire and forget" });
      const [message] = await nth(bob, "message");
      assert.equal(message.content, "fire and forget");
      assert.deepEqual(await stored(room.id, "alice"), [message]);
    });

    it("never broadcasts a message the store failed to write, and acks the sender an error", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      // A failure injected into the live database: inserting this content aborts.
      const trigger = `fail_${room.id}`;
      sqlite(server.dbPath, `CREATE TRIGGER ${trigger} BEFORE INSERT ON messages WHEN NEW.room_id = ${room.id} AND NEW.content = 'boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
      try {
        const [failed, fine] = await Promise.all([
          ack(alice, "message", { roomId: room.id, content: "boom" }),
          ack(alice, "message", { roomId: room.id, content: "fine" }),
        ]);
        assert.equal(failed.ok, false);
        assert.equal(typeof failed.error, "string");
        assert.equal(fine.ok, true, "a failing message made another one of the same batch fail");
        assert.deepEqual(await nth(bob, "message"), [fine.message]);
        await sleep(QUIET_MS);
        assert.deepEqual(received(bob, "message"), [[fine.message]], "the failed message was broadcast");
        assert.deepEqual(await stored(room.id, "alice"), [fine.message]);
      } finally {
        sqlite(server.dbPath, `DROP TRIGGER ${trigger};`);
      }
    });

    it("delivers a room's messages in the order they were acked", async () => {
      const room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await joined("alice", room);
      const bob = await joined("bob", room);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => ack(alice, "message", { roomId: room.id, content: `n${i}` })));
      await nth(bob, "message", 20);
      const got = received(bob, "message").map(([m]) => m);
      assert.deepEqual(got.map((m) => m.content), replies.map((r) => r.message.content));
      const ids = got.map((m) => m.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), "ids are not increasing in delivery order");
    });
  });
});
