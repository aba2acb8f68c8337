// fetchSockets when a server of the cluster does not answer (stopped with SIGSTOP, so that Redis
// still counts it): the asker is told, with the sockets of the servers that did answer, instead
// of taking a partial list for the whole — with the classic adapter and with the sharded one.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { closeAll } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, member, startSio } from "./cluster.mjs";
import { untilAsync } from "./scenarios.mjs";

const modes = [
  {
    title: "classic",
    args: ["--requests-timeout", "1000"],
    ready: (redis) => redis.waitForSubscribers(REQUEST_CHANNEL, 2),
    error: /^timeout reached while waiting for fetchSockets response \(1 of 2 servers answered\)$/,
  },
  {
    title: "sharded",
    args: ["--adapter", "sharded"],
    ready: (redis) =>
      untilAsync(async () => (await redis.command("PUBSUB", "SHARDNUMSUB", "socket.io#/#"))[1] === 2, 5000, "2 servers"),
    error: /^timeout reached: only 0 responses received out of 1$/,
    timeout: 1000,
  },
];

for (const mode of modes) {
  describe(`fetchSockets with a silent server (${mode.title} adapter)`, () => {
    let redis;
    let a;
    let b;
    before(async () => {
      redis = await startRedis();
      [a, b] = await Promise.all([startSio(redis, "a", mode.args), startSio(redis, "b", mode.args)]);
      await mode.ready(redis);
    });
    afterEach(() => closeAll());
    after(async () => {
      b?.proc.kill("SIGCONT");
      await Promise.all([a?.stop(), b?.stop()]);
      await redis?.stop();
    });

    it("answers with every socket while both servers answer", async () => {
      const [actor, b1] = await Promise.all([member(a), member(b)]);
      const answer = await actor.emitWithAck("fetch-sockets-checked", { timeout: mode.timeout });
      assert.equal(answer.err, null);
      assert.deepEqual(answer.sockets.map((s) => s.id).sort(), [actor.id, b1.id].sort());
    });

    it("reports the timeout, with the sockets of the servers that answered", async () => {
      const actor = await member(a);
      await member(b);
      b.proc.kill("SIGSTOP");
      try {
        const started = performance.now();
        const answer = await actor.emitWithAck("fetch-sockets-checked", { timeout: mode.timeout });
        const waited = performance.now() - started;
        assert.match(answer.err, mode.error);
        assert.deepEqual(answer.sockets.map((s) => s.id), [actor.id]);
        assert.ok(waited >= 900 && waited < 4000, `answered after ${waited} ms`);
      } finally {
        b.proc.kill("SIGCONT");
      }
    });
  });
}
