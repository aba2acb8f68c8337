// What a two-server cluster must do, whichever servers it is made of: each test acts through a
// client of server A and checks what clients of A and B see. Shared by the sio+sio suite and the
// mixed sio+Node suites (both directions).
import assert from "node:assert/strict";
import { afterEach, it } from "node:test";
import { closeAll, normalizeBinary } from "../helpers/socketio.mjs";
import { fence as clusterFence, member, recorder, waitFor } from "./cluster.mjs";

const byId = (a, b) => (a.id < b.id ? -1 : 1);

// Quiet period after a fence where channels are not ordered against each other (see fence()).
const UNORDERED_QUIET_MS = 300;

// `servers()` returns {a, b} (started by the suite's before hook). `unordered`: the servers do
// not publish all of a namespace's broadcasts on one channel (sharded adapters, dynamic mode).
export function clusterScenarios(servers, { unordered = false } = {}) {
  afterEach(() => closeAll());
  const fence = (via, sockets) => clusterFence(via, sockets, unordered ? UNORDERED_QUIET_MS : 0);

  it("broadcast to a room reaches its members on both servers, and nobody else", async () => {
    const { a, b } = servers();
    const [actor, a1, a2, b1, b2] = await Promise.all([
      member(a), member(a, ["news"]), member(a), member(b, ["news"]), member(b),
    ]);
    const got = recorder([a1, a2, b1, b2], "msg");
    await actor.emitWithAck("broadcast", { to: "news", event: "msg", args: ["hello", 1] });
    await fence(actor, [a1, a2, b1, b2]);
    assert.deepEqual(got(a1), [["hello", 1]]);
    assert.deepEqual(got(b1), [["hello", 1]]);
    assert.deepEqual(got(a2), []);
    assert.deepEqual(got(b2), []);
  });

  it("broadcast to several rooms reaches a member of two of them once", async () => {
    const { a, b } = servers();
    const [actor, b1, b2] = await Promise.all([member(a), member(b, ["r1", "r2"]), member(b, ["r2"])]);
    const got = recorder([b1, b2], "msg");
    await actor.emitWithAck("broadcast", { to: ["r1", "r2"], event: "msg", args: [2] });
    await fence(actor, [b1, b2]);
    assert.deepEqual(got(b1), [[2]]);
    assert.deepEqual(got(b2), [[2]]);
  });

  it("except skips the members of the excluded room on both servers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1, b2] = await Promise.all([
      member(a, ["muted"]), member(a), member(b, ["muted"]), member(b, ["other"]),
    ]);
    const got = recorder([actor, a1, b1, b2], "msg");
    await actor.emitWithAck("broadcast", { except: "muted", event: "msg", args: ["x"] });
    await fence(actor, [actor, a1, b1, b2]);
    assert.deepEqual(got(actor), []);
    assert.deepEqual(got(a1), [["x"]]);
    assert.deepEqual(got(b1), []);
    assert.deepEqual(got(b2), [["x"]]);
  });

  it("socket.broadcast reaches everyone but the sender, on both servers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1] = await Promise.all([member(a), member(a), member(b)]);
    const got = recorder([actor, a1, b1], "msg");
    await actor.emitWithAck("socket-broadcast", { event: "msg", args: ["from-actor"] });
    await fence(actor, [actor, a1, b1]);
    assert.deepEqual(got(actor), []);
    assert.deepEqual(got(a1), [["from-actor"]]);
    assert.deepEqual(got(b1), [["from-actor"]]);
  });

  it("objects keep their key order across servers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1] = await Promise.all([member(a), member(a, ["order"]), member(b, ["order"])]);
    const got = recorder([a1, b1], "msg");
    const payload = { zeta: 1, alpha: { y: [{ d: 1, c: 2 }], x: null }, mid: "m", "10": true, "2": false };
    await actor.emitWithAck("broadcast", { to: "order", event: "msg", args: [payload] });
    await fence(actor, [a1, b1]);
    // Integer-like keys come first in a JavaScript object whatever the order they were sent in.
    const expected = JSON.stringify(JSON.parse(JSON.stringify(payload)));
    assert.equal(JSON.stringify(got(a1)[0][0]), expected);
    assert.equal(JSON.stringify(got(b1)[0][0]), expected);
  });

  it("binary payloads cross servers intact", async () => {
    const { a, b } = servers();
    const [actor, b1] = await Promise.all([member(a), member(b, ["bin"])]);
    const arrival = waitFor(b1, "blob");
    const payload = { name: "file", bytes: Buffer.from([0, 1, 2, 253, 254, 255]), list: [Buffer.alloc(300, 7)] };
    await actor.emitWithAck("broadcast", { to: "bin", event: "blob", args: [payload, 3.5, -7, null, true] });
    const args = await arrival;
    assert.deepEqual(normalizeBinary(args), normalizeBinary([payload, 3.5, -7, null, true]));
  });

  it("local broadcasts stay on their server", async () => {
    const { a, b } = servers();
    const [actor, a1, b1] = await Promise.all([member(a), member(a), member(b)]);
    const got = recorder([a1, b1], "msg");
    await actor.emitWithAck("broadcast", { local: true, event: "msg", args: ["local"] });
    await fence(actor, [a1, b1]);
    assert.deepEqual(got(a1), [["local"]]);
    assert.deepEqual(got(b1), []);
  });

  it("a namespace's broadcasts stay in that namespace", async () => {
    const { a, b } = servers();
    const [actor, custom, root] = await Promise.all([member(a, [], "/custom"), member(b, [], "/custom"), member(b)]);
    const got = recorder([custom, root], "msg");
    await actor.emitWithAck("broadcast", { event: "msg", args: ["custom"] });
    await fence(actor, [custom]);
    await fence(await member(a), [root]);
    assert.deepEqual(got(custom), [["custom"]]);
    assert.deepEqual(got(root), []);
  });

  it("a broadcast with acks collects the answer of every client on both servers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1, b2, b3] = await Promise.all([
      member(a), member(a, ["quiz"]), member(b, ["quiz"]), member(b, ["quiz"]), member(b),
    ]);
    for (const [socket, name] of [[a1, "a1"], [b1, "b1"], [b2, "b2"], [b3, "b3"]]) {
      socket.on("question", (n, ack) => ack(`${name}:${n * 2}`));
    }
    const answer = await actor.emitWithAck("broadcast-ask", { to: "quiz", event: "question", args: [21], timeout: 3000 });
    assert.deepEqual(answer, { err: null, responses: ["a1:42", "b1:42", "b2:42"] });
  });

  it("a broadcast with acks reports a timeout when a remote client never answers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1] = await Promise.all([member(a), member(a, ["slow"]), member(b, ["slow"])]);
    a1.on("question", (n, ack) => ack("fast"));
    b1.on("question", () => {});
    const answer = await actor.emitWithAck("broadcast-ask", { to: "slow", event: "question", args: [1], timeout: 500 });
    assert.deepEqual(answer, { err: "operation has timed out", responses: ["fast"] });
  });

  it("a broadcast with acks to nobody completes at once with no answers", async () => {
    const { a } = servers();
    const actor = await member(a);
    const answer = await actor.emitWithAck("broadcast-ask", { to: "empty-room", event: "q", timeout: 3000 });
    assert.deepEqual(answer, { err: null, responses: [] });
  });

  it("fetchSockets lists the matching sockets of both servers, with their rooms and data", async () => {
    const { a, b } = servers();
    const [actor, a1, b1] = await Promise.all([member(a), member(a, ["team"]), member(b, ["team", "extra"])]);
    const sockets = await actor.emitWithAck("fetch-sockets", { to: "team" });
    const expected = [
      { id: a1.id, rooms: [a1.id, "team"].sort(), server: a.name },
      { id: b1.id, rooms: [b1.id, "extra", "team"].sort(), server: b.name },
    ].sort(byId);
    assert.deepEqual(
      sockets.map((s) => ({ id: s.id, rooms: s.rooms, server: s.data.server })).sort(byId),
      expected,
    );
  });

  it("socketsJoin and socketsLeave move sockets of both servers between rooms", async () => {
    const { a, b } = servers();
    const [actor, a1, b1, b2] = await Promise.all([member(a), member(a, ["src"]), member(b, ["src"]), member(b)]);
    await actor.emitWithAck("sockets-join", { to: "src", rooms: ["dst"] });
    for (const socket of [a1, b1]) {
      await untilAsync(async () => (await socket.emitWithAck("rooms")).includes("dst"), 3000, "joined dst");
    }
    assert.ok(!(await b2.emitWithAck("rooms")).includes("dst"));

    await actor.emitWithAck("sockets-leave", { to: "dst", rooms: ["src"] });
    for (const socket of [a1, b1]) {
      await untilAsync(async () => !(await socket.emitWithAck("rooms")).includes("src"), 3000, "left src");
    }
  });

  it("disconnectSockets disconnects the matching sockets of both servers", async () => {
    const { a, b } = servers();
    const [actor, a1, b1, b2] = await Promise.all([member(a), member(a, ["gone"]), member(b, ["gone"]), member(b)]);
    const reasons = [a1, b1].map((s) => waitFor(s, "disconnect"));
    await actor.emitWithAck("disconnect-sockets", { to: "gone" });
    assert.deepEqual(await Promise.all(reasons), [["io server disconnect", undefined], ["io server disconnect", undefined]]);
    assert.ok(b2.connected);
    assert.ok(actor.connected);
  });

  it("serverSideEmit reaches the other server and collects its answer", async () => {
    const { a, b } = servers();
    const actor = await member(a);
    const answer = await actor.emitWithAck("server-side-emit", "hello", 42);
    assert.deepEqual(answer, { err: null, responses: [{ from: b.name, args: ["hello", 42] }] });
    await b.waitForLine(/^server-side ping \["hello",42\]$/);
    assert.ok(!a.lines.some((l) => l.startsWith("server-side ping")), "the sender does not get its own emit");
  });

  it("serverCount counts both servers", async () => {
    const { a } = servers();
    const actor = await member(a);
    assert.equal(await actor.emitWithAck("server-count"), 2);
  });
}

// until() with an async predicate.
export async function untilAsync(predicate, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
