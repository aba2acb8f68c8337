import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { startServer, once } from "../helpers/server.mjs";
import { collectMessages } from "../helpers/engineio.mjs";

describe("concurrency", () => {
  let server;
  // Default heartbeat here: the test is about many clients, not about timers under load.
  before(async () =>
    (server = await startServer("eio-echo-server", { args: ["--ping-interval", "25000", "--ping-timeout", "20000"] })));
  after(() => server.stop());

  it("serves 500 concurrent clients echoing five messages each", { timeout: 60000 }, async () => {
    const clients = 500;
    const sockets = await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        // One in five starts on polling (and upgrades); the rest are websocket-only.
        const transports = i % 5 === 0 ? ["polling", "websocket"] : ["websocket"];
        const socket = new Socket(server.url, { path: "/engine.io/", transports });
        await once(socket, "open", 20000);
        return socket;
      }),
    );
    const results = await Promise.all(
      sockets.map(async (socket, i) => {
        const echoes = collectMessages(socket, 5, 30000);
        const sent = Array.from({ length: 5 }, (_, k) => `${i}:${k}`);
        for (const m of sent) socket.send(m);
        return { sent, got: await echoes };
      }),
    );
    for (const { sent, got } of results) assert.deepEqual(got, sent);
    await Promise.all(sockets.map((s) => { const c = once(s, "close", 10000); s.close(); return c; }));
    const opened = server.lines.filter((l) => l.startsWith("open ")).length;
    assert.equal(opened, clients);
  });
});
