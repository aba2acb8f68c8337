import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startServer, once, sleep } from "../helpers/server.mjs";
import { openClient, collectMessages, handshake, pollUrl } from "../helpers/engineio.mjs";

describe("heartbeat", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  for (const transport of ["polling", "websocket"]) {
    it(`keeps an answering ${transport} client connected across many intervals`, async () => {
      const socket = await openClient(server, { transports: [transport] });
      let pings = 0;
      socket.on("ping", () => pings++);
      let closed = false;
      socket.on("close", () => (closed = true));
      await sleep(1600); // more than three ping intervals plus timeouts
      assert.equal(closed, false);
      assert.ok(pings >= 3, `only ${pings} pings`);
      const echo = collectMessages(socket, 1);
      socket.send("alive");
      assert.deepEqual(await echo, ["alive"]);
      socket.close();
    });
  }

  it("closes a websocket client that stops answering pings", async () => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`);
    const [open] = await once(ws, "message");
    const { sid } = JSON.parse(open.toString().substring(1));
    const started = performance.now();
    const [ping] = await once(ws, "message");
    assert.equal(ping.toString(), "2");
    await once(ws, "close", 3000);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 400, `closed after ${elapsed} ms`);
    await server.waitForLine(new RegExp(`^close ${sid} ping timeout$`));
  });

  it("closes a polling session whose client stops answering", async () => {
    const { sid } = await handshake(server);
    await server.waitForLine(new RegExp(`^close ${sid} ping timeout$`), 3000);
    assert.equal((await fetch(pollUrl(server, sid))).status, 400);
  });
});
