// Two sio-servers (the chat application) sharing one Redis through REDIS_URL: a message sent on
// one reaches the room's members on the other, a like notifies the author wherever they are
// connected, /readyz and /metrics report Redis.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";
import { connectAs, createRoom, api, nth } from "../helpers/app.mjs";

let cluster;
let a;
let b;
const sockets = [];

before(async () => {
  cluster = await startAppCluster();
  ({ a, b } = cluster);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await stopAppCluster(cluster);
});

const as = async (server, user) => {
  const socket = await connectAs(server, user);
  sockets.push(socket);
  return socket;
};

test("a message stored through one server reaches room members on the other", async () => {
  const room = await createRoom(a, "alice", { isPublic: true });
  const alice = await as(a, "alice");
  const bob = await as(b, "bob");
  assert.deepEqual(await alice.emitWithAck("join-room", room.id), { ok: true });
  assert.deepEqual(await bob.emitWithAck("join-room", room.id), { ok: true });
  const arrived = nth(bob, "message");
  const sent = await alice.emitWithAck("message", { roomId: room.id, content: "across servers" });
  assert.equal(sent.ok, true);
  const [message] = await arrived;
  assert.deepEqual(message, sent.message);
});

test("liking a post on one server notifies its author on the other", async () => {
  const carol = await as(b, "carol");
  const post = await api(a, "POST", "/api/posts", { token: a.token("carol"), body: { content: "hi" } });
  assert.equal(post.status, 201);
  const notified = nth(carol, "notification");
  const like = await api(a, "POST", `/api/posts/${post.body.id}/like`, { token: a.token("dave") });
  assert.equal(like.status, 200);
  const [notification] = await notified;
  assert.equal(notification.fromUserId, "dave");
  assert.equal(notification.postId, post.body.id);
});

test("readiness and metrics report the Redis connection", async () => {
  const ready = await (await fetch(`${a.url}/readyz`)).json();
  assert.equal(ready.redis, "ok");
  assert.equal(ready.status, "ready");
  const text = await (await fetch(`${a.url}/metrics`)).text();
  assert.match(text, /^sio_redis_connected 1$/m);
  assert.match(text, /^sio_redis_published_total [1-9]/m);
});
