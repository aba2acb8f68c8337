// deploy/nginx/sio.conf in front of two sio servers sharing one Redis: nginx is started on a free
// port with that file (only its upstream addresses and listen port rewritten). Polling-only
// clients must stay on one server for their whole session (ip_hash), and broadcasts must reach
// the clients of both servers.
import assert from "node:assert/strict";
import http from "node:http";
import { after, afterEach, before, describe, it } from "node:test";
import { startNginx } from "../helpers/nginx.mjs";
import { startRedis } from "../helpers/redis.mjs";
import { closeAll, connect } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, startSio, waitFor } from "./cluster.mjs";

describe("nginx (deploy/nginx/sio.conf) in front of two sio servers", () => {
  let redis;
  let servers;
  let nginx;
  let url;

  before(async () => {
    redis = await startRedis();
    const [a, b] = await Promise.all([startSio(redis, "sio-a"), startSio(redis, "sio-b")]);
    servers = [a, b];
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);

    nginx = await startNginx([a.port, b.port]);
    url = nginx.url;
  });
  after(async () => {
    await nginx?.stop();
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await redis?.stop();
  });
  afterEach(() => closeAll());

  // A polling-only client coming from 127.0.<n>.1: ip_hash hashes an IPv4 client by its /24, so
  // clients from different such addresses may land on different servers.
  const pollingClient = (n) =>
    connect(url, { transports: ["polling"], agent: new http.Agent({ keepAlive: true, localAddress: `127.0.${n}.1` }) });

  // Polling clients from enough distinct addresses that both servers have some.
  async function clientsOnBothServers() {
    const clients = [];
    for (let n = 1; n <= 32; n++) {
      const socket = await pollingClient(n);
      clients.push({ socket, server: await socket.emitWithAck("whoami") });
      if (new Set(clients.map((c) => c.server)).size === 2 && clients.length >= 4) return clients;
    }
    throw new Error("ip_hash put every client address on one server");
  }

  it("keeps each polling-only client on one server for its whole session", async () => {
    const clients = await clientsOnBothServers();
    for (const { socket, server } of clients) {
      for (let i = 0; i < 5; i++) assert.equal(await socket.emitWithAck("whoami"), server);
      assert.equal(socket.io.engine.transport.name, "polling");
    }
  });

  it("delivers a broadcast to polling-only clients of both servers", async () => {
    const clients = await clientsOnBothServers();
    await Promise.all(clients.map(({ socket }) => socket.emitWithAck("join", "lobby")));
    const arrivals = clients.map(({ socket }) => waitFor(socket, "news"));
    await clients[0].socket.emitWithAck("broadcast", { to: "lobby", event: "news", args: ["through nginx"] });
    for (const args of await Promise.all(arrivals)) assert.deepEqual(args, ["through nginx"]);
  });

  it("lets clients upgrade to WebSocket through it", async () => {
    const socket = await connect(url, { transports: ["polling", "websocket"] });
    if (socket.io.engine.transport.name !== "websocket") await waitFor(socket.io.engine, "upgrade");
    assert.equal(socket.io.engine.transport.name, "websocket");
    assert.match(await socket.emitWithAck("whoami"), /^sio-[ab]$/);
  });
});
