// sio as a dependency: `cmake --install` of this build into an empty prefix, then a project of
// its own (tests/install/CMakeLists.txt and examples/hello.cpp, copied into an empty directory)
// built against that prefix alone — once through find_package(sio), once through pkg-config —
// and each program answered by the official socket.io-client. The installed sio-server, run from
// elsewhere, serves the demo page and the client script from the prefix.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../js/helpers/server.mjs";
import { connect, closeAll } from "../js/helpers/socketio.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const buildDir = process.env.SIO_BUILD_DIR ?? path.join(repoRoot, "build");
const scratch = mkdtempSync(path.join(tmpdir(), "sio-install-test-"));
const prefix = path.join(scratch, "prefix");
const project = path.join(scratch, "project");
const clientDist = path.join(repoRoot, "node_modules/socket.io-client/dist");

const run = (command, args, options = {}) =>
  execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options });

before(() => {
  run("cmake", ["--install", buildDir, "--prefix", prefix]);
  run("mkdir", ["-p", project]);
  copyFileSync(path.join(repoRoot, "tests/install/CMakeLists.txt"), path.join(project, "CMakeLists.txt"));
  copyFileSync(path.join(repoRoot, "examples/hello.cpp"), path.join(project, "hello.cpp"));
});

after(() => {
  closeAll();
  rmSync(scratch, { recursive: true, force: true });
});

// The program answers `hello` over the default transports (polling, then the upgrade) and
// over WebSocket alone, and serves the client bundle built into the library.
async function assertAnswersHello(binary) {
  const server = await startServer(binary, { cwd: scratch, env: { SIO_THREADS: "2" } });
  try {
    const bundle = await fetch(`${server.url}/socket.io/socket.io.min.js`);
    assert.equal(bundle.status, 200);
    assert.equal(await bundle.text(), readFileSync(path.join(clientDist, "socket.io.min.js"), "utf8"));
    for (const transports of [["polling", "websocket"], ["websocket"]]) {
      const socket = await connect(server.url, { transports });
      assert.equal(await socket.timeout(5000).emitWithAck("hello", "you"), "hello, you");
      socket.disconnect();
    }
  } finally {
    await server.stop();
  }
}

test("installs the headers under sio/, the libraries, the package files and sio-server", () => {
  for (const file of [
    "include/sio/socketio/server.hpp",
    "include/sio/engineio/options.hpp",
    "include/sio/adapter/redis_adapter.hpp",
    "lib/libsio.a",
    "lib/libsio_redis.a",
    "lib/cmake/sio/sioConfig.cmake",
    "lib/cmake/sio/sioConfigVersion.cmake",
    "lib/pkgconfig/sio.pc",
    "bin/sio-server",
    "share/sio/web/index.html",
  ]) {
    assert.ok(existsSync(path.join(prefix, file)), `${file} is installed`);
  }
  assert.match(readFileSync(path.join(prefix, "lib/pkgconfig/sio.pc"), "utf8"), new RegExp(`^prefix=${prefix}$`, "m"));
});

test("a project built with find_package(sio) against the prefix alone serves the official client", async () => {
  const out = path.join(project, "build");
  run("cmake", ["-G", "Ninja", "-S", project, "-B", out, `-DCMAKE_PREFIX_PATH=${prefix}`]);
  run("cmake", ["--build", out, "-j", "2"]);
  // Nothing of this checkout is on its compile or link lines: only the prefix is.
  const commands = run("ninja", ["-C", out, "-t", "commands"]);
  assert.ok(!commands.includes(path.join(repoRoot, "src")), "compiles against the checkout's src/");
  assert.ok(!commands.includes(buildDir), "links against the build tree");
  await assertAnswersHello(path.join(out, "hello"));
});

test("a program built with pkg-config --cflags --libs sio serves the official client", async () => {
  const env = { ...process.env, PKG_CONFIG_PATH: path.join(prefix, "lib/pkgconfig") };
  const flags = run("pkg-config", ["--cflags", "--libs", "sio"], { env }).trim().split(/\s+/);
  assert.ok(flags.includes(`-I${path.join(prefix, "include")}`), `include dir in ${flags.join(" ")}`);
  const binary = path.join(project, "hello-pkg-config");
  run("g++", ["-std=c++20", path.join(project, "hello.cpp"), "-o", binary, ...flags]);
  await assertAnswersHello(binary);
});

test("the installed sio-server, run outside the checkout, serves the demo page", async () => {
  const dir = mkdtempSync(path.join(scratch, "server-"));
  const server = await startServer(path.join(prefix, "bin/sio-server"), {
    cwd: dir,
    env: { JWT_ACCESS_SECRET: "install-test", DATABASE_URL: `sqlite:${dir}/db`, SIO_DEV: "", FRONTEND_URL: "", REDIS_URL: "" },
  });
  try {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), readFileSync(path.join(prefix, "share/sio/web/index.html"), "utf8"));
    assert.match(readFileSync(path.join(prefix, "share/sio/web/index.html"), "utf8"), /\/socket\.io\/socket\.io\.min\.js/);
  } finally {
    await server.stop();
  }
});

test("the hardened systemd unit passes systemd-analyze verify against the installed sio-server", () => {
  const unit = readFileSync(path.join(repoRoot, "deploy/systemd/sio-server.service"), "utf8");
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/sio-server$/m);
  // The unit names the default prefix; here it points at this test's prefix instead.
  const copy = path.join(scratch, "sio-server.service");
  writeFileSync(copy, unit.replace("/usr/local/bin/sio-server", path.join(prefix, "bin/sio-server")));
  // verify exits 0 on an unknown or misspelt directive and only says so on stderr.
  const result = spawnSync("systemd-analyze", ["verify", copy], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.trim(), "");
});
