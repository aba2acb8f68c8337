// Two sio-servers sharing one Redis (REDIS_URL) and one database: what a deployment behind a load
// balancer looks like. Both have subscribed to the request channel when startAppCluster resolves.
import { rmSync } from "node:fs";
import { startRedis } from "./redis.mjs";
import { startApp, freshDir, randomSecret } from "./app.mjs";

// `env`: {a, b}, more environment for each server.
export async function startAppCluster(env = {}) {
  const redis = await startRedis();
  const dir = freshDir();
  const secret = randomSecret();
  const a = await startApp({ dir, secret, env: { REDIS_URL: redis.url, ...env.a } });
  const b = await startApp({ dir, secret, env: { REDIS_URL: redis.url, ...env.b } });
  await redis.waitForSubscribers("socket.io-request#/#", 2);
  return { redis, a, b, dir };
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
