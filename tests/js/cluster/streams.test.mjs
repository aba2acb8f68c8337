// The Redis Streams adapter: sio's --adapter streams next to Node's @socket.io/redis-streams-adapter
// 0.3.1 (socket.io 4.8). Broadcasts travel as entries of the stream "socket.io", requests over
// Pub/Sub; with connection state recovery, sessions are kept in Redis and the stream entry ids are
// the offsets, so that a client dropped from one server recovers on any other, with what it missed.
// The classic suites' scenarios run on it in every direction (without recovery: with it, events
// carry their offset as a last argument), then recovery across servers, Redis going away, and the
// length of the stream.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { sleep } from "../helpers/server.mjs";
import { closeAll, connect, next, normalizeBinary, until, whenConnected } from "../helpers/socketio.mjs";
import { fence, member, nodeDir, recorder, startNode, startSio, waitFor } from "./cluster.mjs";
import { clusterScenarios, untilAsync } from "./scenarios.mjs";

// The MessagePack decoder of Node's adapter, installed with the Node reference server.
const { decode: decodeMsgpack } = createRequire(path.join(nodeDir, "package.json"))("@msgpack/msgpack");

// The channel every server of namespace "/" subscribes to (what PUBSUB NUMSUB counts servers on).
const MAIN_CHANNEL = "socket.io#/#";
const STREAM = "socket.io";
const OFFSET = /^\d+-\d+$/;
const RECOVERY_MS = 60000;
const RECOVERY = ["--recovery", String(RECOVERY_MS)];

// A server of kind "sio" or "node" named `name`, with the streams adapter.
async function startStreams(redis, kind, name, args = []) {
  const all = ["--adapter", "streams", ...args];
  const server = await (kind === "sio" ? startSio(redis, name, all) : startNode(redis, name, all));
  return Object.assign(server, { name });
}

const sessionKey = (pid) => `sio:session:${pid}`;

// Stream ids compared as (milliseconds, sequence).
function offsetOrder(a, b) {
  const [ams, aseq] = a.split("-").map(BigInt);
  const [bms, bseq] = b.split("-").map(BigInt);
  if (ams !== bms) return ams < bms ? -1 : 1;
  return aseq === bseq ? 0 : aseq < bseq ? -1 : 1;
}

for (const [title, kinds] of [
  ["a mixed streams cluster, acting through the sio server", [["sio", "sio"], ["node", "node"]]],
  ["a mixed streams cluster, acting through the node server", [["node", "node"], ["sio", "sio"]]],
  ["a streams cluster of two sio servers", [["sio", "sio-a"], ["sio", "sio-b"]]],
]) {
  describe(title, () => {
    let redis;
    let servers;
    before(async () => {
      redis = await startRedis();
      const [a, b] = await Promise.all(kinds.map(([kind, name]) => startStreams(redis, kind, name)));
      servers = { a, b };
      await redis.waitForSubscribers(MAIN_CHANNEL, 2);
    });
    after(async () => {
      await Promise.all([servers?.a.stop(), servers?.b.stop()]);
      await redis?.stop();
    });

    clusterScenarios(() => servers);
  });
}

describe("connection state recovery across the servers of a streams cluster", () => {
  let redis;
  const servers = {};
  before(async () => {
    redis = await startRedis();
    const started = await Promise.all([
      startStreams(redis, "sio", "sio-a", RECOVERY),
      startStreams(redis, "sio", "sio-b", RECOVERY),
      startStreams(redis, "node", "node", RECOVERY),
    ]);
    for (const server of started) servers[server.name] = server;
    await redis.waitForSubscribers(MAIN_CHANNEL, 3);
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // A client of `server` (namespace `nsp`) in `rooms` that got one broadcast from `via` (a client
  // of another server, same namespace), and so holds an offset; `got()` returns every "msg" it got.
  async function withOffset(server, rooms, via, nsp = "/") {
    const socket = await member(server, rooms, nsp);
    const got = recorder([socket], "msg").bind(null, socket);
    const arrival = waitFor(socket, "msg");
    await via.emitWithAck("broadcast", { to: rooms[0], event: "msg", args: ["before"] });
    const [, offset] = await arrival;
    assert.match(offset, OFFSET, "a broadcast ends with its stream id");
    assert.equal(socket._lastOffset, offset);
    return { socket, got };
  }

  // Closes the client's connection as a network failure would, and waits until `server` has kept
  // the session in Redis.
  async function drop(server, socket) {
    const { id, _pid: pid, _lastOffset: offset } = socket;
    const gone = next(socket, "disconnect");
    socket.io.engine.close();
    await gone;
    await server.waitForLine(new RegExp(`^disconnect ${socket.nsp} ${id} transport close$`));
    await sessionStored(pid);
    return { id, pid, offset };
  }

  const sessionStored = (pid) =>
    untilAsync(async () => (await redis.command("EXISTS", sessionKey(pid))) === 1, 3000, `${sessionKey(pid)} in Redis`);

  // Points the same client object at `server` and reconnects it: it sends its pid and last offset.
  async function reconnectTo(server, socket) {
    socket.io.uri = server.url;
    socket.connect();
    await whenConnected(socket);
  }

  // What the server of `socket` knows of it: {rooms, data}.
  async function describeSocket(socket) {
    const [self] = await socket.emitWithAck("fetch-sockets", { to: socket.id });
    return { rooms: await socket.emitWithAck("rooms"), data: self?.data };
  }

  for (const [from, to] of [["sio-a", "sio-b"], ["sio-a", "node"], ["node", "sio-a"]]) {
    it(`recovers on ${to} a session dropped from ${from}, with the broadcasts it missed`, async () => {
      const [x, y] = [servers[from], servers[to]];
      const [onX, onY, customOnY, witnessOnX, witnessOnY] = await Promise.all([
        member(x),
        member(y),
        member(y, [], "/custom"),
        member(x, ["news", "elsewhere"]),
        member(y, ["news", "elsewhere"]),
      ]);
      const { socket, got } = await withOffset(x, ["news", "extra"], onY);
      const { id, offset } = await drop(x, socket);

      // From both servers. What the client of the other server witnessed has been read from the
      // stream: the stream holds the entries in this order.
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const witnessed = async (via, witness, request) => {
        const arrival = waitFor(witness, "msg", (arg) => arg === request.args[0]);
        await via.emitWithAck("broadcast", request);
        await arrival;
      };
      await witnessed(onY, witnessOnX, { to: "news", event: "msg", args: ["one"] });
      await onX.emitWithAck("broadcast", { to: "other", event: "msg", args: ["not in room other"] });
      await witnessed(onY, witnessOnX, { except: "extra", event: "msg", args: ["excluded"] });
      await witnessed(onX, witnessOnY, { event: "msg", args: ["all", 2] });
      await onX.emitWithAck("broadcast", { local: true, event: "msg", args: ["local"] });
      // Broadcasts with acks go over Pub/Sub, never into the stream.
      for (const via of [onX, onY]) {
        await via.emitWithAck("broadcast-ask", { to: "news", event: "msg", args: ["asked"], timeout: 100 });
      }
      await customOnY.emitWithAck("broadcast", { event: "msg", args: ["other namespace"] });
      await witnessed(onX, witnessOnY, { to: [id, "elsewhere"], event: "msg", args: ["direct"] });
      await witnessed(onY, witnessOnX, { to: "news", event: "msg", args: ["binary", { bytes }] });

      await reconnectTo(y, socket);
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      assert.deepEqual(await describeSocket(socket), {
        rooms: [id, "extra", "news"].sort(),
        data: { server: from }, // set by a middleware on the first server, which recovery skips
      });
      const missed = got().slice(1);
      const offsets = missed.map((args) => args.at(-1));
      assert.deepEqual(
        normalizeBinary(missed.map((args) => args.slice(0, -1))),
        normalizeBinary([["one"], ["all", 2], ["direct"], ["binary", { bytes }]]),
      );
      for (const o of offsets) assert.match(String(o), OFFSET);
      assert.deepEqual([offset, ...offsets], [...new Set([offset, ...offsets])].sort(offsetOrder), "in stream order");
      assert.equal(socket._lastOffset, offsets.at(-1));

      // Its rooms are known across the cluster again.
      const live = waitFor(socket, "msg", (arg) => arg === "live");
      await onX.emitWithAck("broadcast", { to: "extra", event: "msg", args: ["live"] });
      const [, liveOffset] = await live;
      assert.match(liveOffset, OFFSET);
    });

    it(`recovers on ${to} a session of /custom dropped from ${from}, with that namespace's broadcasts`, async () => {
      const [x, y] = [servers[from], servers[to]];
      const [rootOnY, customOnY, witness] = await Promise.all([
        member(y), member(y, [], "/custom"), member(x, ["news"], "/custom"),
      ]);
      const { socket, got } = await withOffset(x, ["news"], customOnY, "/custom");
      const { id } = await drop(x, socket);
      await rootOnY.emitWithAck("broadcast", { to: "news", event: "msg", args: ["namespace /"] });
      const arrival = waitFor(witness, "msg", (arg) => arg === "namespace /custom");
      await customOnY.emitWithAck("broadcast", { to: "news", event: "msg", args: ["namespace /custom"] });
      await arrival;

      await reconnectTo(y, socket);
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      await socket.emitWithAck("rooms"); // after what the server sent on reconnection
      assert.deepEqual(got().slice(1).map((args) => args[0]), ["namespace /custom"]);
    });

    it(`takes a session dropped from ${from} back once: a second attempt on ${to} starts afresh`, async () => {
      const [x, y] = [servers[from], servers[to]];
      const actor = await member(y);
      const { socket } = await withOffset(x, ["news"], actor);
      const { id, pid, offset } = await drop(x, socket);
      const options = { transports: ["websocket"], auth: { pid, offset } };

      const first = await connect(y.url, options);
      assert.equal(first.id, id);
      assert.equal(await redis.command("EXISTS", sessionKey(pid)), 0, "the session left Redis");
      const second = await connect(y.url, options);
      assert.notEqual(second.id, id);
      assert.deepEqual(await describeSocket(second), { rooms: [second.id], data: { server: to } });
    });

    it(`starts afresh on ${to} when the offset of a session dropped from ${from} is not in the stream`, async () => {
      const [x, y] = [servers[from], servers[to]];
      const actor = await member(y);
      const { socket } = await withOffset(x, ["news"], actor);
      const { id, pid } = await drop(x, socket);

      const fresh = await connect(y.url, { transports: ["websocket"], auth: { pid, offset: "1-0" } });
      assert.notEqual(fresh.id, id);
      assert.deepEqual(await describeSocket(fresh), { rooms: [fresh.id], data: { server: to } });
    });
  }

  // As Node's adapter keeps it: SET sio:session:<pid> <base64 MessagePack {sid, pid, rooms, data}>
  // PX <window>.
  for (const name of ["sio-a", "node"]) {
    it(`keeps the session of a client dropped from ${name} in Redis as Node's adapter does`, async () => {
      const x = servers[name];
      const { socket } = await withOffset(x, ["news"], await member(servers[name === "node" ? "sio-a" : "node"]));
      const { id, pid } = await drop(x, socket);
      const stored = decodeMsgpack(Buffer.from(await redis.command("GET", sessionKey(pid)), "base64"));
      assert.deepEqual(
        { ...stored, rooms: [...stored.rooms].sort() },
        { sid: id, pid, rooms: [id, "news"].sort(), data: { server: name } },
      );
      const ttl = await redis.command("PTTL", sessionKey(pid));
      assert.ok(ttl > RECOVERY_MS - 5000 && ttl <= RECOVERY_MS, `PTTL ${ttl} ms for a window of ${RECOVERY_MS} ms`);
    });

    it(`recovers a session on ${name}, the server it dropped from, after which no other server has it`, async () => {
      const [x, other] = [servers[name], servers[name === "node" ? "sio-a" : "sio-b"]];
      const [actor, witness] = await Promise.all([member(other), member(x, ["news"])]);
      const { socket, got } = await withOffset(x, ["news"], actor);
      const { id, pid, offset } = await drop(x, socket);
      const arrival = waitFor(witness, "msg", (arg) => arg === "missed");
      await actor.emitWithAck("broadcast", { to: "news", event: "msg", args: ["missed"] });
      await arrival;

      await reconnectTo(x, socket);
      assert.equal(socket.recovered, true);
      assert.equal(socket.id, id);
      await socket.emitWithAck("rooms"); // after what the server sent on reconnection
      assert.deepEqual(got().slice(1).map((args) => args[0]), ["missed"]);
      const elsewhere = await connect(other.url, { transports: ["websocket"], auth: { pid, offset } });
      assert.notEqual(elsewhere.id, id);
    });
  }

  // A server stopping (SIGTERM) disconnects its clients with "server shutting down", a reason to
  // keep their sessions: they recover on another server.
  for (const [kind, to] of [["sio", "sio-b"], ["sio", "node"], ["node", "sio-a"]]) {
    it(`recovers on ${to} a session of a ${kind} server that stopped`, async () => {
      const y = servers[to];
      const x = await startStreams(redis, kind, `${kind}-stopping`, RECOVERY);
      try {
        const witnessServer = Object.values(servers).find((s) => s !== y);
        const [actor, witness] = await Promise.all([member(y), member(witnessServer, ["news"])]);
        const { socket, got } = await withOffset(x, ["news"], actor);
        const { id, _pid: pid } = socket;
        const gone = next(socket, "disconnect");
        await x.stop();
        const [reason] = await gone;
        await sessionStored(pid);

        const arrival = waitFor(witness, "msg", (arg) => arg === "after stop");
        await actor.emitWithAck("broadcast", { to: "news", event: "msg", args: ["after stop"] });
        await arrival;
        await reconnectTo(y, socket);
        assert.equal(socket.recovered, true, `recovered (the client saw "${reason}")`);
        assert.equal(socket.id, id);
        assert.deepEqual(await describeSocket(socket), { rooms: [id, "news"].sort(), data: { server: x.name } });
        assert.deepEqual(got().slice(1).map((args) => args[0]), ["after stop"]);
      } finally {
        await x.stop();
      }
    });
  }
});

// Broadcasts {from, seq, at} to room "live" through `actor` every 20 ms; stop() ends it.
function traffic(actor, from) {
  let seq = 0;
  const timer = setInterval(() => {
    actor.emit("broadcast", { to: "live", event: "tick", args: [{ from, seq: seq++, at: performance.now() }] });
  }, 20);
  return { stop: () => clearInterval(timer) };
}

function ticks(socket) {
  const got = [];
  socket.on("tick", (tick) => got.push({ ...tick, received: performance.now() }));
  return got;
}

// Redis dies during traffic and comes back on the same port (empty: the stream is gone).
// Node's adapter waits for each XADD before delivering a broadcast even to its own clients, so
// only sio servers are held to serving theirs while Redis is away.
for (const [title, kinds] of [
  ["a streams cluster of two sio servers whose Redis is killed and restarted", [["sio", "sio-a"], ["sio", "sio-b"]]],
  ["a mixed streams cluster whose Redis is killed and restarted", [["sio", "sio"], ["node", "node"]]],
]) {
  describe(title, () => {
    // Cross-server delivery must be back this soon after Redis is.
    const RESUME_WITHIN_MS = 5000;
    let redis;
    let a;
    let b;
    before(async () => {
      redis = await startRedis();
      const health = (kind) => (kind === "sio" ? ["--health-check-interval", "300"] : []);
      [a, b] = await Promise.all(kinds.map(([kind, name]) => startStreams(redis, kind, name, health(kind))));
      await redis.waitForSubscribers(MAIN_CHANNEL, 2);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await redis?.stop();
    });
    afterEach(() => closeAll());

    it("keeps sio's local delivery going while Redis is down, and resumes cross-server delivery after", async () => {
      const [a0, a1, b0, b1] = await Promise.all([member(a), member(a, ["live"]), member(b), member(b, ["live"])]);
      const at = { a: ticks(a1), b: ticks(b1) };
      const flows = [traffic(a0, "a"), traffic(b0, "b")];
      try {
        await until(() => at.b.some((t) => t.from === "a") && at.a.some((t) => t.from === "b"), 3000, "cross traffic");

        await redis.kill();
        const down = performance.now();
        await sleep(1000);
        for (const [i, [kind]] of kinds.entries()) {
          if (kind !== "sio") continue;
          const side = i === 0 ? "a" : "b";
          const local = at[side].filter((t) => t.from === side && t.at > down + 500);
          assert.ok(local.length >= 10, `${side}'s local deliveries go on (${local.length})`);
        }

        await redis.restart();
        const up = performance.now();
        await until(
          () => at.b.some((t) => t.from === "a" && t.at >= up) && at.a.some((t) => t.from === "b" && t.at >= up),
          RESUME_WITHIN_MS,
          "cross-server delivery after Redis came back",
        );
      } finally {
        flows.forEach((f) => f.stop());
      }
      for (const server of [a, b]) assert.equal(server.proc.exitCode, null, `${server.name} did not crash`);
      // Requests over Pub/Sub work again too.
      await untilAsync(async () => (await a0.emitWithAck("server-count")) === 2, RESUME_WITHIN_MS, "two servers");
      const sockets = await b0.emitWithAck("fetch-sockets", { to: "live" });
      assert.deepEqual(sockets.map((s) => s.id).sort(), [a1.id, b1.id].sort());
    });
  });
}

describe("a streams cluster where sio keeps the stream short (--max-len 10)", () => {
  let redis;
  let a;
  let b;
  before(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([
      startStreams(redis, "sio", "sio-a", ["--max-len", "10"]),
      startStreams(redis, "sio", "sio-b"),
    ]);
    await redis.waitForSubscribers(MAIN_CHANNEL, 2);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // MAXLEN ~ lets Redis drop only whole nodes of the stream (at most 100 entries each).
  it("trims the stream as it adds to it", async () => {
    const [actor, receiver] = await Promise.all([member(a), member(b)]);
    await actor.emitWithAck("flood", { event: "tick", count: 1000, payload: "x".repeat(50) });
    await fence(actor, [receiver]);
    const length = await redis.command("XLEN", STREAM);
    assert.ok(length >= 10 && length <= 110, `XLEN ${STREAM} = ${length}`);
  });
});

describe("a burst of sio broadcasts on the stream", () => {
  let redis;
  let a;
  before(async () => {
    redis = await startRedis();
    a = await startStreams(redis, "sio", "sio-a");
    await redis.waitForSubscribers(MAIN_CHANNEL, 1);
  });
  after(async () => {
    await a?.stop();
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // The XADDs of one burst run as one transaction: a reader blocked on the stream (as every
  // server of the cluster is) is woken once, after the last, and gets them all in one reply.
  // One by one, it would get the first alone and the rest on its next XREAD.
  it("reaches a blocked reader in one XREAD reply", async () => {
    const actor = await member(a);
    const reply = redis.command("XREAD", "BLOCK", "4000", "STREAMS", STREAM, "$");
    // Blocked next to the server's own reader.
    const readers = async () => (await redis.command("CLIENT", "LIST")).match(/ cmd=xread /g)?.length ?? 0;
    await untilAsync(async () => (await readers()) >= 2, 3000, "a second reader of the stream");
    const count = 40;
    await actor.emitWithAck("flood", { event: "tick", count, payload: "x".repeat(20) });
    const [[stream, entries]] = await reply;
    assert.equal(stream, STREAM);
    assert.equal(entries.length, count);
    assert.deepEqual(
      entries.map(([, fields]) => JSON.parse(fields[fields.indexOf("data") + 1]).packet.data[1]),
      Array.from({ length: count }, (_, i) => i),
    );
  });
});
