// sio-server with connection state recovery (on by default, SIO_RECOVERY_WINDOW): a member whose
// connection drops comes back as the same socket, still in its rooms, and gets what was sent
// meanwhile; its token is checked again; presence stays consistent; SIO_RECOVERY_WINDOW=0 turns
// it off.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { closeAll, whenConnected, next, until } from "../helpers/socketio.mjs";
import {
  startApp,
  createRoom,
  addMember,
  api,
  connectAs,
  received,
  nth,
  signJwt,
  claimsFor,
  nowSeconds,
  metrics,
} from "../helpers/app.mjs";

const unique = (name) => `${name}-${randomBytes(3).toString("hex")}`;

// Cuts a user socket's connection as a lost network would, and waits until the server logged the
// socket's disconnection (its session is kept from then on).
async function drop(server, socket) {
  const id = socket.id;
  const gone = next(socket, "disconnect");
  socket.io.engine.close();
  await gone;
  await server.waitForLine(new RegExp(`disconnect user=${socket.userId} socket=${id} reason=`));
}

function reconnect(socket) {
  socket.connect();
  return whenConnected(socket, 10000);
}

describe("sio-server connection state recovery", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  // alice and bob are members of a room and joined it on their sockets.
  const pair = async () => {
    const alice = unique("alice");
    const bob = unique("bob");
    const room = await createRoom(server, alice);
    await addMember(server, alice, room.id, bob);
    const aliceSocket = await connectAs(server, alice);
    const bobSocket = await connectAs(server, bob);
    for (const s of [aliceSocket, bobSocket]) assert.deepEqual(await s.emitWithAck("join-room", room.id), { ok: true });
    return { alice, bob, room, aliceSocket, bobSocket };
  };
  const say = async (socket, room, content) => {
    const reply = await socket.timeout(5000).emitWithAck("message", { roomId: room.id, content });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    return reply.message;
  };

  it("gives a member the room's messages sent while its connection was down, once each, in order, in the room still", async () => {
    const { room, aliceSocket, bobSocket } = await pair();
    const id = bobSocket.id;
    const first = await say(aliceSocket, room, "before");
    await nth(bobSocket, "message", 1);
    await drop(server, bobSocket);
    const missed = [];
    for (const text of ["one", "two", "three"]) missed.push(await say(aliceSocket, room, text));
    const recoveredBefore = (await metrics(server)).sio_recovered_sockets_total;
    await reconnect(bobSocket);
    assert.equal(bobSocket.recovered, true);
    assert.equal(bobSocket.id, id);
    assert.equal((await metrics(server)).sio_recovered_sockets_total, recoveredBefore + 1);
    await nth(bobSocket, "message", 4);
    // Still in the room without joining again: it gets new messages and may post.
    const after = await say(aliceSocket, room, "after");
    await nth(bobSocket, "message", 5);
    await say(bobSocket, room, "I am back");
    await nth(bobSocket, "message", 6);
    assert.deepEqual(
      received(bobSocket, "message").map(([m]) => m.content),
      [first, ...missed, after].map((m) => m.content).concat("I am back"),
    );
  });

  it("gives a recovered socket the notification it missed, not the unread list again", async () => {
    const author = unique("author");
    const socket = await connectAs(server, author);
    await nth(socket, "notifications");
    const post = await api(server, "POST", "/api/posts", { token: server.token(author), body: { content: "hi" } });
    assert.equal(post.status, 201);
    await drop(server, socket);
    const like = await api(server, "POST", `/api/posts/${post.body.id}/like`, { token: server.token(unique("fan")) });
    assert.equal(like.status, 200);
    await reconnect(socket);
    assert.equal(socket.recovered, true);
    const [notification] = await nth(socket, "notification");
    assert.equal(notification.postId, post.body.id);
    // The round trip answers after anything the server sent on connection.
    assert.equal((await socket.timeout(5000).emitWithAck("notifications:read", {})).ok, true);
    assert.equal(received(socket, "notifications").length, 1, "the unread list came again");
    assert.equal(received(socket, "notification").length, 1);
  });

  it("shows the member offline at the drop and online at the recovery, and offline again when it leaves", async () => {
    // alice is in the room before bob connects, so that she sees him come online.
    const alice = unique("alice");
    const bob = unique("bob");
    const room = await createRoom(server, alice);
    await addMember(server, alice, room.id, bob);
    const aliceSocket = await connectAs(server, alice);
    assert.deepEqual(await aliceSocket.emitWithAck("join-room", room.id), { ok: true });
    const bobSocket = await connectAs(server, bob);
    const presence = () => received(aliceSocket, "presence").map(([p]) => p).filter((p) => p.userId === bob);
    await until(() => presence().length === 1, 5000, "bob online");
    // A client recovers from the offset of the last event it received: wait for its first one
    // (the unread list sent on connection).
    await until(() => received(bobSocket, "notifications").length === 1, 5000, "bob's unread list");
    await drop(server, bobSocket);
    await until(() => presence().length === 2, 5000, "bob offline");
    await reconnect(bobSocket);
    assert.equal(bobSocket.recovered, true);
    await until(() => presence().length === 3, 5000, "bob online again");
    bobSocket.disconnect();
    await until(() => presence().length === 4, 5000, "bob offline again");
    assert.deepEqual(
      presence().map((p) => p.online),
      [true, false, true, false],
    );
  });

  it("checks the token again: an expired one, or another user's, is refused and the session stays", async () => {
    const { bob, bobSocket } = await pair();
    const id = bobSocket.id;
    bobSocket.emit("history", {}); // no ack: the answer is an `error` event, which carries an offset
    await nth(bobSocket, "error");
    await drop(server, bobSocket);
    const expired = signJwt(claimsFor(bob, { iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }), server.secret);
    for (const token of [expired, server.token(unique("mallory"))]) {
      bobSocket.auth = { token };
      bobSocket.connect();
      const err = await whenConnected(bobSocket).then(
        () => assert.fail("connected"),
        (e) => e,
      );
      assert.equal(err.message, "Invalid token");
    }
    bobSocket.auth = { token: server.token(bob) };
    await reconnect(bobSocket);
    assert.equal(bobSocket.recovered, true);
    assert.equal(bobSocket.id, id);
  });

  it("does not let a kicked user's socket come back as itself", async () => {
    const { bob, bobSocket } = await pair();
    const id = bobSocket.id;
    const admin = await connectAs(server, unique("root"), { nsp: "/admin", claims: { role: "admin" } });
    const kicked = next(bobSocket, "disconnect");
    assert.deepEqual(await admin.timeout(5000).emitWithAck("kick", { userId: bob }), { ok: true, kicked: 1 });
    assert.equal((await kicked)[0], "io server disconnect");
    await reconnect(bobSocket);
    assert.equal(bobSocket.recovered, false);
    assert.notEqual(bobSocket.id, id);
  });
});

describe("sio-server with SIO_RECOVERY_WINDOW=0", () => {
  let server;
  before(async () => (server = await startApp({ env: { SIO_RECOVERY_WINDOW: "0" } })));
  afterEach(closeAll);
  after(() => server.stop());

  it("starts every reconnection afresh and adds no offsets", async () => {
    const user = unique("dora");
    const socket = await connectAs(server, user);
    const args = [];
    socket.on("error", (...a) => args.push(a));
    socket.emit("history", {});
    await until(() => args.length === 1, 5000, "the error event");
    assert.deepEqual(args, [["Invalid roomId"]]);
    const id = socket.id;
    await drop(server, socket);
    await reconnect(socket);
    assert.ok(!socket.recovered, "recovered with recovery off");
    assert.notEqual(socket.id, id);
  });
});
