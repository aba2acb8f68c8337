import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sleep } from "../helpers/server.mjs";
import { closeAll, connectError } from "../helpers/socketio.mjs";
import {
  startApp, createRoom, addMember, connectAs, received, nth, disconnected, eventually, signJwt, claimsFor,
} from "../helpers/app.mjs";

const QUIET_MS = 300;

describe("sio-server /admin namespace", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  const unique = (name) => `${name}-${randomBytes(3).toString("hex")}`;
  const admin = () => connectAs(server, "root", { nsp: "/admin", claims: { role: "admin" } });
  const ack = (socket, event, ...args) => socket.timeout(3000).emitWithAck(event, ...args);
  const adminUrl = () => `${server.url}/admin`;

  it('refuses a connection without a token with connect_error "Forbidden"', async () => {
    assert.equal((await connectError(adminUrl())).message, "Forbidden");
  });

  it('refuses a valid token without role "admin" with "Forbidden"', async () => {
    for (const claims of [{}, { role: "user" }, { role: "Admin" }, { role: ["admin"] }, { roles: ["admin"] }]) {
      const err = await connectError(adminUrl(), { auth: { token: server.token("alice", claims) } });
      assert.equal(err.message, "Forbidden", `claims ${JSON.stringify(claims)}`);
    }
  });

  it('refuses an admin token with a bad signature with "Forbidden"', async () => {
    const forged = signJwt(claimsFor("root", { role: "admin" }), `${server.secret}x`);
    assert.equal((await connectError(adminUrl(), { auth: { token: forged } })).message, "Forbidden");
  });

  it("refuses an expired admin token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(claimsFor("root", { role: "admin", exp: now - 10 }), server.secret);
    assert.equal((await connectError(adminUrl(), { auth: { token: expired } })).message, "Forbidden");
  });

  it("accepts an admin token from the Authorization header", async () => {
    const socket = await connectAs(server, "root", {
      nsp: "/admin",
      auth: {},
      transports: ["polling"],
      extraHeaders: { Authorization: `Bearer ${server.token("root", { role: "admin" })}` },
    });
    assert.equal(typeof (await ack(socket, "stats")).connections, "number");
  });

  it("answers stats with connections, rooms, messagesPerSecond and sockets per namespace", async () => {
    const a = await admin();
    await eventually(async () => assert.deepEqual((await ack(a, "stats")).namespaces, { "/": 0, "/admin": 1 }));
    const base = await ack(a, "stats");

    const room = await createRoom(server, "alice");
    const alice1 = await connectAs(server, "alice");
    await connectAs(server, "alice");
    await connectAs(server, "bob");
    const stats = await ack(a, "stats");
    for (const key of ["connections", "rooms", "messagesPerSecond"]) assert.equal(typeof stats[key], "number", key);
    assert.deepEqual(stats.namespaces, { "/": 3, "/admin": 1 });
    assert.equal(stats.connections, base.connections + 3);
    assert.equal(stats.users, 2);

    await ack(alice1, "join-room", room.id);
    const afterJoin = await ack(a, "stats");
    assert.equal(afterJoin.rooms, stats.rooms + 1, "joining a new chat room did not add a room");
  });

  it("counts stored messages in messagesPerSecond (the average over the last whole seconds)", async () => {
    const a = await admin();
    const room = await createRoom(server, "alice");
    const alice = await connectAs(server, "alice");
    await ack(alice, "join-room", room.id);
    const before = await ack(a, "stats");
    for (let i = 0; i < 20; i++) assert.equal((await ack(alice, "message", { roomId: room.id, content: `s${i}` })).ok, true);
    const stored = await ack(a, "stats");
    assert.equal(stored.messagesStored, before.messagesStored + 20);
    await eventually(async () => {
      const stats = await ack(a, "stats");
      assert.ok(stats.messagesPerSecond > 0, `messagesPerSecond ${stats.messagesPerSecond}`);
      assert.ok(stats.messagesPerSecond <= stats.messagesStored, `messagesPerSecond ${stats.messagesPerSecond} > messages stored`);
    }, 2500);
  });

  it('kicks all of a user\'s sockets: they see "io server disconnect", the ack is {ok:true, kicked:n}', async () => {
    const a = await admin();
    const bob = unique("bob");
    const bobs = [await connectAs(server, bob), await connectAs(server, bob, { transports: ["polling"] }), await connectAs(server, bob)];
    const alice = await connectAs(server, "alice");
    const reasons = bobs.map((s) => disconnected(s));
    assert.deepEqual(await ack(a, "kick", { userId: bob }), { ok: true, kicked: 3 });
    assert.deepEqual(await Promise.all(reasons), ["io server disconnect", "io server disconnect", "io server disconnect"]);
    await sleep(QUIET_MS);
    assert.ok(alice.connected, "another user was kicked too");
    await eventually(async () => assert.equal((await ack(a, "stats")).namespaces["/"], 1));
  });

  it("acks {ok:true, kicked:0} for a user without sockets", async () => {
    const a = await admin();
    assert.deepEqual(await ack(a, "kick", { userId: unique("ghost") }), { ok: true, kicked: 0 });
  });

  it("refuses kick without a string userId", async () => {
    const a = await admin();
    for (const request of [{}, { userId: 5 }, "bob"]) {
      const reply = await ack(a, "kick", request);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(request)}`);
    }
    a.emit("kick", {});
    assert.equal(typeof (await nth(a, "error"))[0], "string");
  });

  it('broadcasts {roomId, content} to the room\'s sockets as a `message` from userId "system" with system:true', async () => {
    const a = await admin();
    const room = await createRoom(server, "alice");
    await addMember(server, "alice", room.id, "bob");
    const alice = await connectAs(server, "alice");
    const bob = await connectAs(server, "bob");
    const notJoined = await connectAs(server, "alice");
    const outsider = await connectAs(server, "mallory");
    await ack(alice, "join-room", room.id);
    await ack(bob, "join-room", room.id);

    assert.deepEqual(await ack(a, "broadcast", { roomId: room.id, content: "maintenance at noon" }), { ok: true });
    for (const socket of [alice, bob]) {
      const [message] = await nth(socket, "message");
      assert.equal(message.userId, "system");
      assert.equal(message.system, true);
      assert.equal(message.content, "maintenance at noon");
      assert.equal(String(message.roomId), String(room.id));
    }
    await sleep(QUIET_MS);
    assert.deepEqual(received(notJoined, "message"), []);
    assert.deepEqual(received(outsider, "message"), []);
    assert.deepEqual(received(a, "message"), []);
  });

  it("refuses broadcast without a roomId or with empty content", async () => {
    const a = await admin();
    for (const request of [{ content: "x" }, { roomId: 1 }, { roomId: 1, content: "" }, { roomId: {}, content: "x" }]) {
      const reply = await ack(a, "broadcast", request);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(request)}`);
    }
  });

  it("does not answer the admin events on the main namespace", async () => {
    const user = await connectAs(server, "alice", { claims: { role: "admin" } });
    await assert.rejects(user.timeout(QUIET_MS).emitWithAck("kick", { userId: "bob" }));
  });
});
