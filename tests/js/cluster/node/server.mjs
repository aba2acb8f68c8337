// The Node reference peer of the cluster tests: socket.io 4.8 with @socket.io/redis-adapter 8.3
// or @socket.io/redis-streams-adapter 0.3 on node-redis v4, serving the same test API as
// sio-cluster-server, so that a test can drive either server the same way and mix them in one
// cluster.
//
//   node server.mjs --port 0 --redis-url redis://127.0.0.1:6379 --name node
//     [--adapter classic|sharded|streams] [--subscription-mode static|dynamic|dynamic-private]
//     [--cluster] [--recovery MS] [--max-len N]
//
// --adapter sharded: createShardedAdapter (SPUBLISH/SSUBSCRIBE, Redis 7), with --subscription-mode
// (default, as in the adapter: dynamic). --cluster: --redis-url names a node of a Redis Cluster.
// --adapter streams: the Redis Streams adapter (stream "<key>", at most about --max-len entries).
// --recovery MS: connection state recovery with a window of MS ms (0, the default: off).
//
// Every socket has data {server: <--name>}, set by a middleware: a recovered socket skips
// middlewares and keeps the data of its session.
//
// stdout: "listening on port N" once Redis has the adapter's subscriptions, then
// "connect <nsp> <id>", "disconnect <nsp> <id> <reason>", "server-side ping <args as JSON>".
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { createClient, createCluster } from "redis";

const { values: opts } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "redis-url": { type: "string", default: "redis://127.0.0.1:6379" },
    name: { type: "string", default: "node" },
    key: { type: "string", default: "socket.io" },
    adapter: { type: "string", default: "classic" },
    "subscription-mode": { type: "string", default: "dynamic" },
    cluster: { type: "boolean", default: false },
    recovery: { type: "string", default: "0" },
    "max-len": { type: "string", default: "10000" },
  },
});
const name = opts.name;
const sharded = opts.adapter === "sharded";
const streams = opts.adapter === "streams";
const recoveryMs = Number(opts.recovery);
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
if (!["classic", "sharded", "streams"].includes(opts.adapter)) {
  fail(`--adapter: classic, sharded or streams, not ${opts.adapter}`);
}
if (!(recoveryMs >= 0)) fail(`--recovery: a number of ms, not ${opts.recovery}`);
if (!["static", "dynamic", "dynamic-private"].includes(opts["subscription-mode"])) {
  fail(`--subscription-mode: static, dynamic or dynamic-private, not ${opts["subscription-mode"]}`);
}
// The classic adapter counts its peers with PUBSUB NUMSUB on one node, which a cluster splits.
if (opts.cluster && !sharded) fail("--cluster needs --adapter sharded");

// The sharded adapter subscribes fire-and-forget: a failed SSUBSCRIBE (a cluster in failover)
// must not end the process.
if (sharded) {
  process.on("unhandledRejection", (err) => console.error(`unhandled rejection: ${err?.message ?? err}`));
}

// Named, so that the streams adapter's reading connection (a duplicate) can be told apart.
const clientName = `${name}-${process.pid}`.replace(/\s/g, "_");
const pubClient = opts.cluster
  ? createCluster({ rootNodes: [{ url: opts["redis-url"] }] })
  : createClient({ url: opts["redis-url"], name: clientName });
const subClient = pubClient.duplicate();
for (const client of [pubClient, subClient]) client.on("error", () => {}); // reconnects by itself
await Promise.all([pubClient.connect(), subClient.connect()]);

// Subscribers of `channel`: PUBSUB NUMSUB (classic) or SHARDNUMSUB summed over the masters.
async function subscribers(channel) {
  const kind = sharded ? "SHARDNUMSUB" : "NUMSUB";
  const clients = opts.cluster ? pubClient.masters.map((node) => pubClient.nodeClient(node)) : [pubClient];
  const counts = await Promise.all(
    clients.map(async (client) => Number((await (await client).sendCommand(["PUBSUB", kind, channel]))[1])),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
// The channels whose subscription makes this server reachable by the others.
const readyChannels = sharded || streams
  ? [`${opts.key}#/#`, `${opts.key}#/custom#`]
  : [`${opts.key}-request#/#`];
const before = await Promise.all(readyChannels.map(subscribers));

function adapter() {
  if (sharded) {
    return createShardedAdapter(pubClient, subClient, {
      channelPrefix: opts.key,
      subscriptionMode: opts["subscription-mode"],
    });
  }
  if (streams) {
    return createStreamsAdapter(pubClient, {
      streamName: opts.key,
      channelPrefix: opts.key,
      maxLen: Number(opts["max-len"]),
    });
  }
  return createAdapter(pubClient, subClient, { key: opts.key });
}

const httpServer = createServer();
const io = new Server(httpServer, {
  cors: { origin: "*" },
  adapter: adapter(),
  ...(recoveryMs > 0 && {
    connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true },
  }),
});

const roomList = (value) => (Array.isArray(value) ? value : [value]);
const sortedRooms = (socket) => [...socket.rooms].sort();

// Applies {to, except, local, timeout} from a request to a broadcast operator.
function target(op, request = {}) {
  if (request.to !== undefined) op = op.to(roomList(request.to));
  if (request.except !== undefined) op = op.except(roomList(request.except));
  if (request.volatile) op = op.volatile;
  if (request.local) op = op.local;
  if (request.timeout !== undefined) op = op.timeout(request.timeout);
  return op;
}

function onConnection(socket) {
  const nsp = socket.nsp;
  console.log(`connect ${nsp.name} ${socket.id}`);
  socket.on("disconnect", (reason) => console.log(`disconnect ${nsp.name} ${socket.id} ${reason}`));

  socket.on("whoami", (ack) => ack(name));
  socket.on("join", (rooms, ack) => {
    socket.join(roomList(rooms));
    ack?.(sortedRooms(socket));
  });
  socket.on("leave", (rooms, ack) => {
    for (const room of roomList(rooms)) socket.leave(room);
    ack?.(sortedRooms(socket));
  });
  socket.on("rooms", (ack) => ack(sortedRooms(socket)));
  socket.on("broadcast", (request, ack) => {
    target(nsp, request).emit(request.event, ...(request.args ?? []));
    ack?.(true);
  });
  socket.on("socket-broadcast", (request, ack) => {
    target(socket.broadcast, request).emit(request.event, ...(request.args ?? []));
    ack?.(true);
  });
  socket.on("flood", (request, ack) => {
    const op = target(nsp, request);
    for (let i = 0; i < request.count; i++) op.emit(request.event, i, request.payload ?? "");
    ack?.(request.count);
  });
  socket.on("broadcast-ask", (request, ack) => {
    target(nsp, request).emit(request.event, ...(request.args ?? []), (err, responses) => {
      ack({ err: err ? err.message : null, responses: [...responses].sort() });
    });
  });
  socket.on("fetch-sockets", async (request, ack) => {
    const sockets = await target(nsp, request).fetchSockets();
    ack(
      sockets
        .map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), data: s.data }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });
  socket.on("sockets-join", (request, ack) => {
    target(nsp, request).socketsJoin(roomList(request.rooms));
    ack?.(true);
  });
  socket.on("sockets-leave", (request, ack) => {
    target(nsp, request).socketsLeave(roomList(request.rooms));
    ack?.(true);
  });
  socket.on("disconnect-sockets", (request, ack) => {
    ack?.(true);
    target(nsp, request).disconnectSockets(request.close ?? false);
  });
  socket.on("server-side-emit", (...args) => {
    const ack = args.pop();
    nsp.serverSideEmit("ping", ...args, (err, responses) => {
      ack({ err: err ? err.message : null, responses: [...responses].sort() });
    });
  });
  socket.on("server-count", async (ack) => ack(await nsp.adapter.serverCount()));
}

for (const nsp of [io.of("/"), io.of("/custom")]) {
  nsp.use((socket, next) => {
    socket.data.server = name;
    next();
  });
  nsp.on("connection", onConnection);
  nsp.on("ping", (...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    console.log(`server-side ping ${JSON.stringify(args)}`);
    ack?.({ from: name, args });
  });
}

// Whether the streams adapter's reading connection has sent its first XREAD: it reads from "$",
// the end of the stream at that moment, so that what was added before is never seen.
async function readingStream() {
  const clients = String(await pubClient.sendCommand(["CLIENT", "LIST"])).split("\n");
  return clients.some((line) => line.includes(` name=${clientName} `) && /\bcmd=xread\b/.test(line));
}

// Ready once the other servers can reach this one.
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));
for (const [i, channel] of readyChannels.entries()) {
  while ((await subscribers(channel)) <= before[i]) await pause();
}
if (streams) while (!(await readingStream())) await pause();
httpServer.listen(Number(opts.port), () => console.log(`listening on port ${httpServer.address().port}`));

// Closing persists the sessions of the connected sockets (with connection state recovery): QUIT
// lets Redis answer what was sent before, unless Redis is away.
const shutdown = async () => {
  io.close();
  const quit = Promise.allSettled([pubClient.quit(), subClient.quit()]);
  await Promise.race([quit, new Promise((resolve) => setTimeout(resolve, 1000))]);
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
