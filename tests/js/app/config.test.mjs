import { describe, it, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { closeAll, whenConnected } from "../helpers/socketio.mjs";
import { serverBinary, freshDir, randomSecret, startApp, api, userSocket } from "../helpers/app.mjs";
import { isSanitized } from "../helpers/server.mjs";

const dir = freshDir();
const dbUrl = `sqlite:${path.join(dir, "test.db")}`;

// Runs sio-server to its exit (killed after `timeoutMs` if it keeps running, e.g. listening).
// The variables of `env` set to undefined are removed from the inherited environment.
function runToExit(args, env, timeoutMs = 5000) {
  const fullEnv = { ...process.env, PORT: "0", DATABASE_URL: dbUrl };
  for (const name of ["JWT_ACCESS_SECRET", "SIO_DEV", "FRONTEND_URL", "REDIS_URL"]) delete fullEnv[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete fullEnv[name];
    else fullEnv[name] = value;
  }
  return new Promise((resolve) => {
    const proc = spawn(serverBinary, args, { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      proc.kill("SIGKILL");
    }, timeoutMs);
    proc.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed, stderrLines: stderr.split("\n").filter((l) => l.trim()) });
    });
  });
}

describe("sio-server configuration", () => {
  afterEach(closeAll);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("exits non-zero with one stderr line naming JWT_ACCESS_SECRET when there is no secret and no dev mode", async () => {
    const run = await runToExit([], {});
    assert.equal(run.killed, false, `the server kept running without a secret; stdout: ${run.stdout}`);
    assert.notEqual(run.code, 0);
    assert.equal(run.stderrLines.length, 1, `stderr: ${run.stderr}`);
    assert.match(run.stderrLines[0], /JWT_ACCESS_SECRET/);
    assert.doesNotMatch(run.stdout, /listening/);
  });

  it("treats an empty JWT_ACCESS_SECRET as missing", async () => {
    const run = await runToExit([], { JWT_ACCESS_SECRET: "" });
    assert.equal(run.killed, false, "the server started with an empty secret");
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /JWT_ACCESS_SECRET/);
  });

  it("lists its options and their environment variables with --help and exits 0", async () => {
    const run = await runToExit(["--help"], {});
    assert.equal(run.code, 0);
    for (const option of ["--port", "--host", "--frontend-url", "--jwt-secret", "--database-url", "--redis-url",
      "--dev", "--web-root", "--ping-interval", "--ping-timeout", "--trusted-proxies"]) {
      assert.ok(run.stdout.includes(option), `--help does not list ${option}:\n${run.stdout}`);
    }
    for (const variable of ["PORT", "FRONTEND_URL", "JWT_ACCESS_SECRET", "DATABASE_URL", "REDIS_URL", "SIO_DEV", "SIO_TRUSTED_PROXIES"]) {
      assert.ok(run.stdout.includes(`Env:${variable}`), `--help does not name ${variable}`);
    }
  });

  it("refuses FRONTEND_URL=* outside development mode", async () => {
    const run = await runToExit([], { JWT_ACCESS_SECRET: randomSecret(), FRONTEND_URL: "*" });
    assert.equal(run.killed, false, "the server started with FRONTEND_URL=*");
    assert.notEqual(run.code, 0);
    assert.equal(run.stderrLines.length, 1, `stderr: ${run.stderr}`);
    assert.match(run.stderrLines[0], /FRONTEND_URL/);
  });

  it("refuses a DATABASE_URL that is neither sqlite: nor postgres://", async () => {
    const run = await runToExit([], { JWT_ACCESS_SECRET: randomSecret(), DATABASE_URL: "mysql://localhost/db" });
    assert.equal(run.killed, false);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /DATABASE_URL/);
  });

  it("refuses a SIO_TRUSTED_PROXIES entry that is not an address or a CIDR network, naming it", async () => {
    const run = await runToExit([], { JWT_ACCESS_SECRET: randomSecret(), SIO_TRUSTED_PROXIES: "10.0.0.0/8, 10.0.0.0/33" });
    assert.equal(run.killed, false, "the server started with an invalid SIO_TRUSTED_PROXIES");
    assert.notEqual(run.code, 0);
    assert.equal(run.stderrLines.length, 1, `stderr: ${run.stderr}`);
    assert.match(run.stderrLines[0], /SIO_TRUSTED_PROXIES: .*"10\.0\.0\.0\/33"/);
  });

  it("starts in dev mode (SIO_DEV=1) without a secret, and /dev/token?sub=alice gives a token that connects as alice", async () => {
    const server = await startApp({ env: { SIO_DEV: "1", JWT_ACCESS_SECRET: "" } });
    try {
      const res = await api(server, "GET", "/dev/token?sub=alice");
      assert.equal(res.status, 200);
      assert.equal(typeof res.body.token, "string");
      const [, payload] = res.body.token.split(".");
      assert.equal(JSON.parse(Buffer.from(payload, "base64url")).sub, "alice");

      const socket = await whenConnected(userSocket(server, "alice", { token: res.body.token }));
      assert.ok(socket.connected);
      // The REST API takes it too, and knows the caller as alice.
      const room = await api(server, "POST", "/api/rooms", { token: res.body.token, body: { name: "dev" } });
      assert.equal(room.status, 201);
      assert.equal(room.body.createdBy, "alice");
      // The test's own secret is not the server's random one.
      assert.equal((await api(server, "GET", "/api/rooms", { token: server.token("alice") })).status, 401);
    } finally {
      closeAll();
      await server.stop();
    }
  });

  it("issues an admin token in dev mode with /dev/token?sub=root&role=admin", async () => {
    const server = await startApp({ env: { SIO_DEV: "1", JWT_ACCESS_SECRET: "" } });
    try {
      const { body } = await api(server, "GET", "/dev/token?sub=root&role=admin");
      const admin = await whenConnected(userSocket(server, "root", { token: body.token, nsp: "/admin" }));
      const stats = await admin.timeout(3000).emitWithAck("stats");
      assert.equal(typeof stats.connections, "number");
      assert.equal((await api(server, "GET", "/dev/token")).status, 400, "a token without sub was issued");
    } finally {
      closeAll();
      await server.stop();
    }
  });

  it("answers 404 to /dev/token outside dev mode", async () => {
    const server = await startApp();
    try {
      const res = await api(server, "GET", "/dev/token?sub=alice");
      assert.equal(res.status, 404);
      assert.equal(res.body?.token, undefined);
    } finally {
      await server.stop();
    }
  });

  it("answers the polling handshake with Access-Control-Allow-Origin for FRONTEND_URL's origin only", async () => {
    const server = await startApp({ env: { FRONTEND_URL: "https://app.example" } });
    try {
      const handshake = (origin) =>
        fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: origin ? { origin } : {} });
      const allowed = await handshake("https://app.example");
      assert.equal(allowed.status, 200);
      assert.match(await allowed.text(), /"sid"/);
      assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");

      const other = await handshake("https://evil.example");
      await other.text();
      assert.equal(other.headers.get("access-control-allow-origin"), null, "another origin was allowed");
      const none = await handshake(null);
      await none.text();
      assert.notEqual(none.headers.get("access-control-allow-origin"), "*");

      // The REST API follows the same rule.
      const restAllowed = await api(server, "GET", "/healthz", { headers: { origin: "https://app.example" } });
      assert.equal(restAllowed.headers.get("access-control-allow-origin"), "https://app.example");
      const restOther = await api(server, "GET", "/healthz", { headers: { origin: "https://evil.example" } });
      assert.equal(restOther.headers.get("access-control-allow-origin"), null);
    } finally {
      await server.stop();
    }
  });

  it("answers the REST API's CORS preflight for FRONTEND_URL's origin only, allowing the Authorization header", async () => {
    const server = await startApp({ env: { FRONTEND_URL: "https://app.example" } });
    try {
      const preflight = (origin) =>
        fetch(`${server.url}/api/rooms`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
        });
      const allowed = await preflight("https://app.example");
      assert.ok(allowed.status === 204 || allowed.status === 200, `status ${allowed.status}`);
      assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example");
      assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /authorization/i);
      assert.match(allowed.headers.get("access-control-allow-methods") ?? "", /POST/);
      const other = await preflight("https://evil.example");
      assert.equal(other.headers.get("access-control-allow-origin"), null);
    } finally {
      await server.stop();
    }
  });

  it("allows any origin in dev mode", async () => {
    const server = await startApp({ env: { SIO_DEV: "1" } });
    try {
      const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: "https://anything.example" } });
      await res.text();
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
    } finally {
      await server.stop();
    }
  });

  // Whether glibc marked sio-server's heap for transparent huge pages (MADV_HUGEPAGE: "hg"), which
  // it does with the tunable glibc.malloc.hugetlb=1; /proc/<pid>/environ cannot tell, glibc
  // rewrites GLIBC_TUNABLES in place as it reads it.
  function heapOf(server) {
    const pid = server.proc.pid;
    const smaps = readFileSync(`/proc/${pid}/smaps`, "utf8");
    const heap = smaps.slice(smaps.indexOf("[heap]"));
    const flags = heap.match(/^VmFlags:(.*)$/m)?.[1].trim().split(/\s+/) ?? [];
    return { hugePages: flags.includes("hg"), sanitized: isSanitized(pid) };
  }
  const kernelHasHugePages = existsSync("/sys/kernel/mm/transparent_hugepage/enabled");

  it("puts its heap on huge pages (glibc.malloc.hugetlb=1), with other glibc tunables set", async (t) => {
    if (!kernelHasHugePages) return t.skip("kernel without transparent huge pages");
    const server = await startApp({ env: { GLIBC_TUNABLES: "glibc.malloc.tcache_count=8" } });
    try {
      const heap = heapOf(server);
      // A sanitizer's allocator has no use for the tunable: the server runs as started.
      assert.equal(heap.hugePages, !heap.sanitized, "the heap is marked MADV_HUGEPAGE unless sanitized");
      // Started again in place: the same process, under its name, and it serves.
      assert.equal(readFileSync(`/proc/${server.proc.pid}/comm`, "utf8").trim(), "sio-server");
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
    } finally {
      await server.stop();
    }
  });

  it("leaves its heap as glibc makes it when GLIBC_TUNABLES names glibc.malloc.hugetlb (0 opts out)", async () => {
    const server = await startApp({ env: { GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" } });
    try {
      assert.equal(heapOf(server).hugePages, false);
    } finally {
      await server.stop();
    }
  });
});
