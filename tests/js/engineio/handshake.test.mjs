import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";
import { handshake } from "../helpers/engineio.mjs";

async function errorOf(url, init) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
}

describe("handshake", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("opens a polling session with the advertised settings", async () => {
    const open = await handshake(server);
    assert.deepEqual(Object.keys(open).sort(), ["maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"]);
    assert.deepEqual(open.upgrades, ["websocket"]);
    assert.equal(open.pingInterval, 300);
    assert.equal(open.pingTimeout, 200);
    assert.equal(open.maxPayload, 1000000);
  });

  it("gives every session a distinct unguessable sid", async () => {
    const sids = await Promise.all(Array.from({ length: 20 }, () => handshake(server).then((o) => o.sid)));
    assert.equal(new Set(sids).size, sids.length);
    for (const sid of sids) assert.match(sid, /^[A-Za-z0-9_-]{20,}$/);
  });

  it("opens a websocket-only session with no upgrades", async () => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`);
    const [data] = await once(ws, "message");
    const text = data.toString();
    assert.equal(text[0], "0");
    assert.deepEqual(JSON.parse(text.substring(1)).upgrades, []);
    ws.close();
  });

  it("refuses an unknown transport with code 0", async () => {
    const err = await errorOf(`${server.url}/engine.io/?EIO=4&transport=carrier-pigeon`);
    assert.equal(err.status, 400);
    assert.equal(err.type, "application/json");
    assert.deepEqual(err.body, { code: 0, message: "Transport unknown" });
  });

  it("refuses an unknown sid with code 1", async () => {
    const err = await errorOf(`${server.url}/engine.io/?EIO=4&transport=polling&sid=nope`);
    assert.equal(err.status, 400);
    assert.deepEqual(err.body, { code: 1, message: "Session ID unknown" });
  });

  it("refuses a handshake that is not a GET with code 2", async () => {
    for (const method of ["POST", "PUT"]) {
      const err = await errorOf(`${server.url}/engine.io/?EIO=4&transport=polling`, { method });
      assert.equal(err.status, 400);
      assert.deepEqual(err.body, { code: 2, message: "Bad handshake method" });
    }
  });

  it("refuses transport=websocket without an upgrade with code 3", async () => {
    const err = await errorOf(`${server.url}/engine.io/?EIO=4&transport=websocket`);
    assert.equal(err.status, 400);
    assert.deepEqual(err.body, { code: 3, message: "Bad request" });
  });

  it("refuses protocol versions other than 4 with code 5", async () => {
    for (const eio of ["", "&EIO=3", "&EIO=abc"]) {
      const err = await errorOf(`${server.url}/engine.io/?transport=polling${eio}`);
      assert.equal(err.status, 400);
      assert.deepEqual(err.body, { code: 5, message: "Unsupported protocol version" });
    }
  });

  it("closes a websocket handshake with a bad protocol version", async () => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=3&transport=websocket`);
    const [, res] = await once(ws, "unexpected-response");
    assert.equal(res.statusCode, 400);
  });

  it("answers 404 outside the endpoint path", async () => {
    const res = await fetch(`${server.url}/elsewhere`);
    assert.equal(res.status, 404);
  });
});

describe("allowRequest hook", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server", { args: ["--forbid-query-param", "deny"] })));
  after(() => server.stop());

  it("refuses a polling handshake with 403 and code 4", async () => {
    const err = await errorOf(`${server.url}/engine.io/?EIO=4&transport=polling&deny=1`);
    assert.equal(err.status, 403);
    assert.deepEqual(err.body, { code: 4, message: "Forbidden" });
  });

  it("refuses a websocket handshake", async () => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket&deny=1`);
    const [, res] = await once(ws, "unexpected-response");
    assert.equal(res.statusCode, 403);
  });

  it("lets other handshakes through", async () => {
    const open = await handshake(server);
    assert.equal(typeof open.sid, "string");
  });
});
