// Two sio-servers (the chat application) sharing one Redis through REDIS_URL: a message sent on
// one reaches the room's members on the other, a like notifies the author wherever they are
// connected, /readyz and /metrics report Redis.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { startRedis } from "../helpers/redis.mjs";
import { startApp, connectAs, createRoom, api, nth, freshDir, randomSecret } from "../helpers/app.mjs";

let redis;
let a;
let b;
let dir;
const sockets = [];

before(async () => {
  redis = await startRedis();
  dir = freshDir();
  const secret = randomSecret();
  // One database, two servers: what a deployment behind a load balancer looks like.
  a = await startApp({ dir, secret, env: { REDIS_URL: redis.url } });
  b = await startApp({ dir, secret, env: { REDIS_URL: redis.url } });
  await redis.waitForSubscribers("socket.io-request#/#", 2);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await a?.stop();
  await b?.stop();
  await redis?.stop?.();
  rmSync(dir, { recursive: true, force: true });
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
