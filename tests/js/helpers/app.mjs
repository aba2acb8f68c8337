// Helpers for the sio-server (chat & notification application) integration tests: an HS256 JWT
// signer and forged tokens, a server started on a fresh SQLite database with a random secret,
// user sockets that record every event from the first packet on, a REST helper, and readers for
// /metrics, the SQLite file and the process's memory.
import { createHmac, randomBytes } from "node:crypto";
import https from "node:https";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.mjs";
import { client, whenConnected, until } from "./socketio.mjs";

// ---------------------------------------------------------------------------------------------
// JWT

export const base64url = (data) =>
  Buffer.from(typeof data === "string" || Buffer.isBuffer(data) ? data : JSON.stringify(data)).toString("base64url");

const hmac = (secret, input) => createHmac("sha256", secret).update(input).digest();

export const nowSeconds = () => Math.floor(Date.now() / 1000);

// A compact JWT: base64url(header).base64url(payload).base64url(HMAC-SHA256(secret, first two)).
// `header` defaults to {"alg":"HS256","typ":"JWT"}; pass another to forge one.
export function signJwt(payload, secret, header = { alg: "HS256", typ: "JWT" }) {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${base64url(hmac(secret, input))}`;
}

// The claims of a valid token for `sub` (one hour), with `extra` merged in (role, exp, nbf…).
export const claimsFor = (sub, extra = {}) => ({ sub, iat: nowSeconds(), exp: nowSeconds() + 3600, ...extra });

// Tokens the server must refuse ("Invalid token"), each named after what is wrong with it.
export function forgedTokens(secret, sub = "mallory") {
  const claims = claimsFor(sub);
  const unsigned = (header, payload) => `${base64url(header)}.${base64url(payload)}`;
  return {
    "a bad signature (another secret)": signJwt(claims, `${secret}-not`),
    "a tampered payload (signature of other claims)": (() => {
      const [h, , s] = signJwt(claims, secret).split(".");
      return `${h}.${base64url({ ...claims, role: "admin" })}.${s}`;
    })(),
    'alg "none" and no signature': `${unsigned({ alg: "none", typ: "JWT" }, claims)}.`,
    'alg "none" with a valid HS256 signature': signJwt(claims, secret, { alg: "none", typ: "JWT" }),
    "an RS256 header with an HMAC signature (alg confusion)": signJwt(claims, secret, { alg: "RS256", typ: "JWT" }),
    "exp in the past": signJwt({ ...claims, iat: nowSeconds() - 7200, exp: nowSeconds() - 60 }, secret),
    "nbf in the future": signJwt({ ...claims, nbf: nowSeconds() + 3600 }, secret),
    "a non-numeric exp": signJwt({ ...claims, exp: String(nowSeconds() + 3600) }, secret),
    "a random string": randomBytes(24).toString("hex"),
    "two parts only": unsigned({ alg: "HS256", typ: "JWT" }, claims),
    "four parts": `${signJwt(claims, secret)}.extra`,
    "a payload that is not JSON": (() => {
      const input = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url("not json")}`;
      return `${input}.${base64url(hmac(secret, input))}`;
    })(),
    "no sub claim": signJwt({ iat: nowSeconds(), exp: nowSeconds() + 3600 }, secret),
    "a numeric sub": signJwt({ ...claims, sub: 42 }, secret),
    "an empty sub": signJwt({ ...claims, sub: "" }, secret),
  };
}

export const randomSecret = () => randomBytes(32).toString("hex");

// ---------------------------------------------------------------------------------------------
// Server

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// The sio-server binary (SIO_BIN_DIR, as server.mjs uses, else build/bin).
export const serverBinary = path.join(process.env.SIO_BIN_DIR ?? path.join(repoRoot, "build/bin"), "sio-server");

export const freshDir = () => mkdtempSync(path.join(tmpdir(), "sio-app-test-"));

// sio-server on PORT=0 with a random JWT_ACCESS_SECRET and DATABASE_URL=sqlite:<dir>/test.db.
// `dir` reuses a directory (its test.db), which stop() then leaves in place; a directory made here
// is removed by stop(). The returned server also has: secret, dir, dbPath, token(sub, extra).
// For tests that pump messages faster than people type (traffic, seeding, floods): sio-server's
// per-socket event rate limit (20/s by default) would refuse most of them. The limit itself is
// tested in app/rate_limit.test.mjs.
export const NO_EVENT_RATE_LIMIT = { SIO_EVENT_RATE: "0" };

export async function startApp({ env = {}, args = [], dir, secret = randomSecret() } = {}) {
  const ownDir = !dir;
  dir ??= freshDir();
  const dbPath = path.join(dir, "test.db");
  const server = await startServer("sio-server", {
    args,
    env: { JWT_ACCESS_SECRET: secret, DATABASE_URL: `sqlite:${dbPath}`, SIO_DEV: "", FRONTEND_URL: "", REDIS_URL: "", ...env },
  });
  const stop = server.stop;
  return Object.assign(server, {
    secret,
    dir,
    dbPath,
    token: (sub, extra) => signJwt(claimsFor(sub, extra), secret),
    async stop() {
      try {
        return await stop();
      } finally {
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Sockets

// Records every event the server sends to `socket` (socket.inbox: [{event, args}]), from the
// first packet on: events sent right after the connection (notifications) are not missed.
// With connection state recovery (sio-server's default) the server appends an offset to the
// events it could replay, and the client takes the last string argument of any event for one
// once the server gave it a private session id (`_pid`): the inbox leaves it out the same way,
// so that it holds what the application sent.
export function withInbox(socket) {
  socket.inbox = [];
  socket.onAny((event, ...args) => {
    if (socket._pid && typeof args.at(-1) === "string") args.pop();
    socket.inbox.push({ event, args });
  });
  return socket;
}

// The argument lists of every `event` a socket made by userSocket received so far.
export const received = (socket, event) => socket.inbox.filter((e) => e.event === event).map((e) => e.args);

// Resolves with the args of the `n`-th `event` (1-based) a socket received, waiting for it.
export async function nth(socket, event, n = 1, timeoutMs = 5000) {
  await until(() => received(socket, event).length >= n, timeoutMs, `${n} '${event}' event(s) on ${socket.userId}`);
  return received(socket, event)[n - 1];
}

// A socket (not yet connected) for user `sub` on the main namespace or `nsp`, with a valid token
// in `auth` (unless `auth` or `token` is given) and an inbox.
export function userSocket(server, sub, { claims, nsp = "", token, ...options } = {}) {
  const auth = options.auth ?? { token: token ?? server.token(sub, claims) };
  const socket = withInbox(client(server.url + nsp, { ...options, auth }));
  socket.userId = sub;
  return socket;
}

export async function connectAs(server, sub, options = {}) {
  return whenConnected(userSocket(server, sub, options));
}

// Resolves with the reason of the socket's next disconnect.
export const disconnected = (socket, timeoutMs = 5000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no disconnect within ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });

// ---------------------------------------------------------------------------------------------
// HTTP

// fetch() for a server whose certificate the CA `ca` (PEM) signed (fetch itself trusts only the
// system's CAs): what api() reads of a response.
function fetchTrusting(ca, url, init) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method, headers: init.headers, ca }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: new Headers(res.headers), text: async () => body }),
      );
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

// A request to the server (over HTTPS when `server.ca` is set, trusting that CA): {status,
// headers, text, body (parsed JSON when it is JSON)}. `body` is
// sent as JSON unless it is a string (then as is).
export async function api(server, method, urlPath, { token, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["content-type"] ??= "application/json";
  }
  const res = server.ca ? await fetchTrusting(server.ca, server.url + urlPath, init) : await fetch(server.url + urlPath, init);
  const text = await res.text();
  let parsed;
  if ((res.headers.get("content-type") ?? "").includes("json")) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

// Creates a room as `owner` through the REST API; resolves with the room record.
export async function createRoom(server, owner, { name = `room-${randomBytes(3).toString("hex")}`, isPublic = false } = {}) {
  const res = await api(server, "POST", "/api/rooms", { token: server.token(owner), body: { name, public: isPublic } });
  if (res.status !== 201) throw new Error(`POST /api/rooms: ${res.status} ${res.text}`);
  return res.body;
}

export async function addMember(server, by, roomId, userId) {
  const res = await api(server, "POST", `/api/rooms/${roomId}/members`, { token: server.token(by), body: { userId } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`add member: ${res.status} ${res.text}`);
  return res.body;
}

// Prometheus text as {"name{labels}": value}.
export function parseMetrics(text) {
  const values = {};
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    values[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return values;
}

// /metrics as {"name{labels}": value}.
export async function metrics(server) {
  const res = await fetch(`${server.url}/metrics`);
  return parseMetrics(await res.text());
}

// ---------------------------------------------------------------------------------------------
// Process and database

// Resident memory of a process in bytes (Linux /proc).
export function rssBytes(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

// The output of the sqlite3 CLI for one statement, trimmed. The busy timeout covers the moments
// the server holds a lock (its WAL checkpoints).
export const sqlite = (dbPath, sql) =>
  execFileSync("sqlite3", ["-cmd", ".timeout 5000", dbPath, sql], { encoding: "utf8" }).trim();

// Retries an async assertion every 20 ms until it passes; rethrows its last failure after `timeoutMs`.
export async function eventually(check, timeoutMs = 3000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
