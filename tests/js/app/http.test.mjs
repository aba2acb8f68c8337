import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, api, createRoom, connectAs, metrics, eventually } from "../helpers/app.mjs";

// Paths as the server finds them from the working directory (ctest runs from the checkout).
const INDEX_HTML = "web/index.html";
const CLIENT_SCRIPT = "node_modules/socket.io-client/dist/socket.io.min.js";

describe("sio-server HTTP endpoints", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  it('answers /healthz 200 {"status":"ok"}', async () => {
    const res = await api(server, "GET", "/healthz");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /application\/json/);
    assert.deepEqual(res.body, { status: "ok" });
  });

  it("answers /readyz 200 with the database ok", async () => {
    const res = await api(server, "GET", "/readyz");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: "ready", database: "ok" });
  });

  it("serves /metrics as Prometheus text: HELP and TYPE for every metric, one sample a line", async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/plain/);
    const text = await res.text();
    assert.ok(text.endsWith("\n"));
    const typed = new Map();
    for (const line of text.trimEnd().split("\n")) {
      const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
      if (comment) {
        if (comment[1] === "TYPE") {
          assert.match(comment[3], /^(counter|gauge|histogram|summary|untyped)$/);
          typed.set(comment[2], comment[3]);
        }
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (\S+)$/.exec(line);
      assert.ok(sample, `not a Prometheus sample line: ${JSON.stringify(line)}`);
      assert.ok(!Number.isNaN(Number(sample[4].replace("+Inf", "Infinity"))), `not a number: ${line}`);
      const family = sample[1].replace(/_(bucket|sum|count)$/, "");
      assert.ok(typed.has(sample[1]) || typed.get(family) === "histogram", `no TYPE before ${sample[1]}`);
    }
    for (const name of ["sio_connections", "sio_sockets", "sio_rooms", "sio_messages_stored_total", "sio_store_batch_seconds"]) {
      assert.ok(typed.has(name), `no ${name}`);
    }
    assert.equal(typed.get("sio_messages_stored_total"), "counter");
    assert.equal(typed.get("sio_store_batch_seconds"), "histogram");
  });

  it('reports connections and sockets{namespace="/"} in /metrics', async () => {
    await eventually(async () => assert.equal((await metrics(server))['sio_sockets{namespace="/"}'], 0));
    const before = await metrics(server);
    await connectAs(server, "alice");
    await connectAs(server, "bob");
    const m = await metrics(server);
    assert.equal(m['sio_sockets{namespace="/"}'], 2);
    assert.equal(m.sio_connections, before.sio_connections + 2);
    assert.equal(m.sio_online_users, 2);
  });

  it("increases sio_messages_stored_total after a message", async () => {
    const room = await createRoom(server, "alice");
    const alice = await connectAs(server, "alice");
    await alice.timeout(3000).emitWithAck("join-room", room.id);
    const before = (await metrics(server)).sio_messages_stored_total;
    for (let i = 0; i < 3; i++) await alice.timeout(3000).emitWithAck("message", { roomId: room.id, content: `m${i}` });
    assert.equal((await metrics(server)).sio_messages_stored_total, before + 3);
  });

  it("exposes sio_store_batch_seconds_bucket as a cumulative histogram that counts store transactions", async () => {
    const before = await metrics(server);
    await api(server, "GET", "/readyz"); // one store transaction
    const m = await metrics(server);
    const buckets = Object.entries(m)
      .filter(([k]) => k.startsWith("sio_store_batch_seconds_bucket{"))
      .map(([k, v]) => [/le="([^"]+)"/.exec(k)[1], v]);
    assert.ok(buckets.length >= 2);
    assert.equal(buckets.at(-1)[0], "+Inf");
    const bounds = buckets.slice(0, -1).map(([le]) => Number(le));
    assert.deepEqual(bounds, [...bounds].sort((a, b) => a - b), "bucket bounds not increasing");
    const counts = buckets.map(([, v]) => v);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), "bucket counts not cumulative");
    assert.equal(m.sio_store_batch_seconds_count, buckets.at(-1)[1]);
    assert.ok(m.sio_store_batch_seconds_count > before.sio_store_batch_seconds_count, "the store transaction was not counted");
    assert.ok(m.sio_store_batch_seconds_sum >= before.sio_store_batch_seconds_sum);
  });

  it("answers an unknown path with 404 and a JSON {error}", async () => {
    for (const path of ["/nope", "/healthz/extra", "/web/index.html", "/../etc/passwd"]) {
      const res = await api(server, "GET", path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get("content-type"), /application\/json/, path);
      assert.equal(typeof res.body.error, "string", path);
    }
  });

  it("answers an unknown /api path with 404 JSON (with a token) and 401 (without)", async () => {
    const res = await api(server, "GET", "/api/nothing", { token: server.token("alice") });
    assert.equal(res.status, 404);
    assert.equal(typeof res.body.error, "string");
    assert.equal((await api(server, "GET", "/api/nothing")).status, 401);
  });

  it("answers 405 to a method the path does not take", async () => {
    assert.equal((await api(server, "POST", "/healthz", { body: {} })).status, 405);
    assert.equal((await api(server, "DELETE", "/api/rooms", { token: server.token("alice") })).status, 405);
  });

  it("serves the demo page at / as HTML", async () => {
    const res = await api(server, "GET", "/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.equal(res.text, readFileSync(INDEX_HTML, "utf8"));
    assert.match(res.text, /<html/i);
  });

  it("serves the Socket.IO client the page loads at /socket.io/socket.io.min.js", async () => {
    assert.match(readFileSync(INDEX_HTML, "utf8"), /src="\/socket\.io\/socket\.io\.min\.js"/);
    const res = await api(server, "GET", "/socket.io/socket.io.min.js");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /javascript/);
    assert.equal(res.text, readFileSync(CLIENT_SCRIPT, "utf8"));
  });
});
