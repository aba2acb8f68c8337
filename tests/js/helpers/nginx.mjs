// nginx with the shipped deployment file (deploy/nginx/sio.conf) in front of test servers: only
// its upstream addresses and listen port are rewritten, everything else is the file as shipped.
// Pid, logs and temp files stay in a directory of its own, removed by stop().
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./redis.mjs";
import { sleep } from "./server.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// The deployment file, pointed at `upstreamPorts` (at most as many as it has upstream lines; the
// lines left over are dropped).
function siteConfig(listenPort, upstreamPorts) {
  let conf = readFileSync(path.join(repoRoot, "deploy/nginx/sio.conf"), "utf8");
  const servers = [...conf.matchAll(/^\s*server 127\.0\.0\.1:\d+;\n/gm)];
  assert.ok(upstreamPorts.length >= 1 && upstreamPorts.length <= servers.length, "one upstream line per test server");
  servers.forEach((match, i) => {
    conf = conf.replace(match[0], i < upstreamPorts.length ? `  server 127.0.0.1:${upstreamPorts[i]};\n` : "");
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
events { worker_connections 4096; }
http {
  access_log off;
${temp}
  include ${path.join(dir, "sio.conf")};
}
`;
}

// A GET's status code (0 when the request fails).
export function getStatus(url, { agent, headers } = {}) {
  return new Promise((resolve) => {
    http
      .get(url, { agent, headers }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      })
      .on("error", () => resolve(0));
  });
}

// nginx proxying to 127.0.0.1:<upstreamPorts>; resolves once it answers an Engine.IO handshake.
// Returns {port, url, stop()}.
export async function startNginx(upstreamPorts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sio-nginx-"));
  const port = await freePort();
  writeFileSync(path.join(dir, "sio.conf"), siteConfig(port, upstreamPorts));
  writeFileSync(path.join(dir, "nginx.conf"), mainConfig(dir));
  const nginx = spawn("nginx", ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((resolve) => nginx.once("exit", resolve));
      nginx.kill("SIGQUIT");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 10000;
  while ((await getStatus(`${url}/socket.io/?EIO=4&transport=polling`)) !== 200) {
    if (nginx.exitCode !== null || performance.now() > deadline) {
      const log = readFileSync(path.join(dir, "error.log"), "utf8");
      await stop();
      throw new Error(`nginx did not proxy within 10 s: ${log}`);
    }
    await sleep(50);
  }
  return { port, url, stop };
}
