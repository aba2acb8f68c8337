import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, api, createRoom, addMember, connectAs, sqlite } from "../helpers/app.mjs";

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("sio-server rooms REST API", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  const as = (user) => server.token(user);

  it("creates a room with POST /api/rooms: 201 {id, name, public, createdBy, createdAt, member:true}", async () => {
    const before = Date.now();
    const res = await api(server, "POST", "/api/rooms", { token: as("alice"), body: { name: "general", public: true } });
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type"), /application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), ["createdAt", "createdBy", "id", "member", "name", "public"]);
    assert.ok(Number.isInteger(res.body.id) && res.body.id > 0);
    assert.equal(res.body.name, "general");
    assert.equal(res.body.public, true);
    assert.equal(res.body.createdBy, "alice");
    assert.equal(res.body.member, true);
    assert.match(res.body.createdAt, ISO_TIME);
    const created = Date.parse(res.body.createdAt);
    assert.ok(created >= before - 1000 && created <= Date.now() + 1000, `createdAt ${res.body.createdAt} is not now`);
  });

  it("creates a private room when public is left out", async () => {
    const res = await api(server, "POST", "/api/rooms", { token: as("alice"), body: { name: "secret" } });
    assert.equal(res.status, 201);
    assert.equal(res.body.public, false);
  });

  it("answers 401 with a JSON {error} to POST /api/rooms without a token", async () => {
    const res = await api(server, "POST", "/api/rooms", { body: { name: "nope" } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get("content-type"), /application\/json/);
    assert.equal(typeof res.body.error, "string");
    // And nothing was created.
    const list = await api(server, "GET", "/api/rooms", { token: as("zed") });
    assert.ok(!list.body.some((r) => r.name === "nope"));
  });

  it("answers 401 to GET /api/rooms without a token", async () => {
    const res = await api(server, "GET", "/api/rooms");
    assert.equal(res.status, 401);
    assert.equal(typeof res.body.error, "string");
  });

  for (const [what, body] of [
    ["a body that is not JSON", "{not json"],
    ["a JSON array", "[]"],
    ["no name", { public: true }],
    ["an empty name", { name: "" }],
    ["a numeric name", { name: 7 }],
    ["a name over 100 bytes", { name: "x".repeat(101) }],
    ["a non-boolean public", { name: "ok", public: "yes" }],
  ]) {
    it(`answers 400 with a JSON {error} to POST /api/rooms with ${what}`, async () => {
      const res = await api(server, "POST", "/api/rooms", { token: as("alice"), body });
      assert.equal(res.status, 400);
      assert.equal(typeof res.body.error, "string");
    });
  }

  it("answers 503 with a JSON {error} when the store fails, and creates nothing", async () => {
    sqlite(server.dbPath, "CREATE TRIGGER fail_rooms BEFORE INSERT ON rooms WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    try {
      const res = await api(server, "POST", "/api/rooms", { token: as("alice"), body: { name: "boom", public: true } });
      assert.equal(res.status, 503);
      assert.equal(typeof res.body.error, "string");
      const list = (await api(server, "GET", "/api/rooms", { token: as("alice") })).body;
      assert.ok(!list.some((r) => r.name === "boom"));
    } finally {
      sqlite(server.dbPath, "DROP TRIGGER fail_rooms;");
    }
  });

  it("lists public rooms and the caller's private rooms with member flags (GET /api/rooms)", async () => {
    const pub = await createRoom(server, "carol", { name: "carol-public", isPublic: true });
    const priv = await createRoom(server, "carol", { name: "carol-private" });
    const davePriv = await createRoom(server, "dave", { name: "dave-private" });
    const shared = await createRoom(server, "carol", { name: "carol-shared" });
    await addMember(server, "carol", shared.id, "dave");

    const daves = (await api(server, "GET", "/api/rooms", { token: as("dave") })).body;
    const byId = new Map(daves.map((r) => [r.id, r]));
    assert.equal(byId.get(pub.id)?.member, false, "dave does not see carol's public room as a non-member");
    assert.equal(byId.has(priv.id), false, "dave sees carol's private room");
    assert.equal(byId.get(davePriv.id)?.member, true);
    assert.equal(byId.get(shared.id)?.member, true, "dave does not see the private room he was added to");
    for (const room of daves) assert.ok(room.public || room.member, `dave sees private room ${room.name} he is not in`);

    const carols = (await api(server, "GET", "/api/rooms", { token: as("carol") })).body;
    const carolIds = new Map(carols.map((r) => [r.id, r]));
    assert.equal(carolIds.get(pub.id)?.member, true);
    assert.equal(carolIds.get(priv.id)?.member, true);
    assert.equal(carolIds.has(davePriv.id), false);
    assert.deepEqual(carolIds.get(priv.id), { ...priv, member: true });
  });

  it("makes a user a member of a public room when they join it over the socket", async () => {
    const pub = await createRoom(server, "erin", { isPublic: true });
    const frank = await connectAs(server, "frank");
    assert.deepEqual(await frank.timeout(3000).emitWithAck("join-room", pub.id), { ok: true });
    const list = (await api(server, "GET", "/api/rooms", { token: as("frank") })).body;
    assert.equal(list.find((r) => r.id === pub.id)?.member, true);
  });

  it("adds a member with POST /api/rooms/:id/members by a member: 201", async () => {
    const room = await createRoom(server, "alice");
    const res = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("alice"), body: { userId: "bob" } });
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { ok: true });
    // bob, now a member, may add someone else.
    const byBob = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("bob"), body: { userId: "carol" } });
    assert.equal(byBob.status, 201);
  });

  it("answers 200 (not 201) when the user already is a member", async () => {
    const room = await createRoom(server, "alice");
    await addMember(server, "alice", room.id, "bob");
    const again = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("alice"), body: { userId: "bob" } });
    assert.equal(again.status, 200);
  });

  it("answers 403 to POST /api/rooms/:id/members by a non-member, and adds nobody", async () => {
    const room = await createRoom(server, "alice");
    const res = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("mallory"), body: { userId: "mallory" } });
    assert.equal(res.status, 403);
    assert.equal(typeof res.body.error, "string");
    const list = (await api(server, "GET", "/api/rooms", { token: as("mallory") })).body;
    assert.ok(!list.some((r) => r.id === room.id), "mallory added herself to a private room");
  });

  it("answers 403 to adding members to a public room one has not joined", async () => {
    const room = await createRoom(server, "alice", { isPublic: true });
    const res = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("mallory"), body: { userId: "eve" } });
    assert.equal(res.status, 403);
  });

  it("answers 404 to POST /api/rooms/:id/members for an unknown room", async () => {
    for (const id of ["999999", "0", "abc"]) {
      const res = await api(server, "POST", `/api/rooms/${id}/members`, { token: as("alice"), body: { userId: "bob" } });
      assert.equal(res.status, 404, `room ${id}`);
      assert.equal(typeof res.body.error, "string");
    }
  });

  it("answers 400 to POST /api/rooms/:id/members without a string userId", async () => {
    const room = await createRoom(server, "alice");
    for (const body of [{}, { userId: "" }, { userId: 5 }, "nope"]) {
      const res = await api(server, "POST", `/api/rooms/${room.id}/members`, { token: as("alice"), body });
      assert.equal(res.status, 400, `body ${JSON.stringify(body)}`);
    }
  });

  describe("GET /api/rooms/:id/messages", () => {
    let room;
    let sent;
    before(async () => {
      room = await createRoom(server, "alice");
      await addMember(server, "alice", room.id, "bob");
      const alice = await connectAs(server, "alice");
      await alice.timeout(3000).emitWithAck("join-room", room.id);
      sent = [];
      for (let i = 0; i < 7; i++) {
        const ack = await alice.timeout(3000).emitWithAck("message", { roomId: room.id, content: `m${i}` });
        assert.equal(ack.ok, true);
        sent.push(ack.message);
      }
      alice.disconnect();
    });

    it("gives a member the messages newest first", async () => {
      const res = await api(server, "GET", `/api/rooms/${room.id}/messages`, { token: as("bob") });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, [...sent].reverse());
    });

    it("answers 403 to a non-member", async () => {
      const res = await api(server, "GET", `/api/rooms/${room.id}/messages`, { token: as("mallory") });
      assert.equal(res.status, 403);
      assert.equal(typeof res.body.error, "string");
    });

    it("answers 404 for an unknown room", async () => {
      const res = await api(server, "GET", "/api/rooms/987654/messages", { token: as("alice") });
      assert.equal(res.status, 404);
    });

    it("answers 401 without a token", async () => {
      const res = await api(server, "GET", `/api/rooms/${room.id}/messages`);
      assert.equal(res.status, 401);
    });

    it("limits the page with ?limit and pages back with ?before", async () => {
      const first = await api(server, "GET", `/api/rooms/${room.id}/messages?limit=3`, { token: as("alice") });
      assert.deepEqual(first.body.map((m) => m.content), ["m6", "m5", "m4"]);
      const second = await api(server, "GET", `/api/rooms/${room.id}/messages?limit=3&before=${first.body.at(-1).id}`, { token: as("alice") });
      assert.deepEqual(second.body.map((m) => m.content), ["m3", "m2", "m1"]);
      const last = await api(server, "GET", `/api/rooms/${room.id}/messages?limit=3&before=${second.body.at(-1).id}`, { token: as("alice") });
      assert.deepEqual(last.body.map((m) => m.content), ["m0"]);
    });

    it("answers 400 to a limit over 100, a limit of 0 and a non-numeric before", async () => {
      for (const query of ["limit=101", "limit=0", "limit=abc", "before=xyz"]) {
        const res = await api(server, "GET", `/api/rooms/${room.id}/messages?${query}`, { token: as("alice") });
        assert.equal(res.status, 400, query);
      }
      const max = await api(server, "GET", `/api/rooms/${room.id}/messages?limit=100`, { token: as("alice") });
      assert.equal(max.status, 200);
    });
  });
});
