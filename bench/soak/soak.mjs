// Churn soak of a running sio-server (bench/soak/run.sh starts a fresh one and calls this).
//
// A population of socket.io-client users, mixed WebSocket / polling with upgrade / polling,
// lives for --minutes: messages to rooms at a steady rate (acked), room joins and leaves,
// random transport drops (the client reconnects by itself, and the server should recover its
// socket), and every --storm-every seconds a storm in which part of the population drops at
// once or disconnects and comes back. The ledger (ledger.mjs) tells which member was owed each
// acked message and whether it got it, once; the server is sampled every --sample-every
// seconds. Results: <results>/<stamp>-soak.json and .md. Exit status 1 when a delivery owed to
// a member was lost or duplicated, a recovery that was due failed, a client could not come back,
// or the server died.
//
//   JWT_ACCESS_SECRET=… node bench/soak/soak.mjs --url http://127.0.0.1:PORT --pid PID [options]
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { claimsFor, signJwt } from "../../tests/js/helpers/app.mjs";
import { Ledger } from "./ledger.mjs";
import { summarize, writeReport } from "./report.mjs";
import { ServerSampler } from "./server_sampler.mjs";
import { ACK_TIMEOUT_MS, SoakClient, shuffled } from "./soak_client.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const clock = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    pid: { type: "string" },
    minutes: { type: "string", default: "30" },
    clients: { type: "string", default: "300" },
    rooms: { type: "string", default: "20" },
    "max-rooms": { type: "string", default: "3" },
    rate: { type: "string", default: "10" },
    "drops-per-minute": { type: "string", default: "30" },
    "room-changes": { type: "string", default: "2" },
    "storm-every": { type: "string", default: "180" },
    "storm-first": { type: "string", default: "60" },
    "storm-share": { type: "string", default: "0.3" },
    "websocket-share": { type: "string", default: "0.5" },
    "polling-share": { type: "string", default: "0.1" },
    "sample-every": { type: "string", default: "10" },
    "recovery-window": { type: "string", default: "120000" },
    "server-log": { type: "string" },
    results: { type: "string", default: path.join(here, "../results") },
    stamp: { type: "string" },
  },
});

const options = {
  minutes: Number(args.minutes),
  clients: Number(args.clients),
  rooms: Number(args.rooms),
  maxRooms: Number(args["max-rooms"]),
  rate: Number(args.rate),
  dropsPerMinute: Number(args["drops-per-minute"]),
  roomChanges: Number(args["room-changes"]),
  stormEvery: Number(args["storm-every"]),
  stormFirst: Number(args["storm-first"]),
  stormShare: Number(args["storm-share"]),
  websocketShare: Number(args["websocket-share"]),
  pollingShare: Number(args["polling-share"]),
  sampleEvery: Number(args["sample-every"]),
  recoveryWindowMs: Number(args["recovery-window"]),
};
const secret = process.env.JWT_ACCESS_SECRET;
const bad = Object.entries(options).filter(([, v]) => !Number.isFinite(v) || v < 0);
if (!args.url || !args.pid || !secret || bad.length > 0 || options.clients < 1 || options.rooms < 1 || options.maxRooms < 1) {
  console.error("usage: JWT_ACCESS_SECRET=… node bench/soak/soak.mjs --url URL --pid PID [--minutes N] [--clients N] …");
  if (bad.length > 0) console.error(`soak: invalid ${bad.map(([k]) => k).join(", ")}`);
  process.exit(2);
}

// --- counters ------------------------------------------------------------------------------------
const stats = {
  groups: {},  // group -> {key -> count}
  errors: {},
  recoveryGapsMs: [],
  storms: 0,
  count(group, key) {
    const g = (this.groups[group] ??= {});
    g[key] = (g[key] ?? 0) + 1;
  },
  error(kind) {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  },
};

const ledger = new Ledger(options.clients);
const sampler = new ServerSampler({ pid: Number(args.pid), url: args.url });
const samples = [];
let fatal = null;
let clients = [];

async function takeSample(phase) {
  const sample = await sampler.sample();
  Object.assign(sample, {
    phase,
    at: clock(),
    clientsConnected: clients.filter((c) => c.connected || c.state === "done").length,
    posted: ledger.sends.length,
  });
  samples.push(sample);
  if (sample.error) stats.error(sample.error);
  if (!sampler.alive()) fatal = "the server process exited";
  return sample;
}

// --- set-up --------------------------------------------------------------------------------------
async function createRooms() {
  const token = signJwt(claimsFor("soak-owner"), secret);
  const ids = [];
  for (let i = 0; i < options.rooms; i++) {
    const res = await fetch(`${args.url}/api/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `soak-${i}`, public: true }),
    });
    if (res.status !== 201) throw new Error(`POST /api/rooms: ${res.status} ${await res.text()}`);
    ids.push((await res.json()).id);
  }
  return ids;
}

function transportOf(index) {
  const x = (index + 0.5) / options.clients;
  if (x < options.websocketShare) return "websocket";
  if (x < options.websocketShare + options.pollingShare) return "polling";
  return "polling+upgrade";
}

async function connectPopulation(roomIds) {
  // Tokens outlive the run (and the drain) so that every reconnection passes the middleware.
  const exp = Math.floor(Date.now() / 1000) + Math.ceil(options.minutes * 60) + 3600;
  clients = Array.from({ length: options.clients }, (_, index) => {
    const token = signJwt(claimsFor(`soak-u${index}`, { exp }), secret);
    return new SoakClient({
      index,
      url: args.url,
      token,
      transport: transportOf(index),
      ledger,
      stats,
      recoveryWindowMs: options.recoveryWindowMs,
      roomIds,
      maxRooms: options.maxRooms,
    });
  });
  for (let i = 0; i < clients.length; i += 20) {
    clients.slice(i, i + 20).forEach((c) => c.start());
    await sleep(200);
  }
  const deadline = clock() + 120000;
  while (!clients.every((c) => c.connected && c.rooms.size > 0)) {
    if (clock() > deadline || fatal) throw new Error("the population did not connect and join rooms within 120 s");
    await sleep(100);
  }
}

// --- churn ---------------------------------------------------------------------------------------
function pickConnected(accept = () => true) {
  for (let tries = 0; tries < 50; tries++) {
    const c = clients[Math.floor(Math.random() * clients.length)];
    if (c.connected && accept(c)) return c;
  }
  return null;
}

function storm() {
  stats.storms++;
  const victims = shuffled(clients.filter((c) => c.connected));
  const n = Math.round(options.stormShare * clients.length);
  let dropped = 0;
  let returning = 0;
  victims.slice(0, n).forEach((c, i) => {
    if (i % 2 === 0) dropped += c.drop() ? 1 : 0;
    else {
      returning++;
      c.disconnectAndReturn(500 + Math.random() * 4500);
    }
  });
  console.log(`[${minutesSoFar()} min] storm ${stats.storms}: ${dropped} transport drops, ${returning} disconnect + reconnect`);
}

let churnStart = 0;
const minutesSoFar = () => ((clock() - churnStart) / 60000).toFixed(1).padStart(4);

async function churn() {
  const done = { posts: 0, roomChanges: 0, drops: 0 };
  let nextStorm = churnStart + options.stormFirst * 1000;
  const end = churnStart + options.minutes * 60000;
  while (clock() < end && !fatal) {
    const elapsed = (clock() - churnStart) / 1000;
    for (; done.posts < Math.floor(elapsed * options.rate); done.posts++) {
      const c = pickConnected((x) => x.rooms.size > 0);
      if (!c?.post()) stats.count("churn", "post skipped (no connected member found)");
    }
    for (; done.roomChanges < Math.floor(elapsed * options.roomChanges); done.roomChanges++) {
      pickConnected()?.changeRooms();
    }
    for (; done.drops < Math.floor((elapsed * options.dropsPerMinute) / 60); done.drops++) {
      pickConnected()?.drop();
    }
    if (options.stormEvery > 0 && clock() >= nextStorm) {
      storm();
      nextStorm += options.stormEvery * 1000;
    }
    await sleep(50);
  }
}

function progress(sample) {
  const g = stats.groups;
  const errors = Object.values(stats.errors).reduce((a, b) => a + b, 0);
  console.log(
    `[${minutesSoFar()} min] rss ${(sample.rssKb / 1024).toFixed(1)} MiB, fds ${sample.fds}, sessions ${sample.sessions}, ` +
      `cpu ${sample.cpuPercent}% | clients ${sample.clientsConnected}/${clients.length} | posted ${ledger.sends.length}, ` +
      `received ${ledger.received} | drops ${g.churn?.["transport drop"] ?? 0}, recovered ${g.reconnects?.recovered ?? 0}, ` +
      `fresh ${Object.entries(g.reconnects ?? {}).filter(([k]) => k !== "recovered").reduce((a, [, v]) => a + v, 0)} | errors ${errors}`,
  );
}

// --- end of the run ------------------------------------------------------------------------------
async function drain() {
  const ackDeadline = clock() + ACK_TIMEOUT_MS + 5000;
  while (ledger.pending > 0 && clock() < ackDeadline) await sleep(100);
  const results = await Promise.all(clients.map((c) => c.finish(clock() + 90000)));
  const missing = results.filter((ok) => !ok).length;
  if (missing > 0) stats.error("client not connected and synced at the end");
  return missing;
}

async function closeAll() {
  clients.forEach((c) => c.close());
  const deadline = clock() + 15000;
  while (clock() < deadline && !fatal) {
    try {
      const values = await sampler.metrics();
      if (values.sio_connections === 0) break;
    } catch {
      break;
    }
    await sleep(250);
  }
  await sleep(2000);  // sockets closing, memory returned
}

function serverLog() {
  const summary = { lines: 0, warnings: 0, errors: 0, samples: [] };
  if (!args["server-log"]) return summary;
  let text = "";
  try {
    text = readFileSync(args["server-log"], "utf8");
  } catch {
    return summary;
  }
  for (const line of text.split("\n")) {
    if (!line) continue;
    summary.lines++;
    const level = /\[(warning|error|critical)\]/.exec(line)?.[1];
    if (!level) continue;
    if (level === "warning") summary.warnings++;
    else summary.errors++;
    if (summary.samples.length < 10) summary.samples.push(line.slice(0, 200));
  }
  return summary;
}

function verdictOf(evaluation, missing) {
  const reasons = [];
  const d = evaluation.deliveries;
  if (fatal) reasons.push(fatal);
  if (d.lost > 0) reasons.push(`${d.lost} of ${d.expected} deliveries lost`);
  if (d.duplicated > 0) reasons.push(`${d.duplicated} deliveries duplicated`);
  const failed = stats.groups.reconnects?.["fresh, recovery failed"] ?? 0;
  if (failed > 0) reasons.push(`${failed} recoveries failed`);
  if (missing > 0) reasons.push(`${missing} clients not back at the end`);
  if (!fatal && evaluation.messages.acked === 0) reasons.push("no message was acknowledged");
  return { pass: reasons.length === 0, reasons };
}

function percentiles(values) {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: Math.round(sorted[Math.floor(sorted.length / 2)]), max: Math.round(sorted.at(-1)) };
}

// --- main ----------------------------------------------------------------------------------------
const startedAt = new Date();
const loadStart = os.loadavg()[0].toFixed(2);
const stamp = args.stamp ?? startedAt.toISOString().slice(0, 19).replace("T", "-").replace(/:/g, "");
let missing = 0;
let sampleTimer = null;
try {
  await takeSample("before");
  const roomIds = await createRooms();
  console.log(`soak: ${options.clients} clients, ${options.rooms} rooms, ${options.minutes} min against ${args.url} (pid ${args.pid})`);
  await connectPopulation(roomIds);
  churnStart = clock();
  ledger.startedAt = churnStart;
  progress(await takeSample("start"));
  let samplesTaken = 0;
  sampleTimer = setInterval(async () => {
    const sample = await takeSample("churn");
    if (++samplesTaken % Math.max(1, Math.round(60 / options.sampleEvery)) === 0) progress(sample);
  }, options.sampleEvery * 1000);
  await churn();
  clearInterval(sampleTimer);
  if (!fatal) {
    console.log(`[${minutesSoFar()} min] churn over: waiting for the last acks, reconnections and syncs`);
    missing = await drain();
    await takeSample("end");
  }
} catch (err) {
  fatal ??= err.message;
} finally {
  clearInterval(sampleTimer);
}
const evaluation = ledger.evaluate((i) => clients[i].describe());
if (!fatal) {
  await closeAll();
  await takeSample("after");
}

const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  options,
  server: { url: args.url, pid: Number(args.pid) },
  machine: { cpus: os.cpus().length, loadStart, loadEnd: os.loadavg()[0].toFixed(2), node: process.version },
  transports: clients.reduce((acc, c) => ({ ...acc, [c.transport]: (acc[c.transport] ?? 0) + 1 }), {}),
  verdict: verdictOf(evaluation, missing),
  evaluation,
  churn: { ...stats.groups, storms: stats.storms, recoveryGapMs: percentiles(stats.recoveryGapsMs) },
  errors: stats.errors,
  serverLog: serverLog(),
  samples: samples.map(({ at, ...s }) => ({ t: round((at - (churnStart || at)) / 1000), ...s })),
};
const files = writeReport(report, args.results, stamp);
console.log(summarize(report));
console.log(`results: ${files.join(", ")}`);
clients.forEach((c) => c.close());
process.exit(report.verdict.pass ? 0 : 1);
