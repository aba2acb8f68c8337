// Namespace::set_event_rate_limit, driven with the real socket.io-client against the fixture's
// "/limited" namespace (10 events/s, a burst of 5, disconnected after 1 s of refusals; refused
// events acked ["limited"] or told `error` "slow down"). "/" has no limit.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, sleep } from "../helpers/server.mjs";
import { connect, next, closeAll, until } from "../helpers/socketio.mjs";

const BURST = 5;

describe("event rate limit per namespace", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  afterEach(closeAll);
  after(() => server.stop());

  const echoes = (socket, count) =>
    Promise.all(Array.from({ length: count }, (_, i) => socket.timeout(3000).emitWithAck("echo", i)));

  it("handles a burst, then answers the acks of refused events with the configured response", async () => {
    const socket = await connect(`${server.url}/limited`);
    const answers = await echoes(socket, BURST + 3);
    assert.deepEqual(answers.slice(0, BURST), [0, 1, 2, 3, 4]);
    assert.deepEqual(answers.slice(BURST), ["limited", "limited", "limited"]);
  });

  it("sends the configured error event for a refused event without an ack", async () => {
    const socket = await connect(`${server.url}/limited`);
    const error = next(socket, "error");
    for (let i = 0; i < BURST + 1; i++) socket.emit("echo", i);
    assert.deepEqual(await error, ["slow down"]);
  });

  it("refills the bucket at the configured rate", async () => {
    const socket = await connect(`${server.url}/limited`);
    await echoes(socket, BURST);
    await sleep(350);  // 3.5 events' worth at 10/s
    const answers = await echoes(socket, 5);
    const handled = answers.filter((a) => a !== "limited").length;
    assert.ok(handled >= 3 && handled <= 4, `${handled} handled`);
  });

  it("does not limit the acks a client sends back", async () => {
    const socket = await connect(`${server.url}/limited`);
    let answer;
    socket.on("question", (callback) => (answer = callback));
    const asked = socket.timeout(3000).emitWithAck("server-ask", { event: "question" });
    await until(() => answer, 3000, "the server's question");
    await echoes(socket, BURST + 2);  // the bucket is empty now
    answer("still heard");
    assert.deepEqual(await asked, { err: null, response: ["still heard"] });
  });

  it("leaves namespaces without a limit alone", async () => {
    const socket = await connect(server.url);
    const answers = await echoes(socket, 50);
    assert.deepEqual(answers, Array.from({ length: 50 }, (_, i) => i));
  });

  it("disconnects a socket refused for longer than disconnect_after, and counts it", async () => {
    const socket = await connect(`${server.url}/limited`);
    const stats = await connect(server.url);
    const before = await stats.emitWithAck("stats");
    const gone = new Promise((resolve) => socket.once("disconnect", resolve));
    const start = performance.now();
    while (socket.connected && performance.now() - start < 3000) {
      for (let i = 0; i < 10; i++) socket.emit("echo", i);
      await sleep(20);
    }
    assert.equal(await gone, "io server disconnect");
    assert.ok(performance.now() - start >= 1000);
    const after = await stats.emitWithAck("stats");
    assert.equal(after.rateLimitedDisconnects - before.rateLimitedDisconnects, 1);
    assert.ok(after.rateLimitedEvents - before.rateLimitedEvents > 100);
  });
});
