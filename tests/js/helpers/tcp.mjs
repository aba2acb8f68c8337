// Raw TCP clients for tests of what a server does below HTTP: connections held open, connections
// it refuses, requests trickled byte by byte. `localAddress` picks the client's own address (any
// of 127.0.0.0/8 on Linux), so that one machine can play several peers.
import net from "node:net";
import { sleep } from "./server.mjs";

const target = (server, localAddress) => ({
  port: server.port,
  host: "127.0.0.1",
  ...(localAddress ? { localAddress } : {}),
});

// A connection the server admitted: one keep-alive request answered (any status), then left open
// and idle. Rejects when the server closes it instead of answering.
export function holdConnection(server, { localAddress, path = "/held", timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target(server, localAddress));
    let response = "";
    const fail = (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", fail);
    socket.on("close", () => fail(new Error(`closed by the server; got ${JSON.stringify(response)}`)));
    socket.on("data", (data) => {
      response += data.toString("latin1");
      if (!response.includes("\r\n\r\n")) return;
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.removeAllListeners("error");
      socket.removeAllListeners("data");
      socket.on("error", () => {});
      resolve(socket);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

// Like holdConnection, retried until the server admits one (a place it just freed may take a
// moment to be seen), for up to `timeoutMs`.
export async function holdConnectionEventually(server, options = {}, timeoutMs = 5000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await holdConnection(server, options);
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await sleep(50);
    }
  }
}

// Connects, sends nothing, and resolves once the server closed the connection: with what it
// sent (nothing, for a refused connection) and after how long. Rejects if it stays open.
export function closedByServer(server, { localAddress, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(target(server, localAddress));
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${timeoutMs} ms; got ${JSON.stringify(received.slice(0, 80))}`));
    }, timeoutMs);
    socket.on("data", (data) => (received += data.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ received, ms: performance.now() - started });
    });
  });
}

// Sends `bytes` on a fresh connection; resolves with everything that came back once the server
// closed it. Rejects if it stays open longer than `timeoutMs`.
export function exchange(server, bytes, { localAddress, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target(server, localAddress));
    let response = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${timeoutMs} ms; got ${JSON.stringify(response.slice(0, 80))}`));
    }, timeoutMs);
    socket.on("data", (data) => (response += data.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(response);
    });
    socket.write(bytes);
  });
}

// Sends `head`, then one more header byte every `intervalMs` and never ends the headers.
// Resolves once the server closed the connection, with how long after the first byte and what it
// sent back; rejects if it stays open longer than `timeoutMs`.
export function trickleHeaders(server, { head, intervalMs = 1000, timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target(server));
    let started;
    let response = "";
    let trickle;
    const timer = setTimeout(() => {
      clearInterval(trickle);
      socket.destroy();
      reject(new Error(`a trickling client was still connected after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => {
      started = performance.now();
      socket.write(head);
      trickle = setInterval(() => socket.writable && socket.write("X"), intervalMs);
    });
    socket.on("data", (data) => (response += data.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      clearInterval(trickle);
      resolve({ ms: performance.now() - started, response });
    });
  });
}

// Raw HTTP/1.1 GET on a fresh connection (Connection: close); resolves with the status, the
// headers (lower-case names) and the body.
export async function rawGet(server, path, { localAddress, headers = {} } = {}) {
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  const response = await exchange(
    server,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`,
    { localAddress },
  );
  const [head, ...rest] = response.split("\r\n\r\n");
  const [statusLine, ...headerLines] = head.split("\r\n");
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: Object.fromEntries(
      headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
    ),
    body: rest.join("\r\n\r\n"),
  };
}
