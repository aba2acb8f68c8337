// deploy/nginx/sio.conf in front of two sio servers sharing one Redis: nginx is started on a free
// port with that file (only its upstream addresses and listen port rewritten). Polling-only
// clients must stay on one server for their whole session (ip_hash), and broadcasts must reach
// the clients of both servers.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort, startRedis } from "../helpers/redis.mjs";
import { sleep } from "../helpers/server.mjs";
import { closeAll, connect } from "../helpers/socketio.mjs";
import { REQUEST_CHANNEL, startSio, waitFor } from "./cluster.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// The deployment file, pointed at this test's servers.
function siteConfig(listenPort, upstreamPorts) {
  let conf = readFileSync(path.join(repoRoot, "deploy/nginx/sio.conf"), "utf8");
  const servers = [...conf.matchAll(/^\s*server 127\.0\.0\.1:\d+;$/gm)];
  assert.equal(servers.length, upstreamPorts.length, "one upstream line per test server");
  servers.forEach((match, i) => {
    conf = conf.replace(match[0], `  server 127.0.0.1:${upstreamPorts[i]};`);
  });
  assert.match(conf, /^\s*listen 80;$/m);
  return conf.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listenPort};`);
}

// A top-level nginx.conf that keeps everything (pid, logs, temp files) in `dir`.
function mainConfig(dir) {
  const user = process.getuid?.() === 0 ? "user root;" : "";
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${path.join(dir, kind)};`)
    .join("\n");
  return `${user}
daemon off;
master_process on;
worker_processes 1;
pid ${path.join(dir, "nginx.pid")};
error_log ${path.join(dir, "error.log")} warn;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  include ${path.join(dir, "sio.conf")};
}
`;
}

function get(url, agent) {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    }).on("error", reject);
  });
}

describe("nginx (deploy/nginx/sio.conf) in front of two sio servers", () => {
  let redis;
  let servers;
  let nginx;
  let dir;
  let url;

  before(async () => {
    redis = await startRedis();
    const [a, b] = await Promise.all([startSio(redis, "sio-a"), startSio(redis, "sio-b")]);
    servers = [a, b];
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);

    dir = mkdtempSync(path.join(os.tmpdir(), "sio-nginx-"));
    const port = await freePort();
    writeFileSync(path.join(dir, "sio.conf"), siteConfig(port, [a.port, b.port]));
    writeFileSync(path.join(dir, "nginx.conf"), mainConfig(dir));
    nginx = spawn("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10000;
    while ((await get(`${url}/socket.io/?EIO=4&transport=polling`).catch(() => 0)) !== 200) {
      if (nginx.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(path.join(dir, "error.log"), "utf8")}`);
      if (Date.now() > deadline) throw new Error("nginx did not proxy within 10 s");
      await sleep(50);
    }
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await exited;
    }
    await Promise.all((servers ?? []).map((s) => s.stop()));
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
