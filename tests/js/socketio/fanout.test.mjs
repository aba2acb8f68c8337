import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, sleep } from "../helpers/server.mjs";
import { connect, connectMany, until, closeAll } from "../helpers/socketio.mjs";

const CLIENTS = 1000;
const MESSAGES = 20;

describe("Socket.IO broadcast fan-out", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  after(async () => {
    closeAll();
    await server.stop();
  });

  it(`delivers ${MESSAGES} room broadcasts to ${CLIENTS} WebSocket clients, each exactly once and in order`, async () => {
    const options = { transports: ["websocket"] };
    const sockets = await connectMany(server.url, CLIENTS, options, 100);
    assert.equal(new Set(sockets.map((s) => s.id)).size, CLIENTS, "socket ids are not unique");
    const received = sockets.map((socket) => {
      const got = [];
      socket.on("n", (n) => got.push(n));
      return got;
    });
    for (let i = 0; i < CLIENTS; i += 100) {
      await Promise.all(sockets.slice(i, i + 100).map((s) => s.emitWithAck("join", "big")));
    }
    const publisher = await connect(server.url, options);
    const publisherGot = [];
    publisher.on("n", (n) => publisherGot.push(n));
    const members = await publisher.emitWithAck("fetch-sockets", { to: "big" });
    assert.equal(members.length, CLIENTS);

    for (let i = 0; i < MESSAGES; i++) {
      assert.equal(await publisher.emitWithAck("broadcast", { to: "big", event: "n", args: [i] }), true);
    }
    const complete = () => received.filter((got) => got.length >= MESSAGES).length;
    await until(() => complete() === CLIENTS, 10000, "all messages").catch((err) => {
      throw new Error(`${err.message}: ${CLIENTS - complete()} of ${CLIENTS} clients incomplete`);
    });
    await sleep(200); // room for duplicates to show up
    const expected = Array.from({ length: MESSAGES }, (_, i) => i);
    const wrong = received.findIndex((got) => got.length !== MESSAGES || got.some((n, i) => n !== expected[i]));
    if (wrong >= 0) assert.fail(`client ${wrong} received ${JSON.stringify(received[wrong])}`);
    // The publisher is not in the room and the server is still answering.
    assert.deepEqual(publisherGot, []);
    assert.equal(await publisher.emitWithAck("echo", "done"), "done");
  });
});
