// Two servers and one Redis: broadcasts made on server A, delivered by server B to the members of
// a room. For each adapter (classic, sharded, streams) and each room size, a sio pair
// (sio-cluster-server, one reactor each), a pair of sio-servers (the application as users run it:
// SQLite store shared by both, connection state recovery and limits on, one reactor each; A's
// broadcasts are chat messages, stored and then sent to the room) and a Node pair (socket.io 4.8
// with Node's adapter of that kind) in turn, on this machine, in one run. What counts is B's
// side: deliveries per second, and B's CPU time per broadcast (read from /proc), which is what
// each server of a cluster pays for every broadcast any other server makes.
//
// sio-server-full-log is the same pair of sio-servers with a recovery window of FULL_LOG_WINDOW_MS,
// measured after broadcasting for longer than that: B's recovery log is full, its oldest broadcast
// dropped (and its memory reused) for each new one. That is what a server that has run longer than
// its window pays (two minutes by default); the sio-server row measures the first seconds, while
// the log still grows.
//
// Each pair runs --repeat times (this machine's CPU time per run varies by tens of percent) and
// the run with the median receiver CPU is reported.
//
//   node bench/cluster/cluster.mjs [--rate 2000] [--seconds 8] [--members 1,100] [--repeat 5]
//                                  [--adapters classic,sharded,streams]
//                                  [--kinds sio,sio-server,sio-server-full-log,node]
//                                  [--out bench/results]
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startRedis } from "../../tests/js/helpers/redis.mjs";
import { startApp, freshDir, randomSecret, createRoom } from "../../tests/js/helpers/app.mjs";
import { startNode, startSio } from "../../tests/js/cluster/cluster.mjs";
import { connect, closeAll } from "../../tests/js/helpers/socketio.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "2000" },
    seconds: { type: "string", default: "8" },
    members: { type: "string", default: "1,100" },
    adapters: { type: "string", default: "classic,sharded,streams" },
    repeat: { type: "string", default: "5" },
    kinds: { type: "string", default: "sio,sio-server,sio-server-full-log,node" },
    out: { type: "string", default: path.join(here, "..", "results") },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const TICK_MS = 20;

const ADAPTER_ARGS = {
  classic: [],
  sharded: ["--adapter", "sharded"],
  streams: ["--adapter", "streams"],
};
const APP_ADAPTER = { classic: "redis", sharded: "redis-sharded", streams: "redis-streams" };
const PAYLOAD = "x".repeat(64);
const FULL_LOG_WINDOW_MS = 2000;
const APP_KINDS = ["sio-server", "sio-server-full-log"];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// On-CPU time of every thread of `pid`, in seconds, from the scheduler's nanosecond counters
// (/proc/<pid>/stat counts in 10 ms ticks: too coarse for a few µs per broadcast).
function cpuSeconds(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return ns / 1e9;
}

// The fixture servers (sio-cluster-server, Node's): the actor on A asks for `count` broadcasts to
// room "bench" at once ("flood"); receivers join it through "join".
async function startFixturePair(kind, adapter, redis) {
  const start = (name) =>
    kind === "sio"
      ? startSio(redis, name, ADAPTER_ARGS[adapter])
      : startNode(redis, name, ADAPTER_ARGS[adapter]);
  const [a, b] = [await start("a"), await start("b")];
  return {
    a,
    b,
    stop: () => Promise.all([a.stop(), b.stop()]),
    event: "b",
    actor: () => connect(a.url, { transports: ["websocket"] }),
    receiver: async () => {
      const socket = await connect(b.url, { transports: ["websocket"] });
      await socket.emitWithAck("join", ["bench"]);
      return socket;
    },
    send: (actor, count) => actor.emit("flood", { to: "bench", event: "b", count, payload: PAYLOAD }),
  };
}

// Two sio-servers on one SQLite database: the actor on A sends chat messages to a public room
// (each stored, then broadcast as "message"); receivers on B join it with "join-room". No event
// rate limit: one actor sends every message.
async function startAppPair(adapter, redis, fullLog) {
  const dir = freshDir();
  const secret = randomSecret();
  const env = { REDIS_URL: redis.url, SIO_ADAPTER: APP_ADAPTER[adapter], SIO_EVENT_RATE: "0" };
  if (fullLog) env.SIO_RECOVERY_WINDOW = String(FULL_LOG_WINDOW_MS);
  const a = await startApp({ dir, secret, env });
  const b = await startApp({ dir, secret, env });
  const room = await createRoom(a, "bench-actor", { isPublic: true });
  let users = 0;
  const as = (server, user) =>
    connect(server.url, { transports: ["websocket"], auth: { token: server.token(user) } });
  return {
    a,
    b,
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
    event: "message",
    actor: async () => {
      const socket = await as(a, "bench-actor");
      await socket.timeout(5000).emitWithAck("join-room", room.id);
      return socket;
    },
    receiver: async () => {
      const socket = await as(b, `bench-member-${users++}`);
      const joined = await socket.timeout(5000).emitWithAck("join-room", room.id);
      if (!joined?.ok) throw new Error(`join-room on B: ${JSON.stringify(joined)}`);
      return socket;
    },
    send: (actor, count) => {
      for (let i = 0; i < count; i++) actor.emit("message", { roomId: room.id, content: PAYLOAD });
    },
  };
}

async function run(kind, adapter, members) {
  const redis = await startRedis();
  process.env.SIO_THREADS = "1";
  const pair = APP_KINDS.includes(kind)
    ? await startAppPair(adapter, redis, kind === "sio-server-full-log")
    : await startFixturePair(kind, adapter, redis);
  const { a, b } = pair;
  try {
    const actor = await pair.actor();
    const receivers = [];
    for (let i = 0; i < members; i++) receivers.push(await pair.receiver());
    let delivered = 0;
    for (const socket of receivers) socket.on(pair.event, () => delivered++);
    // Warm-up (and, for the sharded adapter, B's room channel subscribed): until one arrives.
    for (let i = 0; delivered === 0; i++) {
      if (i > 100) throw new Error(`${kind}/${adapter}: no broadcast reaches B`);
      pair.send(actor, 1);
      await sleep(50);
    }
    // At the rate, a burst every TICK_MS, for `duration` seconds.
    const drive = async (duration) => {
      const total = rate * duration;
      const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
      const start = performance.now();
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.round(((performance.now() - start) / 1000) * rate) + perTick);
        if (due > sent) {
          const count = due - sent;
          pair.send(actor, count);
          sent += count;
        }
        await sleep(TICK_MS);
      }
    };
    if (kind === "sio-server-full-log") await drive(FULL_LOG_WINDOW_MS / 1000 + 1);
    await sleep(500);
    delivered = 0;
    const total = rate * seconds;
    const cpuA0 = cpuSeconds(a.proc.pid);
    const cpuB0 = cpuSeconds(b.proc.pid);
    const t0 = performance.now();
    await drive(seconds);
    // Until everything arrived, or nothing more arrives for a second.
    let last = -1;
    let quietSince = performance.now();
    while (delivered < total * members) {
      if (delivered !== last) {
        last = delivered;
        quietSince = performance.now();
      } else if (performance.now() - quietSince > 1000) break;
      await sleep(20);
    }
    const elapsed = (performance.now() - t0) / 1000;
    const cpuB = cpuSeconds(b.proc.pid) - cpuB0;
    const cpuA = cpuSeconds(a.proc.pid) - cpuA0;
    closeAll();
    return {
      kind,
      adapter,
      members,
      broadcasts: total,
      deliveries: delivered,
      lost: total * members - delivered,
      seconds: Number(elapsed.toFixed(2)),
      deliveries_per_s: Math.round(delivered / elapsed),
      receiver_cpu_s: cpuB,
      receiver_us_per_broadcast: Number(((cpuB * 1e6) / total).toFixed(2)),
      sender_us_per_broadcast: Number(((cpuA * 1e6) / total).toFixed(2)),
    };
  } finally {
    closeAll();
    await pair.stop();
    await redis.stop();
  }
}

const rows = [];
for (const adapter of args.adapters.split(",")) {
  for (const members of args.members.split(",").map(Number)) {
    for (const kind of args.kinds.split(",")) {
      const runs = [];
      for (let i = 0; i < Number(args.repeat); i++) {
        const row = await run(kind, adapter, members);
        console.log(`cluster: ${JSON.stringify(row)}`);
        runs.push(row);
      }
      runs.sort((x, y) => x.receiver_us_per_broadcast - y.receiver_us_per_broadcast);
      const median = runs[Math.floor(runs.length / 2)];
      median.receiver_us_per_broadcast_runs = runs.map((r) => r.receiver_us_per_broadcast);
      rows.push(median);
    }
  }
}

// The floor under B's number on this machine: a process that does nothing but wake up for each
// burst, read it from one loopback connection and write it to another (sio-wake-floor), with
// bursts of the same count every TICK_MS; median of --repeat runs.
function wakeFloor() {
  const binary = path.join(process.env.SIO_BIN_DIR ?? path.join(here, "..", "..", "build", "bin"), "sio-wake-floor");
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const runs = [];
  for (let i = 0; i < Number(args.repeat); i++) {
    const out = execFileSync(binary, ["--messages", String(perTick), "--interval-ms", String(TICK_MS)], {
      encoding: "utf8",
    });
    const [, wake, message] = out.match(/([\d.]+) µs per wake-up, ([\d.]+) µs per message/);
    runs.push({ us_per_wake: Number(wake), us_per_broadcast: Number(message) });
  }
  runs.sort((x, y) => x.us_per_broadcast - y.us_per_broadcast);
  return { burst: perTick, ...runs[Math.floor(runs.length / 2)], runs: runs.map((r) => r.us_per_broadcast) };
}
const floor = wakeFloor();

const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
const day = new Date().toISOString().slice(0, 10);
const base = path.join(args.out, `${day}-${stamp.slice(9)}-cluster`);
mkdirSync(args.out, { recursive: true });
const machine = `${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
writeFileSync(
  `${base}.json`,
  JSON.stringify({ scenario: "cluster", machine, rate, seconds, repeat: Number(args.repeat), floor, rows }, null, 2),
);
const md = [
  "# cluster: broadcasts from server A delivered by server B (one Redis)",
  "",
  `${rate} broadcasts/s for ${seconds} s from A to a room whose members are all on B; ${machine}.`,
  `Each pair ran ${args.repeat} times; the run with the median B CPU is shown, all runs' B CPU in the last column.`,
  "Receiver CPU: B's on-CPU time (all threads, from /proc/<pid>/task/*/schedstat) divided by the broadcasts.",
  "",
  "sio: sio-cluster-server (the library with the adapter, no application). sio-server: the application with its",
  "SQLite store, recovery and limits on; A stores each chat message before broadcasting it (A's CPU includes that).",
  `sio-server-full-log: the same with a ${FULL_LOG_WINDOW_MS / 1000}-second recovery window, measured after ${FULL_LOG_WINDOW_MS / 1000 + 1} s of`,
  "broadcasts: B's log is full and drops its oldest broadcast for each new one, as a server that has run longer than",
  "its window does (the sio-server row is a fresh server, whose log grows through the run). The streams adapter keeps",
  "recovery in Redis, so both rows measure the same there.",
  "",
  "| adapter | members on B | server | deliveries/s | lost | B CPU µs / broadcast | A CPU µs / broadcast | ratio Node/this (B CPU) | B CPU of each run |",
  "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
];
for (const row of rows) {
  const node = rows.find((r) => r.adapter === row.adapter && r.members === row.members && r.kind === "node");
  const ratio = row.kind !== "node" && node ? `${(node.receiver_us_per_broadcast / row.receiver_us_per_broadcast).toFixed(2)}×` : "";
  md.push(
    `| ${row.adapter} | ${row.members} | ${row.kind} | ${row.deliveries_per_s} | ${row.lost} | ${row.receiver_us_per_broadcast} | ${row.sender_us_per_broadcast} | ${ratio} | ${row.receiver_us_per_broadcast_runs.join(", ")} |`,
  );
}
md.push(
  "",
  `Floor (sio-wake-floor: a process that only wakes for each burst of ${floor.burst}, reads it and writes it on): ` +
    `${floor.us_per_wake} µs per wake-up, ${floor.us_per_broadcast} µs per broadcast (runs: ${floor.runs.join(", ")}).`,
);
writeFileSync(`${base}.md`, md.join("\n") + "\n");
console.log(md.join("\n"));
process.exit(0);
