// A mixed cluster: a sio server and Node's socket.io with @socket.io/redis-adapter 8.3 share one
// Redis. Every scenario runs in both directions (acting through either server).
import { after, before, describe } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { REQUEST_CHANNEL, startNode, startSio } from "./cluster.mjs";
import { clusterScenarios } from "./scenarios.mjs";

for (const [first, second] of [["sio", "node"], ["node", "sio"]]) {
  describe(`a mixed cluster, acting through the ${first} server`, () => {
    let redis;
    let servers;
    const start = (kind) => (kind === "sio" ? startSio(redis, kind) : startNode(redis, kind));
    before(async () => {
      redis = await startRedis();
      const [a, b] = await Promise.all([start(first), start(second)]);
      servers = { a: Object.assign(a, { name: first }), b: Object.assign(b, { name: second }) };
      await redis.waitForSubscribers(REQUEST_CHANNEL, 2);
    });
    after(async () => {
      await Promise.all([servers?.a.stop(), servers?.b.stop()]);
      await redis?.stop();
    });

    clusterScenarios(() => servers);
  });
}
