// sio-server with SIO_TLS_CERT / SIO_TLS_KEY: HTTPS and WSS on its one port, driven by the
// official client (polling, WebSocket, and the upgrade from one to the other) trusting a throwaway
// CA made by `openssl`; TLS 1.2 and later only; certificates re-read on SIGHUP while the open
// connections go on; bad settings stop start-up with one line.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { closeAll, until } from "../helpers/socketio.mjs";
import { startServer } from "../helpers/server.mjs";
import { startApp, createRoom, connectAs, nth, randomSecret } from "../helpers/app.mjs";
import { makeCertificateAuthority } from "../helpers/tls.mjs";

describe("sio-server over TLS", () => {
  let authority;
  let issued; // {first, second}: certificates the CA signed, CN "first" / "second"
  let certFile;
  let keyFile;
  let server;
  let secure; // `server` as the clients reach it: https://localhost:<port>, trusting the CA

  // The files the server reads; renewing a certificate replaces their contents.
  const install = ({ cert, key }) => {
    copyFileSync(cert, certFile);
    copyFileSync(key, keyFile);
  };

  before(async () => {
    authority = makeCertificateAuthority();
    issued = { first: authority.issue("first"), second: authority.issue("second") };
    certFile = path.join(authority.dir, "server.pem");
    keyFile = path.join(authority.dir, "server.key");
    install(issued.first);
    server = await startApp({ env: { SIO_TLS_CERT: certFile, SIO_TLS_KEY: keyFile } });
    secure = { ...server, url: `https://localhost:${server.port}`, ca: authority.ca };
  });
  afterEach(closeAll);
  after(async () => {
    await server?.stop();
    authority?.remove();
  });

  const user = (name, options = {}) => connectAs(secure, name, { ca: authority.ca, ...options });
  // A GET over HTTPS trusting the test CA: {status, body}.
  const get = (urlPath) =>
    new Promise((resolve, reject) => {
      https
        .get(`${secure.url}${urlPath}`, { ca: authority.ca }, (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        })
        .on("error", reject);
    });
  // The CN of the certificate the server presents to a new connection.
  const presented = (options = {}) =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port: server.port, servername: "localhost", ca: authority.ca, ...options }, () => {
        const name = socket.getPeerCertificate().subject.CN;
        resolve({ name, protocol: socket.getProtocol() });
        socket.end();
      });
      socket.on("error", reject);
    });
  // Joins a fresh public room with two users over `transports` and exchanges one message.
  const chat = async (transports) => {
    const room = await createRoom(secure, "alice", { isPublic: true });
    const [alice, bob] = [await user("alice", { transports }), await user("bob", { transports })];
    for (const socket of [alice, bob]) assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    const reply = await alice.timeout(5000).emitWithAck("message", { roomId: room.id, content: `over ${transports}` });
    assert.equal(reply.ok, true);
    const [message] = await nth(bob, "message");
    assert.equal(message.content, `over ${transports}`);
    return { room, alice };
  };

  it("serves the official client over HTTPS long-polling, then upgrades to WSS", async () => {
    const { room, alice } = await chat(["polling", "websocket"]);
    await until(() => alice.io.engine.transport.name === "websocket", 5000, "the upgrade to WSS");
    const history = await alice.timeout(5000).emitWithAck("history", { roomId: room.id });
    assert.deepEqual(history.messages.map((m) => m.content), ["over polling,websocket"]);
  });

  it("serves long-polling alone and WebSocket alone", async () => {
    await chat(["polling"]);
    await chat(["websocket"]);
  });

  it("serves the REST routes, the demo page and the client bundle over HTTPS", async () => {
    assert.deepEqual(await get("/healthz"), { status: 200, body: '{"status":"ok"}' });
    const page = await get("/");
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
    assert.equal((await get("/socket.io/socket.io.min.js")).status, 200);
  });

  it("speaks TLS 1.3 and 1.2, and refuses 1.1", async () => {
    assert.equal((await presented()).protocol, "TLSv1.3");
    assert.equal((await presented({ maxVersion: "TLSv1.2" })).protocol, "TLSv1.2");
    // The client allows TLS 1.1 (security level 0); the server's protocol_version alert refuses it.
    await assert.rejects(
      presented({ minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" }),
      (err) => /protocol version|unsupported protocol/i.test(err.message),
    );
  });

  it("closes a plain HTTP request on the TLS port, and goes on serving", async () => {
    const answer = await new Promise((resolve) => {
      const socket = net.connect(server.port, "127.0.0.1", () => socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
      let data = "";
      socket.on("data", (chunk) => (data += chunk));
      socket.on("close", () => resolve(data));
      socket.on("error", () => {});
    });
    assert.doesNotMatch(answer, /200 OK/);
    assert.equal((await get("/healthz")).status, 200);
  });

  it("re-reads the certificate on SIGHUP: new connections get the new one, open ones go on", async () => {
    install(issued.first);
    server.proc.kill("SIGHUP");
    await server.waitForLine(/TLS certificate reloaded/);
    const open = await user("carol", { transports: ["websocket"] });
    const polling = await user("dave", { transports: ["polling"] });
    let dropped = false;
    for (const socket of [open, polling]) socket.on("disconnect", () => (dropped = true));
    assert.equal((await presented()).name, "first");

    install(issued.second);
    const reloads = server.lines.filter((l) => /TLS certificate reloaded/.test(l)).length;
    server.proc.kill("SIGHUP");
    await until(() => server.lines.filter((l) => /TLS certificate reloaded/.test(l)).length > reloads, 5000, "the reload");
    assert.equal((await presented()).name, "second");

    const room = await createRoom(secure, "carol", { isPublic: true });
    for (const socket of [open, polling]) assert.deepEqual(await socket.timeout(5000).emitWithAck("join-room", room.id), { ok: true });
    assert.equal(dropped, false);
    assert.equal((await user("erin")).connected, true);
  });

  it("keeps the previous certificate when a reload fails", async () => {
    install(issued.second);
    writeFileSync(certFile, "not a certificate\n");
    server.proc.kill("SIGHUP");
    await server.waitForLine(/TLS reload failed, the previous certificate stays/);
    assert.equal((await presented()).name, "second");
    install(issued.second);
  });
});

describe("sio-server TLS settings at start-up", () => {
  let authority;
  before(() => (authority = makeCertificateAuthority()));
  after(() => authority?.remove());

  const startFails = (env) =>
    assert.rejects(
      startServer("sio-server", { env: { JWT_ACCESS_SECRET: randomSecret(), DATABASE_URL: "sqlite::memory:", ...env } }),
      /exited before listening \(code 2/,
    );

  it("refuses a certificate without its key", async () => {
    const { cert } = authority.issue("lonely");
    await startFails({ SIO_TLS_CERT: cert });
  });

  it("refuses a key that does not match the certificate", async () => {
    const one = authority.issue("one");
    const other = authority.issue("other");
    await startFails({ SIO_TLS_CERT: one.cert, SIO_TLS_KEY: other.key });
  });

  it("refuses a certificate file that is missing", async () => {
    const { key } = authority.issue("keyonly");
    await startFails({ SIO_TLS_CERT: path.join(authority.dir, "missing.pem"), SIO_TLS_KEY: key });
  });
});
