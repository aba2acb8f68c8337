// Small helpers around the real engine.io-client and raw HTTP for Engine.IO tests.
import { Socket } from "engine.io-client";
import { once } from "./server.mjs";

export async function openClient(server, options = {}) {
  const socket = new Socket(server.url, { path: "/engine.io/", ...options });
  await once(socket, "open");
  return socket;
}

// Sends each message and resolves with the echoes, in arrival order, once `count` arrived.
export function collectMessages(socket, count, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const received = [];
    const timer = setTimeout(
      () => reject(new Error(`got ${received.length}/${count} messages`)),
      timeoutMs,
    );
    socket.on("message", (data) => {
      received.push(data);
      if (received.length === count) {
        clearTimeout(timer);
        resolve(received);
      }
    });
  });
}

export async function handshake(server, query = "") {
  const res = await fetch(`${server.url}/engine.io/?EIO=4&transport=polling${query}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${body}`);
  return JSON.parse(body.substring(1));
}

export const pollUrl = (server, sid) => `${server.url}/engine.io/?EIO=4&transport=polling&sid=${sid}`;

// Binary data from engine.io-client in Node arrives as a Buffer or an ArrayBuffer.
export const toBytes = (data) => Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
