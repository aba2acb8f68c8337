// Servers of a test cluster sharing one Redis (or one Redis Cluster): sio-cluster-server processes
// and the Node reference server (tests/js/cluster/node), started on free ports and reachable the
// same way.
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

// The Node reference server in the cluster of `redis`; same interface as startServer's. `args`:
// more options of node/server.mjs (e.g. ["--adapter", "sharded", "--cluster"]).
export async function startNode(redis, name, args = []) {
  const adapters = ["redis-adapter", "redis-streams-adapter"];
  if (!adapters.every((a) => existsSync(path.join(nodeDir, "node_modules", "@socket.io", a)))) {
    throw new Error(`the Node reference server is not installed: run "npm ci" in ${nodeDir}`);
  }
  const proc = spawn(
    process.execPath,
    [path.join(nodeDir, "server.mjs"), "--port", "0", "--redis-url", redis.url, "--name", name, ...args],
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

// A client of `server` on namespace `nsp`, in `rooms` (joined through the test API). When the
// server has an awaitRoom hook (see roomSubscriptions), also waits until the other servers can
// reach it through each room.
export async function member(server, rooms = [], nsp = "/") {
  const socket = await connect(server.url + nsp, { transports: ["websocket"] });
  if (rooms.length) {
    await socket.emitWithAck("join", rooms);
    if (server.awaitRoom) await Promise.all(rooms.map((room) => server.awaitRoom(nsp, room)));
  }
  return socket;
}

// Sharded adapters in a dynamic subscription mode broadcast to one room on the room's own channel
// (<prefix>#<nsp>#<room>#), which a server subscribes to when the room gets its first local member,
// without waiting for Redis: a broadcast from another server right after a join could miss it.
// watch(server) gives the server an awaitRoom hook, which member() calls after a join: it counts
// the servers with a member of the room (since the last clear()) and waits until that many
// connections of `redisCluster` are subscribed to the room's channel.
export function roomSubscriptions(redisCluster, { mode = "dynamic", prefix = "socket.io" } = {}) {
  const servers = new Map(); // channel → the servers with a member of its room
  return {
    watch(server) {
      server.awaitRoom = async (nsp, room) => {
        if (mode === "static") return;
        // A 20-character room looks like a socket id: dynamic mode broadcasts it on the main channel.
        if (mode === "dynamic" && room.length === 20) return;
        const channel = `${prefix}#${nsp}#${room}#`;
        const members = servers.get(channel) ?? new Set();
        members.add(server);
        servers.set(channel, members);
        await redisCluster.waitForShardSubscribers(channel, members.size, 5000);
      };
      return server;
    },
    clear: () => servers.clear(),
  };
}

// Records every `event` each socket gets; `received(socket)` returns the argument arrays.
export function recorder(sockets, event) {
  const seen = new Map(sockets.map((s) => [s, []]));
  for (const socket of sockets) socket.on(event, (...args) => seen.get(socket).push(args));
  return (socket) => seen.get(socket);
}

// Broadcasts "fence" to every socket of the namespace through `via` and waits until all of
// `sockets` got it. Redis keeps the order of one publisher's messages on one channel, so whatever
// `via`'s server broadcast before on the fence's channel has reached them by then: what they did
// not get, they never will. Sharded Pub/Sub spreads a namespace's channels (the room channels of
// dynamic subscriptions) over several Redis nodes, which keep no order between them: there,
// `quietMs` > 0 also waits that long after the fence, for what took another path.
export async function fence(via, sockets, quietMs = 0) {
  const token = Math.random().toString(36).slice(2);
  const arrivals = sockets.map((s) => waitFor(s, "fence", (t) => t === token));
  await via.emitWithAck("broadcast", { event: "fence", args: [token] });
  await Promise.all(arrivals);
  if (quietMs > 0) await new Promise((resolve) => setTimeout(resolve, quietMs));
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
