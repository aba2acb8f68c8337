// @socket.io/redis-emitter (Node, no server of its own) reaches the clients of sio servers:
// broadcasts with rooms, except and namespaces, and the join / leave / disconnect requests.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { closeAll, normalizeBinary } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, member, nodeDir, recorder, startSio, waitFor } from "./cluster.mjs";
import { untilAsync } from "./scenarios.mjs";

const require = createRequire(path.join(nodeDir, "package.json"));

describe("the Redis emitter, with two sio servers", () => {
  let redis;
  let a;
  let b;
  let redisClient;
  let emitter;

  before(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startSio(redis, "sio-a"), startSio(redis, "sio-b")]);
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);
    const { Emitter } = require("@socket.io/redis-emitter");
    const { createClient } = require("redis");
    redisClient = createClient({ url: redis.url });
    await redisClient.connect();
    emitter = new Emitter(redisClient);
  });
  after(async () => {
    // quit() lets the publishes in flight finish (disconnect() would reject them).
    await redisClient?.quit();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // The emitter publishes in order on one connection: once "fence" arrived, so did the rest.
  async function fence(sockets, nsp = emitter) {
    const token = Math.random().toString(36).slice(2);
    const arrivals = sockets.map((s) => waitFor(s, "fence", (t) => t === token));
    nsp.emit("fence", token);
    await Promise.all(arrivals);
  }

  it("emits to a room reach its members on both servers", async () => {
    const [a1, a2, b1] = await Promise.all([member(a, ["room"]), member(a), member(b, ["room"])]);
    const got = recorder([a1, a2, b1], "msg");
    emitter.to("room").emit("msg", "hi", 2);
    await fence([a1, a2, b1]);
    assert.deepEqual(got(a1), [["hi", 2]]);
    assert.deepEqual(got(b1), [["hi", 2]]);
    assert.deepEqual(got(a2), []);
  });

  it("except skips the excluded room", async () => {
    const [a1, b1] = await Promise.all([member(a, ["vip"]), member(b)]);
    const got = recorder([a1, b1], "msg");
    emitter.except("vip").emit("msg", "not for vips");
    await fence([a1, b1]);
    assert.deepEqual(got(a1), []);
    assert.deepEqual(got(b1), [["not for vips"]]);
  });

  it("emits to several rooms reach each member once", async () => {
    const [b1] = await Promise.all([member(b, ["x", "y"])]);
    const got = recorder([b1], "msg");
    emitter.to(["x", "y"]).emit("msg", 1);
    await fence([b1]);
    assert.deepEqual(got(b1), [[1]]);
  });

  it("emits to a namespace stay in it", async () => {
    const [custom, root] = await Promise.all([member(a, [], "/custom"), member(a)]);
    const got = recorder([custom, root], "msg");
    emitter.of("/custom").emit("msg", "custom only");
    await fence([custom], emitter.of("/custom"));
    await fence([root]);
    assert.deepEqual(got(custom), [["custom only"]]);
    assert.deepEqual(got(root), []);
  });

  it("binary payloads arrive intact", async () => {
    const b1 = await member(b);
    const arrival = waitFor(b1, "blob");
    const payload = { bytes: Buffer.from([1, 2, 3, 0, 255]), date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) };
    emitter.emit("blob", payload, 1.25);
    const args = await arrival;
    assert.deepEqual(normalizeBinary(args), [
      { bytes: { bytes: [1, 2, 3, 0, 255] }, date: "2024-01-02T03:04:05.678Z" },
      1.25,
    ]);
  });

  it("socketsJoin and socketsLeave move the sockets of both servers", async () => {
    const [a1, b1, b2] = await Promise.all([member(a, ["src"]), member(b, ["src"]), member(b)]);
    emitter.in("src").socketsJoin("dst");
    for (const socket of [a1, b1]) {
      await untilAsync(async () => (await socket.emitWithAck("rooms")).includes("dst"), 3000, "joined dst");
    }
    assert.ok(!(await b2.emitWithAck("rooms")).includes("dst"));
    emitter.in("dst").socketsLeave(["src"]);
    for (const socket of [a1, b1]) {
      await untilAsync(async () => !(await socket.emitWithAck("rooms")).includes("src"), 3000, "left src");
    }
  });

  it("disconnectSockets disconnects the matching sockets of both servers", async () => {
    const [a1, b1, b2] = await Promise.all([member(a, ["bye"]), member(b, ["bye"]), member(b)]);
    const reasons = [a1, b1].map((s) => waitFor(s, "disconnect"));
    emitter.in("bye").disconnectSockets();
    assert.deepEqual(
      (await Promise.all(reasons)).map(([reason]) => reason),
      ["io server disconnect", "io server disconnect"],
    );
    assert.ok(b2.connected);
  });

  it("serverSideEmit reaches every server", async () => {
    emitter.serverSideEmit("ping", "from-emitter", 7);
    await a.waitForLine(/^server-side ping \["from-emitter",7\]$/);
    await b.waitForLine(/^server-side ping \["from-emitter",7\]$/);
  });
});
