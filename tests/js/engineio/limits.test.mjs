// Connection and resource limits of the Engine.IO server: open connections in all and per peer
// address (counted at accept time, refused by closing at once), handshakes per second per
// address (HTTP 429), request header size and header-read time. Raw TCP clients play the
// attackers, from several loopback addresses; the real engine.io-client checks that clients see
// a connection error when refused and that everyone else is served meanwhile.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { Socket } from "engine.io-client";
import { startServer, once } from "../helpers/server.mjs";
import { openClient, collectMessages } from "../helpers/engineio.mjs";
import {
  holdConnection,
  holdConnectionEventually,
  closedByServer,
  exchange,
  trickleHeaders,
  rawGet,
} from "../helpers/tcp.mjs";

// A refused connection is closed at once; an admitted idle one stays open for the idle timeout
// (60 s), so this bound tells them apart with room for a loaded machine.
const PROMPTLY_MS = 3000;

async function assertEchoes(socket, text = "still served") {
  const echo = collectMessages(socket, 1);
  socket.send(text);
  assert.deepEqual(await echo, [text]);
  socket.off("message");
}

// The error an engine.io-client gets instead of opening (rejects if it opens).
function openError(server, options) {
  const socket = new Socket(server.url, { path: "/engine.io/", ...options });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("neither open nor error within 5 s")), 5000);
    socket.once("open", () => {
      clearTimeout(timer);
      socket.close();
      reject(new Error("the client opened a session; a refusal was expected"));
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      socket.close();
      resolve(err);
    });
  });
}

// An open engine.io-client, retried until the server admits it (a place just freed may take a
// moment to be seen).
async function openWhenAdmitted(server, options, timeoutMs = 5000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const socket = new Socket(server.url, { path: "/engine.io/", ...options });
    const opened = await new Promise((resolve) => {
      socket.once("open", () => resolve(true));
      socket.once("error", () => resolve(false));
    });
    if (opened) return socket;
    socket.close();
    if (performance.now() > deadline) throw new Error(`not admitted within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("max connections per IP", () => {
  let server;
  const held = [];
  const clients = [];
  before(async () => {
    server = await startServer("eio-echo-server", {
      args: ["--max-connections-per-ip", "3", "--ping-interval", "5000", "--ping-timeout", "5000"],
    });
  });
  afterEach(() => {
    for (const socket of held.splice(0)) socket.destroy();
    for (const client of clients.splice(0)) client.close();
  });
  after(() => server.stop());

  // Fills the quota of `localAddress` with idle connections, waiting out places still held by
  // an earlier test's connections.
  async function fill(localAddress, count = 3) {
    held.push(await holdConnectionEventually(server, { localAddress }));
    for (let i = 1; i < count; i++) held.push(await holdConnection(server, { localAddress }));
  }

  it("closes a connection over the limit at once, without reading or answering", async () => {
    await fill("127.0.0.2");
    const refused = await closedByServer(server, { localAddress: "127.0.0.2", timeoutMs: PROMPTLY_MS });
    assert.equal(refused.received, "");
  });

  it("gives the official client a connection error while its address is at the limit", async () => {
    await fill("127.0.0.3");
    const err = await openError(server, { transports: ["websocket"], localAddress: "127.0.0.3" });
    assert.equal(err.message, "websocket error");
  });

  it("serves other addresses while one is at its limit", async () => {
    await fill("127.0.0.4");
    const client = await openClient(server, { transports: ["websocket"], localAddress: "127.0.0.5" });
    clients.push(client);
    await assertEchoes(client);
  });

  it("admits a connection again once one of the address's connections closed", async () => {
    await fill("127.0.0.6");
    held.shift().destroy();
    held.push(await holdConnectionEventually(server, { localAddress: "127.0.0.6" }));
    await closedByServer(server, { localAddress: "127.0.0.6", timeoutMs: PROMPTLY_MS });
  });

  it("keeps counting a WebSocket session's connection after the handshake hands it over", async () => {
    const localAddress = "127.0.0.7";
    for (let i = 0; i < 3; i++) {
      clients.push(await openClient(server, { transports: ["websocket"], localAddress }));
    }
    await closedByServer(server, { localAddress, timeoutMs: PROMPTLY_MS });
    await assertEchoes(clients[0]);
    clients.shift().close();
    held.push(await holdConnectionEventually(server, { localAddress }));
  });

  it("keeps counting the WebSocket a polling session upgraded to", async () => {
    // Polling requests come from 127.0.0.1 (one connection each, closed after the answer); the
    // WebSocket is the only lasting connection of the session.
    const client = await openClient(server);
    clients.push(client);
    if (client.transport.name !== "websocket") await once(client, "upgrade");
    held.push(await holdConnectionEventually(server));
    held.push(await holdConnectionEventually(server));
    await closedByServer(server, { timeoutMs: PROMPTLY_MS });
    await assertEchoes(client);
    clients.shift().close();
    held.push(await holdConnectionEventually(server));
  });
});

describe("max connections in all", () => {
  let server;
  const held = [];
  before(async () => {
    server = await startServer("eio-echo-server", { args: ["--max-connections", "4"] });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await server.stop();
  });

  it("closes a connection from any address once the server holds the maximum", async () => {
    held.push(await holdConnection(server, { localAddress: "127.0.0.11" }));
    held.push(await holdConnection(server, { localAddress: "127.0.0.11" }));
    held.push(await holdConnection(server, { localAddress: "127.0.0.12" }));
    held.push(await holdConnection(server, { localAddress: "127.0.0.13" }));
    const refused = await closedByServer(server, { localAddress: "127.0.0.14", timeoutMs: PROMPTLY_MS });
    assert.equal(refused.received, "");
  });

  it("admits again once a connection closed", async () => {
    held.shift().destroy();
    const client = await openWhenAdmitted(server, { transports: ["websocket"], localAddress: "127.0.0.14" });
    await assertEchoes(client);
    client.close();
  });
});

describe("handshake rate per IP", () => {
  let server;
  before(async () => {
    server = await startServer("eio-echo-server", {
      args: ["--handshake-rate", "0.5", "--handshake-burst", "3", "--ping-interval", "5000", "--ping-timeout", "5000"],
    });
  });
  after(() => server.stop());

  const handshakeFrom = (localAddress) =>
    rawGet(server, "/engine.io/?EIO=4&transport=polling", { localAddress });

  it("answers handshakes beyond the burst with 429, Retry-After and an Engine.IO error body", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await handshakeFrom("127.0.0.21")).status, 200);
    const refused = await handshakeFrom("127.0.0.21");
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers["retry-after"]) >= 1, `Retry-After: ${refused.headers["retry-after"]}`);
    assert.deepEqual(JSON.parse(refused.body), { code: 4, message: "Too many handshakes" });
  });

  it("gives the official client an error carrying the 429", async () => {
    // The client polls from 127.0.0.1: spend that address's tokens first. On a stalled machine a
    // token may come back before the client asks; then spend it and try again.
    for (let attempt = 1; ; attempt++) {
      while ((await handshakeFrom(undefined)).status === 200);
      try {
        const err = await openError(server, { transports: ["polling"] });
        assert.equal(err.message, "xhr poll error");
        assert.equal(err.description, 429);
        return;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  });

  it("lets other addresses open sessions while one is over the rate", async () => {
    while ((await handshakeFrom("127.0.0.23")).status === 200);
    const client = await openClient(server, { transports: ["websocket"], localAddress: "127.0.0.24" });
    await assertEchoes(client);
    client.close();
  });

  it("keeps serving the sessions an address opened once it is over the rate", async () => {
    const client = await openClient(server, { transports: ["websocket"], localAddress: "127.0.0.25" });
    while ((await handshakeFrom("127.0.0.25")).status === 200);
    for (let i = 0; i < 5; i++) await assertEchoes(client, `message ${i}`);
    client.close();
  });

  it("admits the address again as its bucket refills", async () => {
    while ((await handshakeFrom("127.0.0.26")).status === 200);
    const deadline = performance.now() + 8000;
    let status;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await handshakeFrom("127.0.0.26")).status;
    } while (status === 429 && performance.now() < deadline);
    assert.equal(status, 200);
  });
});

describe("request headers", () => {
  let server;
  let healthy;
  before(async () => {
    server = await startServer("eio-echo-server", {
      args: ["--max-header-bytes", "8192", "--header-timeout", "2000", "--ping-interval", "5000", "--ping-timeout", "5000"],
    });
    healthy = await openClient(server, { transports: ["websocket"] });
  });
  after(async () => {
    healthy.close();
    await server.stop();
  });

  const request = (headerBytes) =>
    `GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(headerBytes)}\r\n\r\n`;

  it("answers 20 KB of headers with 431 and closes the connection", async () => {
    const response = await exchange(server, request(20 * 1024));
    assert.match(response, /^HTTP\/1\.1 431 /);
    await assertEchoes(healthy);
  });

  it("applies the configured header limit, not the default", async () => {
    // 10 KB passes the default 16 KiB but not --max-header-bytes 8192.
    assert.match(await exchange(server, request(10 * 1024)), /^HTTP\/1\.1 431 /);
    const fits = await rawGet(server, "/engine.io/?EIO=4&transport=polling", { headers: { "X-Big": "a".repeat(6 * 1024) } });
    assert.equal(fits.status, 200);
  });

  it("closes a client that trickles a header byte per second once the header timeout passed", async () => {
    const trickling = trickleHeaders(server, {
      head: "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Slow: ",
      intervalMs: 1000,
    });
    // Meanwhile a new client connects and is served.
    const client = await openClient(server, { transports: ["polling"] });
    await assertEchoes(client);
    client.close();
    const { ms, response } = await trickling;
    assert.equal(response, "");
    assert.ok(ms >= 1500, `closed after ${ms} ms, before the 2 s header timeout`);
    assert.ok(ms < 8000, `closed only after ${ms} ms`);
    await assertEchoes(healthy);
  });
});
