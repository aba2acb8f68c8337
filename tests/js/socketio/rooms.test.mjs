import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, sleep } from "../helpers/server.mjs";
import { connect, next, record, until, closeAll, normalizeBinary, isBinary } from "../helpers/socketio.mjs";

// How long a test waits to be fairly sure an event is NOT coming (it is on loopback).
const QUIET_MS = 300;

const sorted = (values) => [...values].sort();

// Connected sockets that each joined `rooms[i]` (a room or an array of rooms, or null).
async function inRooms(url, ...rooms) {
  return Promise.all(
    rooms.map(async (room) => {
      const socket = await connect(url);
      if (room) await socket.emitWithAck("join", room);
      return socket;
    }),
  );
}

describe("Socket.IO rooms and broadcasting", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  afterEach(closeAll);
  after(() => server.stop());

  it("puts a new socket in the room named after its id", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
  });

  it("joins one room, several rooms, and leaves them", async () => {
    const socket = await connect(server.url);
    assert.deepEqual(await socket.emitWithAck("join", "r-one"), sorted([socket.id, "r-one"]));
    assert.deepEqual(await socket.emitWithAck("join", ["r-two", "r-three", "r-one"]), sorted([socket.id, "r-one", "r-two", "r-three"]));
    assert.deepEqual(await socket.emitWithAck("leave", "r-two"), sorted([socket.id, "r-one", "r-three"]));
    assert.deepEqual(await socket.emitWithAck("leave", ["r-one", "r-three", "never-joined"]), [socket.id]);
    assert.deepEqual(await socket.emitWithAck("rooms"), [socket.id]);
  });

  it("broadcasts to a room's members only", async () => {
    const [a, b, outsider, sender] = await inRooms(server.url, "news", "news", "other", null);
    const got = [a, b, outsider, sender].map((s) => record(s, "headline"));
    assert.equal(await sender.emitWithAck("broadcast", { to: "news", event: "headline", args: ["hi", 1] }), true);
    await until(() => got[0].length && got[1].length, 3000, "members received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [["hi", 1]]);
    assert.deepEqual(got[1], [["hi", 1]]);
    assert.deepEqual(got[2], [], "a socket outside the room received the broadcast");
    assert.deepEqual(got[3], [], "the sender outside the room received the broadcast");
  });

  it("broadcasts binary nested in objects to WebSocket and polling members alike", async () => {
    const ws = await connect(server.url, { transports: ["websocket"] });
    const polling = await connect(server.url, { transports: ["polling"] });
    await ws.emitWithAck("join", "bin-room");
    await polling.emitWithAck("join", "bin-room");
    const args = [{ img: Buffer.from([0, 255, 1, 254]), parts: [Buffer.from("héllo"), { z: Buffer.alloc(0) }] }, Buffer.from([42])];
    const got = [next(ws, "bin"), next(polling, "bin")];
    await ws.emitWithAck("broadcast", { to: "bin-room", event: "bin", args });
    for (const received of await Promise.all(got)) {
      assert.ok(isBinary(received[0].img), "binary came back as something else");
      assert.deepEqual(normalizeBinary(received), normalizeBinary(args));
    }
  });

  it("reaches a socket in several of the target rooms once", async () => {
    const [both, onlyOne, neither, sender] = await inRooms(server.url, ["m1", "m2"], "m2", "m3", null);
    const got = [both, onlyOne, neither].map((s) => record(s, "multi"));
    await sender.emitWithAck("broadcast", { to: ["m1", "m2"], event: "multi", args: ["x"] });
    await until(() => got[0].length && got[1].length, 3000, "members received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [["x"]], "the socket in both rooms got a wrong number of copies");
    assert.deepEqual(got[1], [["x"]]);
    assert.deepEqual(got[2], []);
  });

  it("leaves out the sockets in an except room", async () => {
    const [kept, excluded, sender] = await inRooms(server.url, "ex", ["ex", "ex-muted"], null);
    const got = [kept, excluded].map((s) => record(s, "ex-msg"));
    await sender.emitWithAck("broadcast", { to: "ex", except: "ex-muted", event: "ex-msg", args: [1] });
    await until(() => got[0].length, 3000, "kept socket received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [[1]]);
    assert.deepEqual(got[1], [], "a socket in the except room received the broadcast");
  });

  it("leaves out a socket named by its id in except, also without a target room", async () => {
    const [a, b, sender] = await inRooms(server.url, null, null, null);
    const got = [a, b, sender].map((s) => record(s, "not-b"));
    await sender.emitWithAck("broadcast", { except: [b.id, sender.id], event: "not-b", args: [] });
    await until(() => got[0].length, 3000, "a received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [[]]);
    assert.deepEqual(got[1], []);
    assert.deepEqual(got[2], []);
  });

  it("sends socket.broadcast to everyone but the sender", async () => {
    const [sender, a, b] = await inRooms(server.url, null, null, null);
    const got = [sender, a, b].map((s) => record(s, "sb-all"));
    await sender.emitWithAck("socket-broadcast", { event: "sb-all", args: ["from sender"] });
    await until(() => got[1].length && got[2].length, 3000, "others received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [], "socket.broadcast reached its sender");
    assert.deepEqual(got[1], [["from sender"]]);
    assert.deepEqual(got[2], [["from sender"]]);
  });

  it("sends socket.to(room) to the room's members but not the sender, even when it is a member", async () => {
    const [sender, member, outsider] = await inRooms(server.url, "sb-room", "sb-room", null);
    const got = [sender, member, outsider].map((s) => record(s, "sb-room-msg"));
    await sender.emitWithAck("socket-broadcast", { to: "sb-room", event: "sb-room-msg", args: [42] });
    await until(() => got[1].length, 3000, "member received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[0], [], "socket.to(room) reached its sender");
    assert.deepEqual(got[1], [[42]]);
    assert.deepEqual(got[2], []);
  });

  it("sends io.emit to every socket of the namespace, sender included, and no other namespace", async () => {
    const [a, b, sender] = await inRooms(server.url, "x", null, null);
    const elsewhere = await connect(`${server.url}/custom`);
    const got = [a, b, sender, elsewhere].map((s) => record(s, "everyone"));
    await sender.emitWithAck("broadcast", { event: "everyone", args: [{ n: 1 }] });
    await until(() => got[0].length && got[1].length && got[2].length, 3000, "all received");
    await sleep(QUIET_MS);
    assert.deepEqual(got.slice(0, 3), [[[{ n: 1 }]], [[{ n: 1 }]], [[{ n: 1 }]]]);
    assert.deepEqual(got[3], [], "a broadcast on / reached a socket of /custom");
  });

  it("fetches the sockets of a room with their rooms and data", async () => {
    const [a, b, outsider] = await inRooms(server.url, "fetch-me", ["fetch-me", "fetch-extra"], null);
    await a.emitWithAck("set-data", { role: "a", list: [1, 2] });
    const sockets = await outsider.emitWithAck("fetch-sockets", { to: "fetch-me" });
    const byId = Object.fromEntries(sockets.map((s) => [s.id, s]));
    assert.deepEqual(sorted(Object.keys(byId)), sorted([a.id, b.id]));
    assert.deepEqual(byId[a.id].rooms, sorted([a.id, "fetch-me"]));
    assert.deepEqual(byId[b.id].rooms, sorted([b.id, "fetch-me", "fetch-extra"]));
    assert.deepEqual(byId[a.id].data, { role: "a", list: [1, 2] });
    assert.deepEqual(byId[b.id].data, {});
    const filtered = await outsider.emitWithAck("fetch-sockets", { to: "fetch-me", except: "fetch-extra" });
    assert.deepEqual(filtered.map((s) => s.id), [a.id]);
  });

  it("makes the matching sockets join rooms (socketsJoin), which broadcasts then reach", async () => {
    const [a, b, c] = await inRooms(server.url, "sj-src", "sj-src", null);
    await c.emitWithAck("sockets-join", { to: "sj-src", rooms: ["sj-new1", "sj-new2"] });
    assert.deepEqual(await a.emitWithAck("rooms"), sorted([a.id, "sj-src", "sj-new1", "sj-new2"]));
    assert.deepEqual(await b.emitWithAck("rooms"), sorted([b.id, "sj-src", "sj-new1", "sj-new2"]));
    assert.deepEqual(await c.emitWithAck("rooms"), [c.id]);
    const got = [a, b, c].map((s) => record(s, "sj-msg"));
    await c.emitWithAck("broadcast", { to: "sj-new2", event: "sj-msg", args: [] });
    await until(() => got[0].length && got[1].length, 3000, "joined sockets received");
    await sleep(QUIET_MS);
    assert.deepEqual(got[2], []);
  });

  it("makes the matching sockets leave rooms (socketsLeave)", async () => {
    const [a, b, c] = await inRooms(server.url, ["sl-1", "sl-2"], ["sl-1", "sl-2", "sl-keep"], "sl-2");
    await c.emitWithAck("sockets-leave", { to: "sl-1", rooms: "sl-2" });
    assert.deepEqual(await a.emitWithAck("rooms"), sorted([a.id, "sl-1"]));
    assert.deepEqual(await b.emitWithAck("rooms"), sorted([b.id, "sl-1", "sl-keep"]));
    assert.deepEqual(await c.emitWithAck("rooms"), sorted([c.id, "sl-2"]), "a socket outside the target left too");
    const inRoom = await c.emitWithAck("fetch-sockets", { to: "sl-2" });
    assert.deepEqual(inRoom.map((s) => s.id), [c.id]);
  });

  it("disconnects the sockets of a room (disconnectSockets) and no others", async () => {
    const [a, b, survivor] = await inRooms(server.url, "dc-room", "dc-room", null);
    const [aId, bId] = [a.id, b.id];
    const gone = [next(a, "disconnect"), next(b, "disconnect")];
    assert.equal(await survivor.emitWithAck("disconnect-sockets", { to: "dc-room" }), true);
    assert.deepEqual((await gone[0])[0], "io server disconnect");
    assert.deepEqual((await gone[1])[0], "io server disconnect");
    await server.waitForLine(new RegExp(`^disconnect / ${aId} server namespace disconnect$`));
    await server.waitForLine(new RegExp(`^disconnect / ${bId} server namespace disconnect$`));
    assert.ok(survivor.connected);
    assert.equal(await survivor.emitWithAck("echo", "still here"), "still here");
    assert.deepEqual(await survivor.emitWithAck("fetch-sockets", { to: "dc-room" }), []);
  });

  it("disconnects every socket of the namespace, the asker too, and none of another namespace", async () => {
    const [a, asker] = await inRooms(server.url, null, null);
    const other = await connect(`${server.url}/custom`);
    const gone = [next(a, "disconnect"), next(asker, "disconnect")];
    assert.equal(await asker.emitWithAck("disconnect-sockets", {}), true);
    assert.equal((await gone[0])[0], "io server disconnect");
    assert.equal((await gone[1])[0], "io server disconnect");
    assert.ok(other.connected);
    assert.equal(await other.emitWithAck("echo", "custom lives"), "custom lives");
  });

  it("closes the connections of the matching sockets with disconnectSockets(close)", async () => {
    const [a, survivor] = await inRooms(server.url, "dcc-room", null);
    const aId = a.id;
    const engineClosed = new Promise((resolve) => a.io.engine.once("close", resolve));
    const gone = next(a, "disconnect");
    await survivor.emitWithAck("disconnect-sockets", { to: "dcc-room", close: true });
    assert.equal((await gone)[0], "io server disconnect");
    await engineClosed;
    await server.waitForLine(new RegExp(`^disconnect / ${aId} server namespace disconnect$`));
    assert.equal(await survivor.emitWithAck("echo", 1), 1);
  });

  const endings = {
    "client namespace disconnect": (socket) => socket.disconnect(),
    "server namespace disconnect": (socket) => socket.emit("disconnect-me"),
    "transport close": (socket) => socket.io.engine.close(),
  };
  for (const [reason, end] of Object.entries(endings)) {
    it(`still lets a socket's rooms be seen while it is disconnecting (${reason})`, async () => {
      const socket = await connect(server.url);
      const id = socket.id;
      await socket.emitWithAck("join", ["keep-1", "keep-2"]);
      end(socket);
      const [, rooms] = await server.waitForLine(new RegExp(`^disconnecting / ${id} ${reason}\\|(.*)$`));
      assert.deepEqual(JSON.parse(rooms), sorted([id, "keep-1", "keep-2"]));
      await server.waitForLine(new RegExp(`^disconnect / ${id} ${reason}$`));
    });
  }

  it("removes a disconnected socket from its rooms", async () => {
    const [leaver, watcher] = await inRooms(server.url, "cleanup", "cleanup");
    const id = leaver.id;
    leaver.disconnect();
    await server.waitForLine(new RegExp(`^disconnect / ${id} `));
    const left = await watcher.emitWithAck("fetch-sockets", { to: "cleanup" });
    assert.deepEqual(left.map((s) => s.id), [watcher.id]);
  });

  it("collects every member's ack of a broadcast with acks", async () => {
    const members = await inRooms(server.url, "ask", "ask", "ask");
    const asker = await connect(server.url);
    members.forEach((s, i) => s.on("q", (n, callback) => callback(`m${i}:${n}`)));
    const result = await asker.emitWithAck("broadcast-ask", { to: "ask", event: "q", args: [7], timeout: 2000 });
    assert.deepEqual(result, { err: null, responses: ["m0:7", "m1:7", "m2:7"] });
  });

  it("answers a broadcast with acks to an empty room at once with no responses", async () => {
    const asker = await connect(server.url);
    const started = performance.now();
    const result = await asker.emitWithAck("broadcast-ask", { to: "nobody-here", event: "q", args: [], timeout: 2000 });
    assert.deepEqual(result, { err: null, responses: [] });
    assert.ok(performance.now() - started < 1000, "waited for the timeout with nobody to answer");
  });

  it("times out a broadcast with acks when one member never answers, keeping the others' responses", async () => {
    const [a, b, silent] = await inRooms(server.url, "ask2", "ask2", "ask2");
    const asker = await connect(server.url);
    a.on("q2", (callback) => callback("a"));
    b.on("q2", (callback) => callback("b"));
    const silentAsked = next(silent, "q2");
    const started = performance.now();
    const result = await asker.emitWithAck("broadcast-ask", { to: "ask2", event: "q2", args: [], timeout: 400 });
    assert.deepEqual(result, { err: "operation has timed out", responses: ["a", "b"] });
    assert.ok(performance.now() - started >= 380);
    await silentAsked; // it was asked, it just did not answer
  });
});
