// Real redis-server processes for the tests: each on a free port, without persistence, killed
// when the test is done (and killable mid-test, then restarted on the same port, to test faults).
import { spawn } from "node:child_process";
import net from "node:net";
import { sleep } from "./server.mjs";

// A TCP port nobody listens on right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function spawnRedis(port) {
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
    { stdio: "ignore" },
  );
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  // Ready once it answers PING (its log stays quiet below warnings).
  const ready = (async () => {
    const deadline = performance.now() + 10000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`redis-server on port ${port} exited (code ${proc.exitCode}, signal ${proc.signalCode})`);
      }
      if ((await redisCommand(port, "PING").catch(() => null)) === "PONG") return;
      if (performance.now() > deadline) throw new Error(`redis-server on port ${port} not ready within 10 s`);
      await sleep(20);
    }
  })();
  return { proc, exited, ready };
}

// One command over a fresh connection (arguments: strings, numbers or Buffers); resolves with the
// reply (arrays, strings and integers).
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ port, host: "127.0.0.1" });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error("redis command timed out")));
    socket.on("error", reject);
    socket.on("connect", () => {
      const parts = [Buffer.from(`*${args.length}\r\n`)];
      for (const arg of args) {
        const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
        parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
      }
      socket.write(Buffer.concat(parts));
    });
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const parsed = parseReply(buffer, 0);
      if (!parsed) return;
      socket.end();
      if (parsed.value instanceof Error) reject(parsed.value);
      else resolve(parsed.value);
    });
  });
}

// A RESP2 reply at `offset`: {value, end}, or null when incomplete.
function parseReply(buffer, offset) {
  const lineEnd = buffer.indexOf("\r\n", offset);
  if (lineEnd < 0) return null;
  const kind = String.fromCharCode(buffer[offset]);
  const line = buffer.toString("utf8", offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case "+":
      return { value: line, end: next };
    case "-":
      return { value: new Error(line), end: next };
    case ":":
      return { value: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return null;
      return { value: buffer.toString("utf8", next, next + length), end: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      const items = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return null;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      return { value: new Error(`unexpected RESP type ${kind}`), end: next };
  }
}

// A running redis-server on a free port.
export async function startRedis() {
  const port = await freePort();
  let current = spawnRedis(port);
  await current.ready;

  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    command: (...args) => redisCommand(port, ...args),
    async numsub(channel) {
      const [, count] = await redisCommand(port, "PUBSUB", "NUMSUB", channel);
      return Number(count);
    },
    // Resolves once `channel` has at least `count` subscribers (servers ready to be reached).
    async waitForSubscribers(channel, count, timeoutMs = 10000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const n = await redis.numsub(channel).catch(() => 0);
        if (n >= count) return n;
        if (performance.now() > deadline) throw new Error(`${channel} has ${n} subscribers, not ${count}, after ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    // Kills the server as a crash would (SIGKILL by default).
    async kill(signal = "SIGKILL") {
      if (current.proc.exitCode === null && current.proc.signalCode === null) current.proc.kill(signal);
      await current.exited;
    },
    // Stops the server without closing its connections (SIGSTOP), as a hung or unreachable
    // host would look; thaw() lets it go on.
    freeze: () => current.proc.kill("SIGSTOP"),
    thaw: () => current.proc.kill("SIGCONT"),
    // Starts a fresh server on the same port (after kill()).
    async restart() {
      current = spawnRedis(port);
      await current.ready;
    },
    async stop() {
      await redis.kill("SIGTERM");
    },
  };
  return redis;
}
