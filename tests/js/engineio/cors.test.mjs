import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.mjs";

const handshakePath = "/engine.io/?EIO=4&transport=polling";

describe("CORS with any origin", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("answers a preflight with 204 and the allowed methods", async () => {
    const res = await fetch(`${server.url}${handshakePath}`, {
      method: "OPTIONS",
      headers: {
        origin: "https://anywhere.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
    const methods = res.headers.get("access-control-allow-methods");
    assert.match(methods, /GET/);
    assert.match(methods, /POST/);
    assert.equal(res.headers.get("access-control-allow-headers"), "content-type");
  });

  it("marks handshake responses as readable from any origin", async () => {
    const res = await fetch(`${server.url}${handshakePath}`, { headers: { origin: "https://a.example" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });

  it("adds CORS headers to error responses too", async () => {
    const res = await fetch(`${server.url}/engine.io/?EIO=4&transport=nope`, { headers: { origin: "https://a.example" } });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("access-control-allow-origin"), "*");
  });
});

describe("CORS limited to the front end's origin", () => {
  let server;
  before(async () =>
    (server = await startServer("eio-echo-server", {
      args: ["--cors-origin", "https://app.example", "--cors-credentials"],
    })));
  after(() => server.stop());

  it("reflects the allowed origin with credentials", async () => {
    const res = await fetch(`${server.url}${handshakePath}`, { headers: { origin: "https://app.example" } });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(res.headers.get("access-control-allow-credentials"), "true");
  });

  it("gives another origin no CORS headers", async () => {
    const res = await fetch(`${server.url}${handshakePath}`, { headers: { origin: "https://evil.example" } });
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
  });

  it("gives a preflight from another origin no CORS headers", async () => {
    const res = await fetch(`${server.url}${handshakePath}`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  });
});
