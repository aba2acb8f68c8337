import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";
import { openClient, collectMessages, handshake, pollUrl } from "../helpers/engineio.mjs";

describe("upgrade from polling to WebSocket", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("ends on websocket with the default engine.io-client", async () => {
    const socket = await openClient(server);
    assert.equal(socket.transport.name, "polling");
    await once(socket, "upgrade");
    assert.equal(socket.transport.name, "websocket");
    await server.waitForLine(new RegExp(`^upgrade ${socket.id} websocket$`));
    socket.close();
  });

  it("loses, duplicates and reorders nothing sent across the upgrade", async () => {
    const count = 300;
    const socket = await openClient(server);
    const echoes = collectMessages(socket, count, 15000);
    // Sent from the moment the session opens, so messages straddle the transport switch.
    let sent = 0;
    await new Promise((resolve) => {
      const tick = () => {
        for (let i = 0; i < 10 && sent < count; i++) socket.send(String(sent++));
        if (sent < count) setTimeout(tick, 2);
        else resolve();
      };
      tick();
    });
    const received = await echoes;
    assert.deepEqual(received, Array.from({ length: count }, (_, i) => String(i)));
    assert.equal(socket.transport.name, "websocket");
    socket.close();
  });

  it("answers the probe and releases the pending GET with a noop", async () => {
    const { sid } = await handshake(server);
    const pending = fetch(pollUrl(server, sid));
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    await once(ws, "open");
    ws.send("2probe");
    const [probe] = await once(ws, "message");
    assert.equal(probe.toString(), "3probe");
    assert.equal(await (await pending).text(), "6");
    ws.send("5");
    ws.send("4after");
    const [data] = await once(ws, "message");
    assert.equal(data.toString(), "4after");
    // Polling is over for this session.
    assert.equal((await fetch(pollUrl(server, sid))).status, 400);
    ws.close();
  });

  it("answers a poll held while an upgrade is not yet probed as soon as a packet is queued", async () => {
    const { sid } = await handshake(server);
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    await once(ws, "open");
    // The upgrade has begun: this poll waits, for the packet below rather than for a set time.
    const pending = fetch(pollUrl(server, sid));
    const post = await fetch(pollUrl(server, sid), { method: "POST", body: "4first emit" });
    assert.equal(post.status, 200);
    assert.equal(await (await pending).text(), "4first emit");
    ws.close();
  });

  it("tells a client that paused polling for a probed upgrade that its session ended, on the new WebSocket", async () => {
    const { sid } = await handshake(server);
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    await once(ws, "open");
    ws.send("2probe");
    assert.equal((await once(ws, "message"))[0].toString(), "3probe");
    // A client that got 3probe polls no more until its upgrade is done; the session ends meanwhile.
    await fetch(pollUrl(server, sid), { method: "POST", body: "9not a packet" });
    await server.waitForLine(new RegExp(`^close ${sid} parse error$`));
    const closing = once(ws, "message");
    ws.send("5");
    assert.equal((await closing)[0].toString(), "1");
    await once(ws, "close");
  });

  it("keeps the session on polling when the probe goes wrong", async () => {
    const { sid } = await handshake(server);
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    await once(ws, "open");
    const closed = once(ws, "close");
    ws.send("4not a probe");
    await closed;
    const post = await fetch(pollUrl(server, sid), { method: "POST", body: "4still polling" });
    assert.equal(post.status, 200);
    assert.equal(await (await fetch(pollUrl(server, sid))).text(), "4still polling");
  });
});
