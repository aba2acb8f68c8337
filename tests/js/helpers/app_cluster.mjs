// Two sio-servers sharing one Redis (REDIS_URL) and one database: what a deployment behind a load
// balancer looks like. Both have subscribed to the request channel when startAppCluster resolves.
import { rmSync } from "node:fs";
import { startRedis } from "./redis.mjs";
import { startApp, freshDir, randomSecret } from "./app.mjs";

// `env`: {a, b}, more environment for each server; `adapter`: SIO_ADAPTER for both (redis,
// redis-sharded or redis-streams).
export async function startAppCluster(env = {}, adapter = "redis") {
  const redis = await startRedis();
  const dir = freshDir();
  const secret = randomSecret();
  const common = { REDIS_URL: redis.url, SIO_ADAPTER: adapter };
  const a = await startApp({ dir, secret, env: { ...common, ...env.a } });
  const b = await startApp({ dir, secret, env: { ...common, ...env.b } });
  // Both servers reachable: each subscribed to the channel its adapter counts servers on.
  if (adapter === "redis-sharded") {
    await until(async () => (await redis.command("PUBSUB", "SHARDNUMSUB", "socket.io#/#"))[1] >= 2, "2 sharded subscribers");
  } else {
    await redis.waitForSubscribers(adapter === "redis-streams" ? "socket.io#/#" : "socket.io-request#/#", 2);
  }
  return { redis, a, b, dir };
}

async function until(predicate, what, timeoutMs = 10000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Stops what startAppCluster started (any part may be missing if it failed half-way). stop()
// fails on an unclean exit: the servers must have stayed up and must stop cleanly.
export async function stopAppCluster(cluster) {
  if (!cluster) return;
  await cluster.a?.stop();
  await cluster.b?.stop();
  await cluster.redis?.stop?.();
  if (cluster.dir) rmSync(cluster.dir, { recursive: true, force: true });
}
