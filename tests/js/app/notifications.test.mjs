import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { sleep } from "../helpers/server.mjs";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, api, connectAs, received, nth } from "../helpers/app.mjs";

const QUIET_MS = 300;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("sio-server posts, likes and notifications", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  // A user name of its own for each test: notifications are per user.
  const unique = (name) => `${name}-${randomBytes(3).toString("hex")}`;
  const post = async (author, content = "a post") => {
    const res = await api(server, "POST", "/api/posts", { token: server.token(author), body: { content } });
    assert.equal(res.status, 201, res.text);
    return res.body;
  };
  const like = (user, postId) => api(server, "POST", `/api/posts/${postId}/like`, { token: server.token(user) });
  // A connected socket, once it received the `notifications` list sent on connect.
  const online = async (user) => {
    const socket = await connectAs(server, user);
    await nth(socket, "notifications");
    return socket;
  };

  it("creates a post with POST /api/posts: 201 {id, authorId, content, createdAt, likes:0}", async () => {
    const res = await api(server, "POST", "/api/posts", { token: server.token("alice"), body: { content: "first!" } });
    assert.equal(res.status, 201);
    assert.ok(Number.isInteger(res.body.id) && res.body.id > 0);
    assert.equal(res.body.authorId, "alice");
    assert.equal(res.body.content, "first!");
    assert.equal(res.body.likes, 0);
    assert.match(res.body.createdAt, ISO_TIME);
    const list = await api(server, "GET", "/api/posts", { token: server.token("bob") });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.find((p) => p.id === res.body.id), res.body);
  });

  it("refuses a post without a token (401) or without string content (400)", async () => {
    assert.equal((await api(server, "POST", "/api/posts", { body: { content: "x" } })).status, 401);
    for (const body of [{}, { content: "" }, { content: 5 }, "[]"]) {
      const res = await api(server, "POST", "/api/posts", { token: server.token("alice"), body });
      assert.equal(res.status, 400, `body ${JSON.stringify(body)}`);
    }
  });

  it('notifies the author\'s socket when another user likes the post: `notification` {id, type:"like", postId, fromUserId, createdAt}', async () => {
    const alice = unique("alice");
    const socket = await online(alice);
    const p = await post(alice);
    const res = await like("bob", p.id);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { liked: true, new: true, likes: 1 });
    const [notification] = await nth(socket, "notification");
    assert.deepEqual(Object.keys(notification).sort(), ["createdAt", "fromUserId", "id", "postId", "type"]);
    assert.ok(Number.isInteger(notification.id) && notification.id > 0);
    assert.equal(notification.type, "like");
    assert.equal(notification.postId, p.id);
    assert.equal(notification.fromUserId, "bob");
    assert.match(notification.createdAt, ISO_TIME);
  });

  it("does not notify the liker nor other users", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    const bob = await online("bob-liker");
    const carol = await online(unique("carol"));
    await like("bob-liker", p.id);
    await sleep(QUIET_MS);
    assert.deepEqual(received(bob, "notification"), []);
    assert.deepEqual(received(carol, "notification"), []);
  });

  it("sends no notification when the author likes their own post", async () => {
    const alice = unique("alice");
    const socket = await online(alice);
    const p = await post(alice);
    const res = await like(alice, p.id);
    assert.equal(res.status, 200);
    assert.equal(res.body.likes, 1);
    await sleep(QUIET_MS);
    assert.deepEqual(received(socket, "notification"), []);
    const later = await connectAs(server, alice);
    assert.deepEqual(await nth(later, "notifications"), [[]], "a self-like was stored as a notification");
  });

  it("notifies once when the same user likes a post twice", async () => {
    const alice = unique("alice");
    const socket = await online(alice);
    const p = await post(alice);
    assert.deepEqual((await like("bob", p.id)).body, { liked: true, new: true, likes: 1 });
    assert.deepEqual((await like("bob", p.id)).body, { liked: true, new: false, likes: 1 });
    await nth(socket, "notification");
    await sleep(QUIET_MS);
    assert.equal(received(socket, "notification").length, 1);
  });

  it("answers 404 to liking an unknown post, and 401 without a token", async () => {
    assert.equal((await like("bob", 99999999)).status, 404);
    const p = await post("alice");
    assert.equal((await api(server, "POST", `/api/posts/${p.id}/like`)).status, 401);
  });

  it("sends the unread notifications as `notifications` (an array) when the user connects later", async () => {
    const alice = unique("alice");
    const p1 = await post(alice, "one");
    const p2 = await post(alice, "two");
    await like("bob", p1.id);
    await like("carol", p2.id);
    await like("dave", p1.id);
    const socket = await connectAs(server, alice);
    const [list] = await nth(socket, "notifications");
    assert.ok(Array.isArray(list));
    assert.deepEqual(
      list.map((n) => [n.type, n.postId, n.fromUserId]),
      [["like", p1.id, "bob"], ["like", p2.id, "carol"], ["like", p1.id, "dave"]],
    );
    await sleep(QUIET_MS);
    assert.equal(received(socket, "notifications").length, 1);
  });

  it("sends an empty `notifications` array to a user without unread notifications", async () => {
    const socket = await connectAs(server, unique("nobody"));
    assert.deepEqual(await nth(socket, "notifications"), [[]]);
  });

  it("marks notifications read with notifications:read {ids} (ack {ok:true, count}); a new connection then gets an empty list", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    await like("bob", p.id);
    await like("carol", p.id);
    const first = await connectAs(server, alice);
    const [unread] = await nth(first, "notifications");
    assert.equal(unread.length, 2);
    const reply = await first.timeout(3000).emitWithAck("notifications:read", { ids: unread.map((n) => n.id) });
    assert.deepEqual(reply, { ok: true, count: 2 });
    const again = await first.timeout(3000).emitWithAck("notifications:read", { ids: unread.map((n) => n.id) });
    assert.deepEqual(again, { ok: true, count: 0 }, "read notifications were counted again");
    const second = await connectAs(server, alice);
    assert.deepEqual(await nth(second, "notifications"), [[]]);
  });

  it("marks only the listed notifications read", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    await like("bob", p.id);
    await like("carol", p.id);
    const first = await connectAs(server, alice);
    const [unread] = await nth(first, "notifications");
    assert.deepEqual(await first.timeout(3000).emitWithAck("notifications:read", { ids: [unread[0].id] }), { ok: true, count: 1 });
    const second = await connectAs(server, alice);
    assert.deepEqual(await nth(second, "notifications"), [[unread[1]]]);
  });

  it("marks all unread notifications read when notifications:read has no ids", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    await like("bob", p.id);
    await like("carol", p.id);
    await like("dave", p.id);
    const first = await online(alice);
    assert.deepEqual(await first.timeout(3000).emitWithAck("notifications:read", {}), { ok: true, count: 3 });
    const second = await connectAs(server, alice);
    assert.deepEqual(await nth(second, "notifications"), [[]]);
  });

  it("marks nothing read for notifications:read {ids: []}", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    await like("bob", p.id);
    const first = await connectAs(server, alice);
    const [unread] = await nth(first, "notifications");
    assert.equal(unread.length, 1);
    assert.deepEqual(await first.timeout(3000).emitWithAck("notifications:read", { ids: [] }), { ok: true, count: 0 });
    const second = await connectAs(server, alice);
    assert.deepEqual(await nth(second, "notifications"), [unread]);
  });

  it("does not let a user mark another user's notifications read", async () => {
    const alice = unique("alice");
    const p = await post(alice);
    await like("bob", p.id);
    const aliceSocket = await connectAs(server, alice);
    const [[n]] = await nth(aliceSocket, "notifications");
    const mallory = await online(unique("mallory"));
    assert.deepEqual(await mallory.timeout(3000).emitWithAck("notifications:read", { ids: [n.id] }), { ok: true, count: 0 });
    const later = await connectAs(server, alice);
    assert.deepEqual(await nth(later, "notifications"), [[n]]);
  });

  it("refuses notifications:read with ids that are not an array of integers", async () => {
    const socket = await online(unique("alice"));
    for (const request of [{ ids: "1" }, { ids: [1, "2"] }, { ids: [1.5] }]) {
      const reply = await socket.timeout(3000).emitWithAck("notifications:read", request);
      assert.equal(reply.ok, false, `accepted ${JSON.stringify(request)}`);
    }
  });

  it("delivers a notification to every socket of the user (each joined user:<id>)", async () => {
    const alice = unique("alice");
    const [a1, a2] = [await online(alice), await online(alice)];
    const p = await post(alice);
    await like("bob", p.id);
    const [n1] = await nth(a1, "notification");
    const [n2] = await nth(a2, "notification");
    assert.deepEqual(n1, n2);
    assert.equal(n1.fromUserId, "bob");
  });
});
