// Socket.IO resource limits: rooms per socket (a join beyond the cap is refused whole) and
// dynamic namespaces (beyond the cap a CONNECT to a new name is refused like an unknown
// namespace), driven with the real socket.io-client.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.mjs";
import { client, connect, connectError, next, closeAll } from "../helpers/socketio.mjs";

const sorted = (values) => [...values].sort();

describe("max rooms per socket", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--max-rooms-per-socket", "3"] })));
  afterEach(closeAll);
  after(() => server.stop());

  it("joins rooms up to the cap, the socket's own room aside", async () => {
    const socket = await connect(server.url);
    const answer = await socket.emitWithAck("try-join", ["a", "b", "c"]);
    assert.deepEqual(answer, { joined: true, rooms: sorted([socket.id, "a", "b", "c"]) });
  });

  it("refuses a join beyond the cap and joins none of its rooms", async () => {
    const socket = await connect(server.url);
    await socket.emitWithAck("try-join", ["a", "b"]);
    const answer = await socket.emitWithAck("try-join", ["c", "d"]);
    assert.deepEqual(answer, { joined: false, rooms: sorted([socket.id, "a", "b"]) });
  });

  it("does not count rooms the socket is already in", async () => {
    const socket = await connect(server.url);
    await socket.emitWithAck("try-join", ["a", "b", "c"]);
    const answer = await socket.emitWithAck("try-join", ["c", "a"]);
    assert.equal(answer.joined, true);
  });

  it("makes room for another join once the socket left one", async () => {
    const socket = await connect(server.url);
    await socket.emitWithAck("try-join", ["a", "b", "c"]);
    assert.equal((await socket.emitWithAck("try-join", "d")).joined, false);
    await socket.emitWithAck("leave", "b");
    const answer = await socket.emitWithAck("try-join", "d");
    assert.deepEqual(answer, { joined: true, rooms: sorted([socket.id, "a", "c", "d"]) });
  });

  it("counts per socket: another socket still joins", async () => {
    const full = await connect(server.url);
    await full.emitWithAck("try-join", ["a", "b", "c"]);
    const other = await connect(server.url);
    assert.equal((await other.emitWithAck("try-join", ["a", "b", "c"])).joined, true);
  });

  it("still delivers broadcasts to the rooms joined before a refusal", async () => {
    const member = await connect(server.url);
    await member.emitWithAck("try-join", ["news", "b", "c"]);
    await member.emitWithAck("try-join", "d");
    const sender = await connect(server.url);
    const got = next(member, "headline");
    await sender.emitWithAck("broadcast", { to: "news", event: "headline", args: ["hi"] });
    assert.deepEqual(await got, ["hi"]);
  });
});

describe("max dynamic namespaces", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--max-dynamic-namespaces", "2"] })));
  afterEach(closeAll);
  after(() => server.stop());

  // Connects to a dynamic namespace and resolves with the `hello` its handler sends.
  async function hello(name) {
    const socket = client(`${server.url}${name}`);
    const [greeting] = await next(socket, "hello");
    return greeting;
  }

  it("creates dynamic namespaces up to the cap", async () => {
    assert.equal(await hello("/dyn-1"), "/dyn-1");
    assert.equal(await hello("/dyn-2"), "/dyn-2");
  });

  it("refuses a CONNECT to a new name beyond the cap like an unknown namespace", async () => {
    const err = await connectError(`${server.url}/dyn-3`);
    assert.equal(err.message, "Invalid namespace");
  });

  it("still connects to the namespaces created before the cap", async () => {
    assert.equal(await hello("/dyn-1"), "/dyn-1");
  });

  it("still connects to static namespaces", async () => {
    await connect(server.url);
    await connect(`${server.url}/custom`);
  });
});
