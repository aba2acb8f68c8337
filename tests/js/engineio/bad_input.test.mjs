// Bad input closes only the connection or session at fault; a healthy client keeps echoing
// through all of it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";
import { openClient, collectMessages, handshake, pollUrl } from "../helpers/engineio.mjs";

// Sends raw bytes on a fresh TCP connection; resolves with what came back once the server closed.
function rawExchange(server, bytes, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    let response = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server kept the connection open; got ${JSON.stringify(response.slice(0, 80))}`));
    }, timeoutMs);
    socket.on("data", (d) => (response += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(response);
    });
    socket.write(bytes);
  });
}

async function openRaw(server) {
  const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`);
  ws.on("error", () => {});
  const [open] = await once(ws, "message");
  return { ws, sid: JSON.parse(open.toString().substring(1)).sid };
}

describe("bad input", () => {
  let server;
  let healthy;
  before(async () => {
    server = await startServer("eio-echo-server", {
      args: ["--header-timeout", "500", "--ping-interval", "5000", "--ping-timeout", "5000"],
    });
    healthy = await openClient(server, { transports: ["websocket"] });
  });
  after(async () => {
    healthy.close();
    await server.stop();
  });

  async function assertHealthy() {
    const echo = collectMessages(healthy, 1);
    healthy.send("ping?");
    assert.deepEqual(await echo, ["ping?"]);
    healthy.off("message");
  }

  it("answers garbage instead of HTTP with 400 and closes", async () => {
    const response = await rawExchange(server, "GARBAGE\x00\x01\x02 nonsense\r\n\r\n");
    assert.match(response, /^HTTP\/1\.1 400/);
    await assertHealthy();
  });

  it("answers oversized headers with 431 and closes", async () => {
    const response = await rawExchange(
      server,
      `GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20000)}\r\n\r\n`,
    );
    assert.match(response, /^HTTP\/1\.1 431/);
    await assertHealthy();
  });

  it("drops a slowloris connection that trickles its headers", async () => {
    const started = performance.now();
    const socket = net.connect(server.port, "127.0.0.1");
    socket.on("error", () => {});
    await once(socket, "connect");
    socket.write("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n");
    const trickle = setInterval(() => socket.writable && socket.write("X"), 100);
    await once(socket, "close", 3000);
    clearInterval(trickle);
    assert.ok(performance.now() - started < 2500);
    await assertHealthy();
  });

  for (const [name, body] of [
    ["an unknown packet type", "abc"],
    ["an empty payload", ""],
    ["invalid UTF-8", Buffer.from([0x34, 0xc3, 0x28])],
    ["invalid base64", "4ok\x1eb!!not-base64!!"],
  ]) {
    it(`closes a polling session that posts ${name} with parse error`, async () => {
      const { sid } = await handshake(server);
      const res = await fetch(pollUrl(server, sid), { method: "POST", body });
      assert.equal(res.status, 400);
      await server.waitForLine(new RegExp(`^close ${sid} parse error$`));
      assert.equal((await fetch(pollUrl(server, sid))).status, 400);
      await assertHealthy();
    });
  }

  it("refuses a POST over maxPayload with 413 and closes the session", async () => {
    const { sid } = await handshake(server);
    const res = await fetch(pollUrl(server, sid), { method: "POST", body: "4" + "x".repeat(1_100_000) }).catch(
      (e) => e,
    );
    // The server may answer before reading the whole body; either way the session is gone.
    if (!(res instanceof Error)) assert.equal(res.status, 413);
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
    await assertHealthy();
  });

  it("refuses a binary content type on polling (v4 payloads are text)", async () => {
    const { sid } = await handshake(server);
    const res = await fetch(pollUrl(server, sid), {
      method: "POST",
      body: "4hi",
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(res.status, 400);
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
  });

  it("closes a websocket that sends an undecodable packet with parse error", async () => {
    const { ws, sid } = await openRaw(server);
    const closed = once(ws, "close");
    ws.send("abc");
    await closed;
    await server.waitForLine(new RegExp(`^close ${sid} parse error$`));
    await assertHealthy();
  });

  it("closes a websocket that sends invalid UTF-8 with code 1007", async () => {
    const { ws, sid } = await openRaw(server);
    const closed = once(ws, "close");
    ws.send(Buffer.from([0x34, 0xff, 0xfe]), { binary: false });
    const [code] = await closed;
    assert.equal(code, 1007);
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
    await assertHealthy();
  });

  it("closes a websocket that sends a frame over maxPayload with code 1009", async () => {
    const { ws, sid } = await openRaw(server);
    const closed = once(ws, "close");
    ws.send(Buffer.alloc(1_100_000, 1));
    const [code] = await closed;
    assert.equal(code, 1009);
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
    await assertHealthy();
  });

  it("closes a websocket that pings the server (v4 pings go the other way)", async () => {
    const { ws, sid } = await openRaw(server);
    const closed = once(ws, "close");
    ws.send("2");
    await closed;
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
    await assertHealthy();
  });
});
