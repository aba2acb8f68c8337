// Redis dies during traffic and comes back on the same port: each sio server keeps serving its
// own clients meanwhile, and cross-server delivery resumes by itself soon after Redis returns.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { sleep } from "../helpers/server.mjs";
import { closeAll, until } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, member, startSio } from "./cluster.mjs";
import { untilAsync } from "./scenarios.mjs";

// Cross-server delivery must be back this soon after Redis is.
const RESUME_WITHIN_MS = 5000;
// Check often that Redis answers, so that a frozen Redis is noticed quickly.
const HEALTH = ["--health-check-interval", "300"];

describe("a cluster whose Redis is killed and restarted", () => {
  let redis;
  let a;
  let b;
  before(async () => {
    redis = await startRedis();
    // A small queue on A, so that an outage overflows it.
    [a, b] = await Promise.all([
      startSio(redis, "sio-a", ["--max-queued-bytes", "4096", "--requests-timeout", "1000", ...HEALTH]),
      startSio(redis, "sio-b", HEALTH),
    ]);
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // Broadcasts {from, seq, at} to room "live" through `actor` every 20 ms; stop() ends it.
  function traffic(actor, from) {
    let seq = 0;
    const timer = setInterval(() => {
      actor.emit("broadcast", { to: "live", event: "tick", args: [{ from, seq: seq++, at: performance.now() }] });
    }, 20);
    return { stop: () => clearInterval(timer) };
  }

  function ticks(socket) {
    const got = [];
    socket.on("tick", (tick) => got.push({ ...tick, received: performance.now() }));
    return got;
  }

  const stats = (socket) => socket.emitWithAck("redis-stats");

  it("keeps local delivery going while Redis is down and resumes cross-server delivery after", async () => {
    const [a0, a1, b0, b1] = await Promise.all([member(a), member(a, ["live"]), member(b), member(b, ["live"])]);
    const atA = ticks(a1);
    const atB = ticks(b1);
    const flows = [traffic(a0, "a"), traffic(b0, "b")];
    try {
      await until(() => atB.some((t) => t.from === "a") && atA.some((t) => t.from === "b"), 3000, "cross traffic");

      await redis.kill();
      const down = performance.now();
      await sleep(1000);
      // Each server still reached its own clients, during the whole outage.
      assert.ok(atA.filter((t) => t.from === "a" && t.at > down + 500).length >= 10, "A's local deliveries go on");
      assert.ok(atB.filter((t) => t.from === "b" && t.at > down + 500).length >= 10, "B's local deliveries go on");
      // fetchSockets does not hang: with Redis away, a server only knows its own sockets.
      const sockets = await a0.emitWithAck("fetch-sockets", {});
      assert.deepEqual(sockets.map((s) => s.id).sort(), [a0.id, a1.id].sort());

      await redis.restart();
      const up = performance.now();
      await until(
        () => atB.some((t) => t.from === "a" && t.at >= up) && atA.some((t) => t.from === "b" && t.at >= up),
        RESUME_WITHIN_MS,
        "cross-server delivery after Redis came back",
      );
      const resumed = Math.max(
        atB.find((t) => t.from === "a" && t.at >= up).received,
        atA.find((t) => t.from === "b" && t.at >= up).received,
      );
      console.log(`# cross-server delivery resumed ${resumed - up} ms after Redis came back`);
    } finally {
      flows.forEach((f) => f.stop());
    }
    for (const server of [a, b]) assert.equal(server.proc.exitCode, null, "no server crashed");
    await untilAsync(async () => (await stats(a0)).connected && (await stats(b0)).connected, 5000, "both linked");
    const { reconnects, publishFailures } = await stats(a0);
    assert.ok(reconnects >= 2, `publisher and subscriber reconnected (${reconnects})`);
    assert.ok(publishFailures > 0, "the publishes lost with the link are counted");
  });

  it("drops and counts publishes beyond its queue while Redis is away, and publishes again after", async () => {
    const [a0, b1] = await Promise.all([member(a), member(b, ["live"])]);
    const initial = await stats(a0);
    await redis.kill();
    await sleep(50);
    // Far more than 4096 bytes of broadcasts while Redis is away.
    await a0.emitWithAck("flood", { to: "live", event: "tick", count: 200, payload: "x".repeat(100) });
    const during = await stats(a0);
    assert.equal(during.connected, false);
    assert.ok(during.publishDropped > initial.publishDropped, "dropped publishes are counted");
    assert.ok(during.publishFailures >= during.publishDropped, "drops count as failures");

    await redis.restart();
    await untilAsync(async () => (await stats(a0)).connected, RESUME_WITHIN_MS, "A linked again");
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);
    const arrival = new Promise((resolve) => b1.on("after", resolve));
    await a0.emitWithAck("broadcast", { to: "live", event: "after", args: ["back"] });
    assert.equal(await arrival, "back");
    const afterwards = await stats(a0);
    assert.ok(afterwards.published > during.published, "publishes succeed again");
  });

  it("leaves a Redis that stops answering, and comes back once it answers again", async () => {
    const [a0, b1] = await Promise.all([member(a), member(b, ["live"])]);
    const atB = ticks(b1);
    const flow = traffic(a0, "a");
    try {
      await until(() => atB.length > 0, 3000, "cross traffic");
      redis.freeze();
      // Noticed within two health-check intervals; meanwhile A goes on serving its clients.
      await untilAsync(async () => !(await stats(a0)).connected, 3000, "A notices the silence");
      redis.thaw();
      const thawed = performance.now();
      await until(() => atB.some((t) => t.at >= thawed), RESUME_WITHIN_MS, "delivery after Redis answers again");
    } finally {
      redis.thaw();
      flow.stop();
    }
    await untilAsync(async () => (await stats(a0)).connected, RESUME_WITHIN_MS, "A linked again");
  });
});
