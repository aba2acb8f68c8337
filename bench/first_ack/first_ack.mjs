// Connect → first ack, with the official socket.io-client and its default transports (polling,
// then the upgrade to WebSocket): a fresh io() emits `join-room` at once and waits for the ack,
// which crosses the upgrade. Runs `--runs` clients one after another (each closed before the
// next) and prints JSON: p50, p90, p99, max in ms, and the share of clients upgraded by the ack.
//
//   node bench/first_ack/first_ack.mjs --url http://127.0.0.1:3000 --secret S [--runs 300]
import { createHmac } from "node:crypto";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    secret: { type: "string" },
    runs: { type: "string", default: "300" },
    label: { type: "string", default: "" },
  },
});

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const token = (sub) => {
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${body}.${createHmac("sha256", args.secret).update(body).digest("base64url")}`;
};

const once = (i) =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    const socket = io(args.url, { forceNew: true, reconnection: false, auth: { token: token(`u${i}`) } });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no ack within 5 s (run ${i})`));
    }, 5000);
    socket.on("connect_error", (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.emit("join-room", "1", () => {
      const ms = performance.now() - start;
      const upgraded = socket.io.engine.transport.name === "websocket";
      clearTimeout(timer);
      socket.close();
      resolve({ ms, upgraded });
    });
  });

const runs = Number(args.runs);
const samples = [];
for (let i = 0; i < 10; i++) await once(`warm${i}`); // JIT and caches on both sides
for (let i = 0; i < runs; i++) samples.push(await once(i));
const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (x) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    label: args.label,
    runs,
    p50_ms: round(at(50)),
    p90_ms: round(at(90)),
    p99_ms: round(at(99)),
    max_ms: round(sorted.at(-1)),
    upgraded_by_ack: round(samples.filter((s) => s.upgraded).length / runs),
  }),
);
