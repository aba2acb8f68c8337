// A real Redis Cluster for the tests: `masters` masters with `replicasPerMaster` replicas each,
// every node a redis-server on free ports (client and cluster bus), without persistence, in a
// temporary directory removed by stop(). A master can be killed mid-test to watch a failover, and
// a slot moved to another master to watch a resharding.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, redisCommand } from "./redis.mjs";
import { sleep } from "./server.mjs";

const SLOTS = 16384;
// Short, so that a killed master is failed over within a few seconds.
const NODE_TIMEOUT_MS = 1000;

function spawnNode(dir, port, busPort) {
  const proc = spawn(
    "redis-server",
    [
      "--port", String(port),
      "--cluster-port", String(busPort),
      "--cluster-enabled", "yes",
      "--cluster-config-file", path.join(dir, `nodes-${port}.conf`),
      "--cluster-node-timeout", String(NODE_TIMEOUT_MS),
      "--save", "",
      "--appendonly", "no",
      "--bind", "127.0.0.1",
      "--dir", dir,
      // An empty dataset: let the replicas sync at once instead of after the default 5 s wait.
      "--repl-diskless-sync-delay", "0",
      // CLUSTER SLOTS lists a replica once its master's replication offset moved, which an idle
      // master's PINGs do: every second instead of every 10.
      "--repl-ping-replica-period", "1",
      "--loglevel", "warning",
    ],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  return { port, busPort, proc, exited, alive: () => proc.exitCode === null && proc.signalCode === null };
}

async function until(what, timeoutMs, check) {
  const deadline = performance.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const result = await check();
      if (result) return result;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      throw new Error(`${what} not reached within ${timeoutMs} ms${last ? ` (last error: ${last.message})` : ""}`);
    }
    await sleep(20);
  }
}

// Resolves once the node answers PING; rejects at once if it exited (a port taken meanwhile).
async function answering(node) {
  const deadline = performance.now() + 10000;
  for (;;) {
    if (!node.alive()) {
      const { exitCode, signalCode } = node.proc;
      throw new Error(`redis-server on port ${node.port} exited (code ${exitCode}, signal ${signalCode})`);
    }
    if ((await redisCommand(node.port, "PING").catch(() => null)) === "PONG") return;
    if (performance.now() > deadline) throw new Error(`redis-server on port ${node.port} not ready within 10 s`);
    await sleep(20);
  }
}

// CLUSTER SLOTS of the node on `port` as [{from, to, master, replicas}] (ports), sorted by slot.
async function slotRanges(port) {
  const reply = await redisCommand(port, "CLUSTER", "SLOTS");
  return reply
    .map(([from, to, master, ...replicas]) => ({
      from,
      to,
      master: Number(master[1]),
      replicas: replicas.map((r) => Number(r[1])).sort((x, y) => x - y),
    }))
    .sort((x, y) => x.from - y.from);
}

async function clusterInfo(port) {
  const text = await redisCommand(port, "CLUSTER", "INFO");
  return Object.fromEntries(text.split("\r\n").filter(Boolean).map((line) => line.split(":")));
}

// The master of `masters` (as masters() lists them) that owns `slot`, if any.
const masterOwning = (masters, slot) => masters.find((m) => m.slots.some(([from, to]) => slot >= from && slot <= to));

const covers = (ranges) => ranges.reduce((n, r) => n + (r.to - r.from + 1), 0) === SLOTS;

export async function startRedisCluster({ masters = 3, replicasPerMaster = 1 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sio-redis-cluster-"));
  const nodes = [];
  // Should the test process end without stop(), its cluster goes with it.
  const killAll = () => {
    for (const node of nodes) if (node.alive()) node.proc.kill("SIGKILL");
  };
  const onExit = () => {
    killAll();
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A node still writing its files; the directory is in the system's temporary directory.
    }
  };
  process.once("exit", onExit);
  const stop = async () => {
    killAll();
    await Promise.all(nodes.map((n) => n.exited));
    process.off("exit", onExit);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const count = masters * (1 + replicasPerMaster);
    // The bus port is asked for explicitly: the default (port + 10000) may be taken or above 65535.
    const ports = new Set();
    while (ports.size < 2 * count) ports.add(await freePort());
    const list = [...ports];
    for (let i = 0; i < count; i++) nodes.push(spawnNode(dir, list[2 * i], list[2 * i + 1]));
    await Promise.all(nodes.map(answering));

    await createCluster(nodes, replicasPerMaster);

    // Every node serves, sees the same owner for every slot, and knows all the replicas; and every
    // replica has synced with its master (a replica that never did is not eligible for failover).
    await until("a consistent cluster", 15000, async () => {
      const views = await Promise.all(nodes.map((n) => Promise.all([clusterInfo(n.port), slotRanges(n.port)])));
      if (!views.every(([info]) => info.cluster_state === "ok")) return false;
      const signature = JSON.stringify(views[0][1]);
      if (!views.every(([, ranges]) => JSON.stringify(ranges) === signature)) return false;
      const ranges = views[0][1];
      if (!covers(ranges) || !ranges.every((r) => r.replicas.length === replicasPerMaster)) return false;
      const replicas = new Set(ranges.flatMap((r) => r.replicas));
      const links = await Promise.all([...replicas].map((port) => redisCommand(port, "INFO", "replication")));
      return links.every((text) => text.includes("master_link_status:up"));
    });
  } catch (err) {
    await stop();
    throw err;
  }

  // A node that still runs, to ask about the cluster.
  const live = () => {
    const node = nodes.find((n) => n.alive());
    if (!node) throw new Error("no node of the cluster is running");
    return node.port;
  };
  const isAlive = (port) => nodes.some((n) => n.port === port && n.alive());
  // Slot ranges of each port, as last seen by masters(), for waitForFailover.
  const lastOwned = new Map();

  const cluster = {
    url: null,
    dir,
    nodes: nodes.map(({ port, busPort, proc }) => ({ port, busPort, proc })),
    command: (...args) => redisCommand(live(), ...args),

    // The current masters: [{port, slots: [[from, to], ...], replicas: [port, ...]}].
    async masters() {
      const byPort = new Map();
      for (const range of await slotRanges(live())) {
        const master = byPort.get(range.master) ?? { port: range.master, slots: [], replicas: range.replicas };
        master.slots.push([range.from, range.to]);
        byPort.set(range.master, master);
      }
      for (const [port, master] of byPort) lastOwned.set(port, master.slots);
      return [...byPort.values()].sort((x, y) => x.slots[0][0] - y.slots[0][0]);
    },

    async slotOf(channel) {
      return Number(await redisCommand(live(), "CLUSTER", "KEYSLOT", channel));
    },

    // The port of the master that owns `channel`'s slot.
    async ownerOf(channel) {
      const slot = await cluster.slotOf(channel);
      const master = masterOwning(await cluster.masters(), slot);
      if (!master) throw new Error(`no master owns slot ${slot}`);
      return master.port;
    },

    // How many connections are SSUBSCRIBEd to `channel` on the current masters.
    async shardNumsub(channel) {
      const ports = (await cluster.masters()).map((m) => m.port).filter(isAlive);
      const counts = await Promise.all(
        ports.map(async (port) => Number((await redisCommand(port, "PUBSUB", "SHARDNUMSUB", channel))[1])),
      );
      return counts.reduce((sum, n) => sum + n, 0);
    },

    async waitForShardSubscribers(channel, count, timeoutMs = 10000) {
      let seen = 0;
      try {
        await until(`${count} shard subscribers of ${channel}`, timeoutMs, async () => {
          seen = await cluster.shardNumsub(channel);
          return seen >= count;
        });
      } catch (err) {
        err.message += ` (last count ${seen})`;
        throw err;
      }
      return seen;
    },

    // Kills the master on `port` as a crash would; its slots stay unserved until a replica
    // takes them over (waitForFailover).
    async killMaster(port) {
      const masters = await cluster.masters();
      if (!masters.some((m) => m.port === port)) throw new Error(`${port} is not a master`);
      const node = nodes.find((n) => n.port === port);
      if (node.alive()) node.proc.kill("SIGKILL");
      await node.exited;
    },

    // Resolves once every running node serves again (cluster_state:ok) and shows the slots that
    // `oldPort` owned (when killMaster last looked) in the hands of another, running, node.
    // Returns the new owner's port.
    async waitForFailover(oldPort, timeoutMs = 15000) {
      const owned = lastOwned.get(oldPort);
      if (!owned) throw new Error(`${oldPort} was not seen as a master`);
      const [from] = owned[0];
      return until(`failover of ${oldPort}`, timeoutMs, async () => {
        const running = nodes.filter((n) => n.alive()).map((n) => n.port);
        const views = await Promise.all(running.map((p) => Promise.all([clusterInfo(p), slotRanges(p)])));
        if (!views.every(([info]) => info.cluster_state === "ok")) return null;
        const owners = new Set(
          views.map(([, ranges]) => ranges.find((r) => from >= r.from && from <= r.to)?.master),
        );
        if (owners.size !== 1) return null;
        const [owner] = owners;
        return owner !== undefined && owner !== oldPort && isAlive(owner) ? owner : null;
      });
    },

    // Moves `slot` to the master on `toPort` the way `redis-cli --cluster reshard` does: the
    // target imports, the owner migrates (its keys go over with MIGRATE), then every master is told
    // the new owner. Resolves once every running node shows it. Subscribers of the slot's sharded
    // channels on the old owner are unsubscribed by Redis (sunsubscribe).
    async moveSlot(slot, toPort, timeoutMs = 10000) {
      const masters = await cluster.masters();
      const from = masterOwning(masters, slot);
      if (!from) throw new Error(`no master owns slot ${slot}`);
      if (from.port === toPort) throw new Error(`slot ${slot} is already on ${toPort}`);
      if (!masters.some((m) => m.port === toPort)) throw new Error(`${toPort} is not a master`);
      const [fromId, toId] = await Promise.all([from.port, toPort].map((p) => redisCommand(p, "CLUSTER", "MYID")));
      await redisCommand(toPort, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId);
      await redisCommand(from.port, "CLUSTER", "SETSLOT", slot, "MIGRATING", toId);
      for (;;) {
        const keys = await redisCommand(from.port, "CLUSTER", "GETKEYSINSLOT", slot, 100);
        if (keys.length === 0) break;
        await redisCommand(from.port, "MIGRATE", "127.0.0.1", toPort, "", 0, 5000, "KEYS", ...keys);
      }
      const others = masters.map((m) => m.port).filter((p) => p !== from.port && p !== toPort);
      for (const port of [toPort, from.port, ...others]) {
        await redisCommand(port, "CLUSTER", "SETSLOT", slot, "NODE", toId);
      }
      await until(`slot ${slot} on ${toPort}`, timeoutMs, async () => {
        const running = nodes.filter((n) => n.alive()).map((n) => n.port);
        const views = await Promise.all(running.map((p) => slotRanges(p)));
        return views.every((ranges) => ranges.find((r) => slot >= r.from && slot <= r.to)?.master === toPort);
      });
    },

    stop,
  };
  cluster.url = `redis://127.0.0.1:${(await cluster.masters())[0].port}`;
  return cluster;
}

// redis-cli --cluster create: slots split evenly over the first nodes, the others their replicas.
function createCluster(nodes, replicasPerMaster) {
  return new Promise((resolve, reject) => {
    const args = [
      "--cluster", "create",
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      "--cluster-replicas", String(replicasPerMaster),
      "--cluster-yes",
    ];
    const proc = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (chunk) => (output += chunk));
    proc.stderr.on("data", (chunk) => (output += chunk));
    proc.once("error", reject);
    proc.once("exit", (code) => {
      if (code === 0 && output.includes("[OK] All 16384 slots covered")) resolve();
      else reject(new Error(`redis-cli --cluster create failed (code ${code}):\n${output}`));
    });
  });
}
