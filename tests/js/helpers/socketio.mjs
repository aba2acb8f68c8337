// Helpers around the real socket.io-client for the Socket.IO integration tests. Every client made
// here is remembered so that closeAll() (called from an after/afterEach hook) can disconnect them
// all and let node exit.
import { io } from "socket.io-client";
import { sleep } from "./server.mjs";

const clients = new Set();

// A new client socket (not yet connected). forceNew and no reconnection unless told otherwise.
export function client(url, options = {}) {
  const socket = io(url, { forceNew: true, reconnection: false, ...options });
  clients.add(socket);
  return socket;
}

// Resolves with `socket` on its next "connect"; rejects with the error of a "connect_error".
export function whenConnected(socket, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (err) => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no connect within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
  });
}

// A connected client socket; rejects on connect_error (the socket is then closed).
export async function connect(url, options = {}, timeoutMs = 5000) {
  const socket = client(url, options);
  try {
    return await whenConnected(socket, timeoutMs);
  } catch (err) {
    socket.disconnect();
    throw err;
  }
}

// `count` connected clients, opened `batch` at a time.
export async function connectMany(url, count, options = {}, batch = 100) {
  const sockets = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    sockets.push(...(await Promise.all(Array.from({ length: n }, () => connect(url, options, 15000)))));
  }
  return sockets;
}

// The connect_error a socket gets (rejects if it connects instead).
export function connectError(url, options = {}, timeoutMs = 5000) {
  const socket = client(url, options);
  return whenConnected(socket, timeoutMs).then(
    () => {
      socket.disconnect();
      throw new Error(`connected to ${url} but a connect_error was expected`);
    },
    (err) => {
      socket.disconnect();
      return err;
    },
  );
}

// Emits with an ack callback and resolves with ALL the ack's arguments (emitWithAck keeps only
// the first).
export function ackAll(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(5000).emit(event, ...args, (err, ...response) => (err ? reject(err) : resolve(response)));
  });
}

// Resolves with the arguments of the next `event` on a socket-like emitter.
export function next(socket, event, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once(event, handler);
  });
}

// Records every `event` a socket receives (their argument arrays, in order).
export function record(socket, event) {
  const received = [];
  socket.on(event, (...args) => received.push(args));
  return received;
}

// Resolves once `predicate()` holds, polling every few ms; rejects after `timeoutMs`.
export async function until(predicate, timeoutMs = 5000, what = "condition") {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

// Binary from socket.io-client in Node arrives as a Buffer or an ArrayBuffer.
export const toBytes = (data) =>
  Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);

export const isBinary = (data) => Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data);

// A copy of `value` with every binary turned into {bytes: [...]}, so that deepEqual compares
// the bytes whatever binary type each side used.
export function normalizeBinary(value) {
  if (isBinary(value)) return { bytes: [...toBytes(value)] };
  if (Array.isArray(value)) return value.map(normalizeBinary);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeBinary(v)]));
  }
  return value;
}

export function closeAll() {
  for (const socket of clients) {
    socket.io.reconnection(false);
    socket.disconnect();
    socket.io.engine?.close();
  }
  clients.clear();
}
