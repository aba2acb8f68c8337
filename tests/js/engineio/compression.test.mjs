// Compression: permessage-deflate (RFC 7692) negotiated with the `ws` client when the server
// offers it (eio-echo-server --per-message-deflate), used both ways above 1 KiB and bounded by
// max_payload once inflated; polling responses of 1 KiB or more in gzip or deflate when the
// request accepts it (on by default, as Node's httpCompression).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import WebSocket from "ws";
import { startServer, once } from "../helpers/server.mjs";
import { handshake, pollUrl } from "../helpers/engineio.mjs";

const big = (n, seed = "sio ") => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);

// A GET with the headers given; resolves with {status, headers, body (raw bytes)}.
const rawGet = (url, headers) =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on("error", reject);
  });

describe("permessage-deflate", () => {
  let server;
  before(async () => {
    const args = ["--per-message-deflate", "--max-payload", "100000", "--ping-interval", "20000", "--ping-timeout", "5000"];
    server = await startServer("eio-echo-server", { args });
  });
  after(() => server.stop());

  const open = async (options = {}) => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`, options);
    const [openPacket] = await once(ws, "message");
    assert.equal(openPacket.toString()[0], "0");
    return ws;
  };

  it("is negotiated with client_no_context_takeover, and compresses large messages both ways", async () => {
    const ws = await open({ perMessageDeflate: { threshold: 0 } });
    assert.match(ws.extensions, /permessage-deflate/);
    assert.equal(ws._extensions["permessage-deflate"].params.client_no_context_takeover, true);
    const text = `4${big(50000)}`;
    const before = ws._socket.bytesRead;
    ws.send(text);
    const [echo] = await once(ws, "message");
    assert.equal(echo.toString(), text);
    // 50 KB of repetitive text came back in far fewer bytes.
    assert.ok(ws._socket.bytesRead - before < 5000, `${ws._socket.bytesRead - before} bytes on the wire`);
    const binary = Buffer.alloc(20000, 9);
    ws.send(binary);
    const [binaryEcho, isBinary] = await once(ws, "message");
    assert.equal(isBinary, true);
    assert.deepEqual(binaryEcho, binary);
    ws.close();
  });

  it("sends small messages uncompressed", async () => {
    const ws = await open();
    const before = ws._socket.bytesRead;
    ws.send("4short");
    assert.equal((await once(ws, "message"))[0].toString(), "4short");
    assert.equal(ws._socket.bytesRead - before, 2 + 6);
    ws.close();
  });

  it("closes with 1009 a message that inflates past max_payload", async () => {
    const ws = await open({ perMessageDeflate: { threshold: 0 } });
    ws.send(`4${"0".repeat(200000)}`); // a few hundred bytes compressed
    const [code] = await once(ws, "close");
    assert.equal(code, 1009);
  });

  it("is not negotiated with a client that does not offer it", async () => {
    const ws = await open({ perMessageDeflate: false });
    assert.equal(ws.extensions, "");
    ws.close();
  });
});

describe("permessage-deflate off (the default)", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  it("is declined", async () => {
    const ws = new WebSocket(`${server.wsUrl}/engine.io/?EIO=4&transport=websocket`);
    await once(ws, "open");
    assert.equal(ws.extensions, "");
    ws.close();
  });
});

describe("HTTP compression of polling responses", () => {
  let server;
  before(async () => (server = await startServer("eio-echo-server")));
  after(() => server.stop());

  // Queues an echo of `text` and polls it with the given Accept-Encoding.
  const pollEcho = async (text, acceptEncoding) => {
    const { sid } = await handshake(server);
    await fetch(pollUrl(server, sid), { method: "POST", body: `4${text}` });
    return rawGet(pollUrl(server, sid), acceptEncoding ? { "accept-encoding": acceptEncoding } : {});
  };

  it("gzips a response of 1 KiB or more for a client that accepts gzip", async () => {
    const text = big(5000);
    const res = await pollEcho(text, "gzip, deflate, br");
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.ok(res.body.length < 1000);
    assert.equal(zlib.gunzipSync(res.body).toString(), `4${text}`);
  });

  it("deflates for a client that accepts only deflate", async () => {
    const text = big(3000);
    const res = await pollEcho(text, "deflate");
    assert.equal(res.headers["content-encoding"], "deflate");
    assert.equal(zlib.inflateSync(res.body).toString(), `4${text}`);
  });

  it("leaves small responses, and clients that accept no encoding, uncompressed", async () => {
    const small = await pollEcho("tiny", "gzip");
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.body.toString(), "4tiny");
    const plain = await pollEcho(big(5000), "");
    assert.equal(plain.headers["content-encoding"], undefined);
    const refused = await pollEcho(big(5000), "gzip;q=0, identity");
    assert.equal(refused.headers["content-encoding"], undefined);
  });
});
