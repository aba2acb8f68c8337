// sio-server behind the shipped nginx recipe (deploy/nginx/sio.conf) with SIO_TRUSTED_PROXIES:
// the client address (handshake.address, the log, the per-address limits) is the one nginx
// forwards, X-Forwarded-For and Forwarded from peers that are not trusted are ignored, and a
// client cannot spoof its way past a limit through nginx either. Clients come from their own
// loopback addresses (127.0.0.x). Then the default limits: 1000 users behind one address (a NAT)
// all get in, while a handshake flood from one address is still slowed.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { client, closeAll, connect, connectError, until, whenConnected } from "../helpers/socketio.mjs";
import { startApp, metrics } from "../helpers/app.mjs";
import { rawGet } from "../helpers/tcp.mjs";
import { getStatus, startNginx } from "../helpers/nginx.mjs";

const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";
const agentFrom = (localAddress) => new http.Agent({ keepAlive: true, localAddress });

// The address sio-server logs for the next connection of `user` ("connect user=… address=…").
const loggedAddress = async (server, user) =>
  (await server.waitForLine(new RegExp(`connect user=${user} socket=\\S+ transport=\\S+ address=(\\S+)`)))[1];

describe("sio-server behind nginx with SIO_TRUSTED_PROXIES", () => {
  let server;
  let nginx;
  before(async () => {
    server = await startApp({
      env: {
        SIO_TRUSTED_PROXIES: "127.0.0.1, ::1",
        SIO_MAX_CONNECTIONS_PER_IP: "3",
        SIO_HANDSHAKE_RATE: "0.001",
        SIO_HANDSHAKE_BURST: "3",
      },
    });
    nginx = await startNginx([server.port]);
  });
  afterEach(closeAll);
  after(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  const viaNginx = (user, localAddress, options = {}) =>
    client(nginx.url, { auth: { token: server.token(user) }, agent: agentFrom(localAddress), ...options });

  it("takes handshake.address from the X-Forwarded-For nginx sets, over polling and the upgrade", async () => {
    const socket = await whenConnected(viaNginx("alice", "127.0.0.2"));
    assert.equal(await loggedAddress(server, "alice"), "127.0.0.2");
    await until(() => socket.io.engine.transport.name === "websocket", 5000, "the upgrade through nginx");
  });

  it("limits handshakes per forwarded client, not per proxy", async () => {
    const handshake = (from) => getStatus(nginx.url + HANDSHAKE, { agent: agentFrom(from) });
    for (let i = 0; i < 3; i++) assert.equal(await handshake("127.0.0.3"), 200);
    assert.equal(await handshake("127.0.0.3"), 429);
    // Every request reached sio-server from nginx's 127.0.0.1: a limit keyed on the peer would
    // refuse this one too.
    assert.equal(await handshake("127.0.0.4"), 200);
  });

  it("does not let a client spoof X-Forwarded-For through nginx", async () => {
    // nginx appends the address it sees: the rightmost hop nginx did not add is the client.
    const statuses = [];
    for (let i = 1; i <= 4; i++) {
      statuses.push(
        await getStatus(nginx.url + HANDSHAKE, {
          agent: agentFrom("127.0.0.5"),
          headers: { "x-forwarded-for": `10.0.0.${i}` },
        }),
      );
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const socket = viaNginx("bob", "127.0.0.6", { transports: ["websocket"], extraHeaders: { "x-forwarded-for": "10.0.0.9" } });
    await whenConnected(socket);
    assert.equal(await loggedAddress(server, "bob"), "127.0.0.6");
  });

  it("limits connections per forwarded client and counts them in /metrics", async () => {
    const before = await metrics(server);
    const ws = (user) => viaNginx(user, "127.0.0.7", { transports: ["websocket"] });
    for (let i = 0; i < 3; i++) await whenConnected(ws("carol"));
    const err = await connectError(nginx.url, { auth: { token: server.token("carol") }, agent: agentFrom("127.0.0.7"), transports: ["websocket"] });
    assert.equal(err.message, "websocket error");
    const after = await metrics(server);
    const refused = 'sio_connections_refused_total{limit="max_connections_per_ip"}';
    assert.equal(after[refused] - before[refused], 1);
    assert.equal(after.sio_handshakes_rate_limited_total, before.sio_handshakes_rate_limited_total);
    await connect(nginx.url, { auth: { token: server.token("dave") }, agent: agentFrom("127.0.0.8"), transports: ["websocket"] });
  });

  it("ignores X-Forwarded-For and Forwarded from a peer it does not trust", async () => {
    const direct = (spoofed) =>
      rawGet(server, HANDSHAKE, { localAddress: "127.0.0.9", headers: { "X-Forwarded-For": spoofed, Forwarded: `for=${spoofed}` } });
    for (let i = 1; i <= 3; i++) assert.equal((await direct(`10.1.0.${i}`)).status, 200);
    assert.equal((await direct("10.1.0.4")).status, 429);
    const socket = client(server.url, {
      auth: { token: server.token("erin") },
      transports: ["websocket"],
      localAddress: "127.0.0.10",
      extraHeaders: { "x-forwarded-for": "10.1.0.5" },
    });
    await whenConnected(socket);
    assert.equal(await loggedAddress(server, "erin"), "127.0.0.10");
  });

  it("reads Forwarded (RFC 7239) from a trusted peer, IPv6 included", async () => {
    const from = (user, forwarded) =>
      client(server.url, {
        auth: { token: server.token(user) },
        transports: ["websocket"],
        localAddress: "127.0.0.1",
        extraHeaders: { forwarded },
      });
    await whenConnected(from("frank", "for=192.0.2.60;proto=https;by=203.0.113.43"));
    assert.equal(await loggedAddress(server, "frank"), "192.0.2.60");
    await whenConnected(from("grace", 'for="[2001:db8:cafe::17]:4711"'));
    assert.equal(await loggedAddress(server, "grace"), "2001:db8:cafe::17");
  });
});

describe("sio-server's default limits", () => {
  let server;
  before(async () => {
    server = await startApp();
  });
  afterEach(closeAll);
  after(() => server?.stop());

  it("lets 1000 users behind one address (a NAT) in at 100 connections per second", async () => {
    const pending = [];
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      const due = started + i * 10;
      if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
      const socket = client(server.url, {
        auth: { token: server.token(`nat-${i}`) },
        transports: ["websocket"],
        localAddress: "127.0.1.1",
      });
      pending.push(whenConnected(socket, 30000));
    }
    const results = await Promise.allSettled(pending);
    const failed = results.filter((r) => r.status === "rejected");
    assert.equal(failed.length, 0, `${failed.length} of 1000 refused, first: ${failed[0]?.reason?.message}`);
    const m = await metrics(server);
    assert.equal(m['sio_connections_refused_total{limit="max_connections_per_ip"}'], 0);
    assert.equal(m.sio_handshakes_rate_limited_total, 0);
  });

  it("still slows a flood of handshakes from one address", async () => {
    // As fast as 32 connections from one address can ask, until 200 were refused (at most 15 s).
    const rate = 200;
    const burst = 1000;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32, localAddress: "127.0.2.1" });
    let accepted = 0;
    let refused = 0;
    const started = performance.now();
    const worker = async () => {
      while (performance.now() - started < 15000 && refused < 200) {
        const status = await getStatus(server.url + HANDSHAKE, { agent });
        if (status === 200) accepted++;
        else if (status === 429) refused++;
        else throw new Error(`handshake answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    assert.ok(refused > 0, `no handshake refused (${accepted} accepted in ${seconds} s)`);
    assert.ok(accepted <= burst + rate * seconds + 1, `${accepted} accepted in ${seconds} s`);
    const m = await metrics(server);
    assert.equal(m.sio_handshakes_rate_limited_total, refused);
  });
});
