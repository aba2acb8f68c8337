// Servers of a test cluster sharing one Redis: sio-cluster-server processes and the Node
// reference server (tests/js/cluster/node), started on free ports and reachable the same way.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startServer } from "../helpers/server.mjs";
import { connect, next, until } from "../helpers/socketio.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const nodeDir = path.join(here, "node");
export const REQUEST_CHANNEL = "socket.io-request#/#";

// A sio-cluster-server in the cluster of `redis`.
export function startSio(redis, name, args = []) {
  return startServer("sio-cluster-server", { args: ["--redis-url", redis.url, "--name", name, ...args] });
}

// The Node reference server in the cluster of `redis`; same interface as startServer's.
export async function startNode(redis, name) {
  if (!existsSync(path.join(nodeDir, "node_modules", "@socket.io", "redis-adapter"))) {
    throw new Error(`the Node reference server is not installed: run "npm ci" in ${nodeDir}`);
  }
  const proc = spawn(
    process.execPath,
    [path.join(nodeDir, "server.mjs"), "--port", "0", "--redis-url", redis.url, "--name", name],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = [];
  createInterface({ input: proc.stdout }).on("line", (line) => lines.push(line));
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const waitForLine = async (regex, timeoutMs = 5000) => {
    await until(() => lines.some((l) => regex.test(l)), timeoutMs, `a line matching ${regex}`);
    return lines.find((l) => regex.test(l)).match(regex);
  };
  const match = await Promise.race([
    waitForLine(/^listening on port (\d+)$/, 15000),
    exited.then(({ code, signal }) => {
      throw new Error(`node server exited before listening (code ${code}, signal ${signal})`);
    }),
  ]);
  const port = Number(match[1]);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    lines,
    waitForLine,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

// A client of `server` on namespace `nsp`, in `rooms` (joined through the test API).
export async function member(server, rooms = [], nsp = "/") {
  const socket = await connect(server.url + nsp, { transports: ["websocket"] });
  if (rooms.length) await socket.emitWithAck("join", rooms);
  return socket;
}

// Records every `event` each socket gets; `received(socket)` returns the argument arrays.
export function recorder(sockets, event) {
  const seen = new Map(sockets.map((s) => [s, []]));
  for (const socket of sockets) socket.on(event, (...args) => seen.get(socket).push(args));
  return (socket) => seen.get(socket);
}

// Broadcasts "fence" to every socket of the namespace through `via` and waits until all of
// `sockets` got it. Redis keeps the order of one publisher's messages, so whatever `via`'s
// server broadcast before has reached them by then: what they did not get, they never will.
export async function fence(via, sockets) {
  const token = Math.random().toString(36).slice(2);
  const arrivals = sockets.map((s) => waitFor(s, "fence", (t) => t === token));
  await via.emitWithAck("broadcast", { event: "fence", args: [token] });
  await Promise.all(arrivals);
}

// Resolves with the args of the first `event` on `socket` whose first argument passes `test`.
export function waitFor(socket, event, test = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => {
      if (!test(...args)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(args);
    };
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no matching '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, handler);
  });
}

export { next };
