// Engine.IO v3 (socket.io-client 2.x) with allow_eio3, against eio-echo-server --allow-eio3 with
// raw HTTP and WebSocket: the length-prefixed text payloads (lengths in UTF-16 code units), binary
// as "b4" + base64 or in XHR2 binary payloads, binary WebSocket messages led by their type byte,
// the heartbeat the client drives, the upgrade. Without the option, v3 is refused.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";

const v3 = (server, query = "") => `${server.url}/engine.io/?EIO=3&transport=polling${query}`;

// Opens a v3 polling session; `b64` asks for binary as base64, as Node's 2.x client does.
async function open(server, { b64 = false } = {}) {
  const res = await fetch(v3(server, b64 ? "&b64=1" : ""));
  const body = await res.text();
  assert.equal(res.status, 200, body);
  const match = body.match(/^(\d+):0(.*)$/s);
  assert.ok(match, `a v3 open payload: ${body}`);
  assert.equal(Number(match[1]), match[2].length + 1);
  return JSON.parse(match[2]);
}

const post = (server, sid, body, contentType = "text/plain;charset=UTF-8") =>
  fetch(v3(server, `&sid=${sid}`), { method: "POST", body, headers: { "content-type": contentType } });
const poll = (server, sid) => fetch(v3(server, `&sid=${sid}`));

describe("Engine.IO v3 (allow_eio3)", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server", { args: ["--allow-eio3", "--ping-interval", "300", "--ping-timeout", "200"] })));
  after(() => server.stop());

  it("opens with the same handshake, in a length-prefixed payload", async () => {
    const openPacket = await open(server);
    assert.deepEqual(openPacket.upgrades, ["websocket"]);
    assert.equal(openPacket.pingInterval, 300);
  });

  it("reads and writes text payloads whose lengths count UTF-16 code units", async () => {
    const { sid } = await open(server);
    // "4é😀" is 4 UTF-16 units (the emoji takes two), 7 UTF-8 bytes.
    assert.equal((await post(server, sid, "4:4é😀6:4hello")).status, 200);
    const res = await poll(server, sid);
    assert.match(res.headers.get("content-type"), /^text\/plain/);
    assert.equal(await res.text(), "4:4é😀6:4hello");
  });

  it("takes binary as b4 + base64 and answers it so when the client asked for base64", async () => {
    const { sid } = await open(server, { b64: true });
    assert.equal((await post(server, sid, "10:b4AQIDBA==")).status, 200);
    assert.equal(await (await poll(server, sid)).text(), "10:b4AQIDBA==");
  });

  it("answers binary in an XHR2 binary payload to a client that takes binary", async () => {
    const { sid } = await open(server);
    // The engine.io-protocol v3 suite's case: a text and a binary packet in, the same out.
    assert.equal((await post(server, sid, "6:4hello10:b4AQIDBA==")).status, 200);
    const res = await poll(server, sid);
    assert.equal(res.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4]);
  });

  it("reads an XHR2 binary payload POSTed as application/octet-stream", async () => {
    const { sid } = await open(server);
    const body = Buffer.from([0, 2, 255, 0x34, 0x78, 1, 3, 255, 4, 9, 9]);
    assert.equal((await post(server, sid, body, "application/octet-stream")).status, 200);
    const res = await poll(server, sid);
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 2, 255, 0x34, 0x78, 1, 3, 255, 4, 9, 9]);
  });

  it("refuses a payload whose length does not match, closing the session", async () => {
    const { sid } = await open(server);
    assert.equal((await post(server, sid, "9:4hello")).status, 400);
    await server.waitForLine(new RegExp(`^close ${sid} parse error$`));
  });

  it("answers the client's pings, sends none of its own, and ends a silent session after interval + timeout", async () => {
    const { sid } = await open(server);
    await post(server, sid, "1:2");
    assert.equal(await (await poll(server, sid)).text(), "1:3");
    // No ping from the server: a poll waits for something else to say.
    const pending = poll(server, sid);
    const started = performance.now();
    assert.equal(await (await pending).text(), "1:1"); // closed for want of pings
    assert.ok(performance.now() - started >= 400, `closed after ${performance.now() - started} ms`);
    await server.waitForLine(new RegExp(`^close ${sid} ping timeout$`));
  });

  it("closes a session whose client sends a pong", async () => {
    const { sid } = await open(server);
    await post(server, sid, "1:3");
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
  });

  it("upgrades to WebSocket, where binary messages start with their type byte", async () => {
    const { sid } = await open(server);
    const pending = poll(server, sid);
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=3&transport=websocket&sid=${sid}`);
    await once(ws, "open");
    ws.send("2probe");
    assert.equal((await once(ws, "message"))[0].toString(), "3probe");
    assert.equal(await (await pending).text(), "1:6");
    ws.send("5");
    ws.send(Buffer.from([4, 1, 2, 3, 4]));
    const [data, isBinary] = await once(ws, "message");
    assert.equal(isBinary, true);
    assert.deepEqual([...data], [4, 1, 2, 3, 4]);
    ws.send("4text");
    assert.equal((await once(ws, "message"))[0].toString(), "4text");
    ws.send("2");
    assert.equal((await once(ws, "message"))[0].toString(), "3");
    ws.close();
  });

  it("refuses JSONP", async () => {
    assert.equal((await fetch(v3(server, "&j=0"))).status, 400);
  });
});

describe("Engine.IO v3 without allow_eio3", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("refuses EIO=3 and a missing EIO with code 5", async () => {
    for (const url of [v3(server), `${server.url}/engine.io/?transport=polling`]) {
      const res = await fetch(url);
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: 5, message: "Unsupported protocol version" });
    }
  });
});
