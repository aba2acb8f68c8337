// serve_client: the official client's browser bundles under /socket.io/, as Node serves them —
// the npm package's bytes, Node's headers, 304 on a matching ETag, CORS — and nothing of the
// kind once it is off. A browser loading the bundle from the server is tests/e2e/chat.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../helpers/server.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const clientPackage = path.join(repoRoot, "node_modules/socket.io-client");
const clientVersion = JSON.parse(readFileSync(path.join(clientPackage, "package.json"), "utf8")).version;
const bundleFiles = ["socket.io.js", "socket.io.min.js", "socket.io.msgpack.min.js", "socket.io.esm.min.js"];

describe("serve_client", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server")));
  after(() => server.stop());

  for (const name of bundleFiles.flatMap((file) => [file, `${file}.map`])) {
    it(`answers /socket.io/${name} with the npm package's file`, async () => {
      const res = await fetch(`${server.url}/socket.io/${name}`);
      assert.equal(res.status, 200);
      const type = name.endsWith(".map") ? "application/json" : "application/javascript";
      assert.equal(res.headers.get("content-type"), `${type}; charset=utf-8`);
      assert.equal(res.headers.get("cache-control"), "public, max-age=0");
      assert.equal(res.headers.get("etag"), `"${clientVersion}"`);
      const expected = readFileSync(path.join(clientPackage, "dist", name));
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(expected), `${name} differs from the package's`);
    });
  }

  it("answers 304 with no body when If-None-Match names the version, strong or weak", async () => {
    for (const etag of [`"${clientVersion}"`, `W/"${clientVersion}"`]) {
      const res = await fetch(`${server.url}/socket.io/socket.io.min.js`, { headers: { "If-None-Match": etag } });
      assert.equal(res.status, 304, etag);
      assert.equal((await res.arrayBuffer()).byteLength, 0);
    }
    const stale = await fetch(`${server.url}/socket.io/socket.io.min.js`, { headers: { "If-None-Match": '"0.0.1"' } });
    assert.equal(stale.status, 200);
  });

  it("sends the CORS headers of the Engine.IO path with the file", async () => {
    const headers = { Origin: "https://app.example" };
    const engine = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers });
    const res = await fetch(`${server.url}/socket.io/socket.io.js`, { headers });
    assert.equal(res.status, 200);
    assert.ok(engine.headers.get("access-control-allow-origin"));
    assert.equal(res.headers.get("access-control-allow-origin"), engine.headers.get("access-control-allow-origin"));
  });

  it("leaves other names under the path to Engine.IO (400 Transport unknown)", async () => {
    for (const name of ["socket.io.js.gz", "other.js", "dist/socket.io.js"]) {
      const res = await fetch(`${server.url}/socket.io/${name}`);
      assert.equal(res.status, 400, name);
      assert.deepEqual(await res.json(), { code: 0, message: "Transport unknown" });
    }
  });
});

describe("serve_client off", () => {
  let server;
  before(async () => (server = await startServer("sio-test-server", { args: ["--serve-client", "false"] })));
  after(() => server.stop());

  it("serves no bundle: the request is an Engine.IO one", async () => {
    const res = await fetch(`${server.url}/socket.io/socket.io.min.js`);
    assert.equal(res.status, 400);
  });
});
