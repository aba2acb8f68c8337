// Cross-server broadcast throughput: one server publishes a burst of broadcasts to a room whose
// only members are on the other server, and the clients count what arrives. Reports the rate
// (for a sio pair and, as the reference, a Node pair); asserts only that nothing is lost.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, afterEach, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { sleep } from "../helpers/server.mjs";
import { closeAll, until } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, member, startNode, startSio } from "./cluster.mjs";

const BURST = 20000;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

// CPU seconds (user + system) a process has used so far.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
const RECEIVERS = 4;

describe("cross-server broadcast throughput", () => {
  const cleanup = [];
  after(async () => {
    for (const stop of cleanup.reverse()) await stop();
  });
  afterEach(() => closeAll());

  for (const kind of ["sio", "node"]) {
    it(`a burst of ${BURST} broadcasts from one ${kind} server reaches ${RECEIVERS} clients of another`, async () => {
      const redis = await startRedis();
      cleanup.push(() => redis.stop());
      const start = (name) => (kind === "sio" ? startSio(redis, name, ["--log-level", "warn"]) : startNode(redis, name));
      const [a, b] = await Promise.all([start(`${kind}-a`), start(`${kind}-b`)]);
      cleanup.push(() => a.stop(), () => b.stop());
      await redis.waitForSubscribers(REQUEST_CHANNEL, 2);

      const receivers = await Promise.all(Array.from({ length: RECEIVERS }, () => member(b, ["burst"])));
      let received = 0;
      for (const socket of receivers) socket.on("tick", () => received++);
      const actor = await member(a);

      const cpuBefore = [a, b].map((s) => cpuSeconds(s.proc.pid));
      const started = process.hrtime.bigint();
      await actor.emitWithAck("flood", { to: "burst", event: "tick", count: BURST, payload: "x".repeat(64) });
      await until(() => received >= BURST * RECEIVERS, 60000, "every broadcast delivered");
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [cpuA, cpuB] = [a, b].map((s, i) => cpuSeconds(s.proc.pid) - cpuBefore[i]);
      assert.equal(received, BURST * RECEIVERS);
      console.log(
        `# ${kind} -> ${kind}: ${BURST} broadcasts in ${seconds.toFixed(2)} s = ` +
          `${Math.round(BURST / seconds)} broadcasts/s, ${Math.round((BURST * RECEIVERS) / seconds)} deliveries/s; ` +
          `CPU: publisher ${cpuA.toFixed(2)} s, receiver ${cpuB.toFixed(2)} s ` +
          `(${((cpuB * 1e6) / BURST).toFixed(1)} µs per broadcast received)`,
      );
    });
  }

  // Redis hands the receiver these in reads of 64 KiB: most messages (and XREAD replies) arrive
  // cut in two or more.
  for (const [adapter, args] of [
    ["classic", []],
    ["sharded", ["--adapter", "sharded"]],
    ["streams", ["--adapter", "streams"]],
  ]) {
    it(`broadcasts larger than a read arrive whole and in order among small ones (${adapter})`, async () => {
      const redis = await startRedis();
      cleanup.push(() => redis.stop());
      const [a, b] = await Promise.all([startSio(redis, "big-a", args), startSio(redis, "big-b", args)]);
      cleanup.push(() => a.stop(), () => b.stop());
      const receiver = await member(b, ["big"]);
      const got = [];
      receiver.on("tick", (i, payload) => got.push([i, payload.length, payload.at(-1)]));
      const actor = await member(a);
      // Until B hears A (each adapter subscribes and reads in its own way), then from a clean slate.
      for (let i = 0; got.length === 0; i++) {
        assert.ok(i < 100, "no broadcast reaches B");
        await actor.emitWithAck("flood", { to: "big", event: "tick", count: 1, payload: "w" });
        await sleep(50);
      }
      await sleep(300);
      got.length = 0;
      const sizes = [150000, 10, 70000, 1, 300000, 65536, 3];
      for (const size of sizes) {
        await actor.emitWithAck("flood", { to: "big", event: "tick", count: 3, payload: "y".repeat(size - 1) + "z" });
      }
      await until(() => got.length >= sizes.length * 3, 10000, "every broadcast delivered");
      assert.deepEqual(
        got,
        sizes.flatMap((size) => [0, 1, 2].map((i) => [i, size, "z"])),
      );
    });
  }
});
