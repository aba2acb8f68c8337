// sio-server with SIO_PARSER=msgpack and clients using socket.io-msgpack-parser: the chat recipe
// works as with the default parser, and in a Redis cluster a msgpack server and a default-parser
// server deliver each other's broadcasts to their own clients (the adapter is unaffected).
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { closeAll } from "../helpers/socketio.mjs";
import { createRoom, connectAs, nth } from "../helpers/app.mjs";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";

const require = createRequire(import.meta.url);
const parser = require("socket.io-msgpack-parser");

describe("sio-server with SIO_PARSER=msgpack, beside a default-parser server on one Redis", () => {
  let cluster;
  before(async () => (cluster = await startAppCluster({ a: { SIO_PARSER: "msgpack" } })));
  afterEach(closeAll);
  after(() => stopAppCluster(cluster));

  it("joins, stores and broadcasts messages for msgpack clients, and across the cluster", async () => {
    const { a, b } = cluster;
    const room = await createRoom(a, "alice", { isPublic: true });
    const alice = await connectAs(a, "alice", { parser });
    const carol = await connectAs(a, "carol", { parser, transports: ["polling"] });
    const bob = await connectAs(b, "bob");
    for (const socket of [alice, carol, bob]) {
      assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    }
    const reply = await alice.timeout(5000).emitWithAck("message", { roomId: room.id, content: "over msgpack" });
    assert.equal(reply.ok, true);
    for (const socket of [carol, bob]) assert.equal((await nth(socket, "message"))[0].content, "over msgpack");

    const back = await bob.timeout(5000).emitWithAck("message", { roomId: room.id, content: "over text" });
    assert.equal(back.ok, true);
    for (const socket of [alice, carol]) assert.equal((await nth(socket, "message", 2))[0].content, "over text");
  });

  it("refuses a default-parser client on the msgpack server", async () => {
    await assert.rejects(connectAs(cluster.a, "dave"));
    await cluster.a.waitForLine(/parse error: closed client sid=\S+ address=127\.0\.0\.1: got a text message/);
  });
});
