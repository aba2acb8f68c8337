import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, once } from "../helpers/server.mjs";
import { openClient, collectMessages, handshake, pollUrl } from "../helpers/engineio.mjs";

describe("HTTP long-polling", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("echoes messages for a polling-only engine.io-client", async () => {
    const socket = await openClient(server, { transports: ["polling"] });
    assert.equal(socket.transport.name, "polling");
    const echoes = collectMessages(socket, 3);
    socket.send("one");
    socket.send("two");
    socket.send("three");
    assert.deepEqual(await echoes, ["one", "two", "three"]);
    socket.close();
  });

  it("flushes everything queued since the last GET in one response", async () => {
    const { sid } = await handshake(server);
    const post = await fetch(pollUrl(server, sid), { method: "POST", body: "4a\x1e4b\x1ebAQID" });
    assert.equal(post.status, 200);
    assert.equal(await post.text(), "ok");
    const poll = await fetch(pollUrl(server, sid));
    assert.equal(poll.status, 200);
    assert.equal(poll.headers.get("content-type"), "text/plain; charset=UTF-8");
    assert.equal(await poll.text(), "4a\x1e4b\x1ebAQID");
  });

  it("closes the session on a second concurrent GET", async () => {
    const { sid } = await handshake(server);
    const first = fetch(pollUrl(server, sid));
    await new Promise((r) => setTimeout(r, 20));
    const second = await fetch(pollUrl(server, sid));
    assert.equal(second.status, 400);
    const firstRes = await first;
    assert.equal(firstRes.status, 200);
    assert.equal(await firstRes.text(), "1");
    assert.equal((await fetch(pollUrl(server, sid))).status, 400);
    await server.waitForLine(new RegExp(`^close ${sid} transport error$`));
  });

  it("releases a pending GET with a noop when the client closes", async () => {
    const { sid } = await handshake(server);
    const [poll, post] = await Promise.all([
      fetch(pollUrl(server, sid)),
      new Promise((r) => setTimeout(r, 20)).then(() => fetch(pollUrl(server, sid), { method: "POST", body: "1" })),
    ]);
    assert.equal(post.status, 200);
    assert.equal(await poll.text(), "6");
    await server.waitForLine(new RegExp(`^close ${sid} transport close$`));
    assert.equal((await fetch(pollUrl(server, sid))).status, 400);
  });

  it("reports a client-side close of engine.io-client as transport close", async () => {
    const socket = await openClient(server, { transports: ["polling"] });
    const sid = socket.id;
    socket.close();
    await server.waitForLine(new RegExp(`^close ${sid} transport close$`));
  });

  it("keeps serving other sessions when one is closed", async () => {
    const a = await openClient(server, { transports: ["polling"] });
    const b = await openClient(server, { transports: ["polling"] });
    const closed = once(a, "close");
    a.close();
    await closed;
    const echo = collectMessages(b, 1);
    b.send("still here");
    assert.deepEqual(await echo, ["still here"]);
    b.close();
  });
});
