import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";
import { openClient, collectMessages, toBytes } from "../helpers/engineio.mjs";

async function openRaw(server) {
  const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`);
  const [open] = await once(ws, "message");
  return { ws, sid: JSON.parse(open.toString().substring(1)).sid };
}

describe("WebSocket transport", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("echoes messages for a websocket-only engine.io-client", async () => {
    const socket = await openClient(server, { transports: ["websocket"] });
    assert.equal(socket.transport.name, "websocket");
    const echoes = collectMessages(socket, 3);
    for (const m of ["x", "é€😀", "z"]) socket.send(m);
    assert.deepEqual(await echoes, ["x", "é€😀", "z"]);
    socket.close();
  });

  it("sends each packet in its own frame, text as text and binary as binary", async () => {
    const { ws } = await openRaw(server);
    ws.send("4hello");
    const [text, textIsBinary] = await once(ws, "message");
    assert.equal(textIsBinary, false);
    assert.equal(text.toString(), "4hello");
    ws.send(Buffer.from([1, 2, 3, 4]));
    const [bin, binIsBinary] = await once(ws, "message");
    assert.equal(binIsBinary, true);
    assert.deepEqual([...toBytes(bin)], [1, 2, 3, 4]);
    ws.close();
  });

  it("closes the session when the client sends a close packet", async () => {
    const { ws, sid } = await openRaw(server);
    const closed = once(ws, "close");
    ws.send("1");
    await closed;
    await server.waitForLine(new RegExp(`^close ${sid} transport close$`));
  });

  it("reports a dropped connection as transport close", async () => {
    const { ws, sid } = await openRaw(server);
    ws.terminate();
    await server.waitForLine(new RegExp(`^close ${sid} transport close$`));
  });

  it("refuses a second websocket for a websocket session", async () => {
    const { ws, sid } = await openRaw(server);
    const second = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    second.on("error", () => {});
    await once(second, "close");
    ws.send("4still");
    const [data] = await once(ws, "message");
    assert.equal(data.toString(), "4still");
    ws.close();
  });
});
