// sio-server with SIO_ADAPTER=redis-sharded (on one Redis 7) and redis-streams: the chat across
// two servers, a like notifying its author on the other server, and — with the streams adapter —
// a client whose connection dropped on one server recovering on the other with what it missed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";
import { addMember, api, connectAs, createRoom, nth, received } from "../helpers/app.mjs";
import { next } from "../helpers/socketio.mjs";

for (const adapter of ["redis-sharded", "redis-streams"]) {
  describe(`sio-server with SIO_ADAPTER=${adapter}`, () => {
    let cluster;
    let a;
    let b;
    const sockets = [];
    const as = async (server, user, options) => {
      const socket = await connectAs(server, user, options);
      sockets.push(socket);
      return socket;
    };

    before(async () => {
      cluster = await startAppCluster({}, adapter);
      ({ a, b } = cluster);
    });
    after(async () => {
      for (const s of sockets) s.disconnect();
      await stopAppCluster(cluster);
    });

    it("a message stored through one server reaches room members on the other", async () => {
      const room = await createRoom(a, "alice", { isPublic: true });
      const alice = await as(a, "alice");
      const bob = await as(b, "bob");
      assert.deepEqual(await alice.emitWithAck("join-room", room.id), { ok: true });
      assert.deepEqual(await bob.emitWithAck("join-room", room.id), { ok: true });
      // A dynamic room channel is subscribed once the room has its first member on a server.
      if (adapter === "redis-sharded") {
        const channel = `socket.io#/#room:${room.id}#`;
        for (let i = 0; (await cluster.redis.command("PUBSUB", "SHARDNUMSUB", channel))[1] < 2; i++) {
          if (i > 200) throw new Error(`${channel} not subscribed by both servers`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const arrived = nth(bob, "message");
      const sent = await alice.emitWithAck("message", { roomId: room.id, content: "across servers" });
      assert.equal(sent.ok, true);
      const [message] = await arrived;
      assert.deepEqual(message, sent.message);
    });

    it("liking a post on one server notifies its author on the other", async () => {
      const carol = await as(b, "carol");
      const post = await api(a, "POST", "/api/posts", { token: a.token("carol"), body: { content: "hi" } });
      assert.equal(post.status, 201);
      const notified = nth(carol, "notification");
      const like = await api(a, "POST", `/api/posts/${post.body.id}/like`, { token: a.token("dave") });
      assert.equal(like.status, 200);
      const [notification] = await notified;
      assert.equal(notification.fromUserId, "dave");
    });

    it("/readyz and /metrics report the Redis link", async () => {
      const ready = await api(a, "GET", "/readyz");
      assert.equal(ready.status, 200);
      assert.equal(ready.body.redis, "ok");
      const page = await (await fetch(`${a.url}/metrics`)).text();
      assert.match(page, /^sio_redis_connected 1$/m);
    });

    if (adapter !== "redis-streams") return;

    it("a client dropped on one server recovers on the other, with what its room was sent meanwhile", async () => {
      const room = await createRoom(a, "erin");
      await addMember(a, "erin", room.id, "frank");
      const erin = await as(b, "erin");
      const frank = await as(a, "frank");
      for (const s of [erin, frank]) assert.deepEqual(await s.emitWithAck("join-room", room.id), { ok: true });
      const first = await erin.emitWithAck("message", { roomId: room.id, content: "first" });
      await nth(frank, "message");
      assert.match(frank._lastOffset, /^\d+-\d+$/, "offsets are stream ids");
      const { _pid: pid, _lastOffset: offset, id } = frank;
      const gone = next(frank, "disconnect");
      frank.io.engine.close();
      await gone;
      await a.waitForLine(new RegExp(`disconnect user=frank socket=${id} reason=transport close`));
      frank.disconnect();
      const missed = await erin.emitWithAck("message", { roomId: room.id, content: "while away" });
      assert.equal(missed.ok, true);
      // Where a load balancer without stickiness (or a's loss) would send it: server b.
      const back = await as(b, "frank", { auth: { token: b.token("frank"), pid, offset } });
      assert.equal(back.id, id, "the same socket id on the other server");
      await nth(back, "message");
      assert.deepEqual(received(back, "message"), [[missed.message]]);
      assert.notDeepEqual(missed.message, first.message);
      // Its room came back with it: the next message reaches it.
      const later = await erin.emitWithAck("message", { roomId: room.id, content: "after" });
      const [message] = await nth(back, "message", 2);
      assert.deepEqual(message, later.message);
    });
  });
}
