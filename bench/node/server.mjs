// The Node reference for sio's benchmarks: socket.io 4.8 doing what bench/sio_bench_server.cpp
// does, the way a Node application would write it.
//
//   - JWT middleware: `auth.token` (HS256, verified with node:crypto), `sub` becomes the user id;
//     "No token" / "Invalid token"
//   - every socket joins `user:<sub>`
//   - `join-room` (roomId, ack): joins `room:<roomId>` (every room is public), acks {ok: true}
//   - `message` ({roomId, content}, ack): broadcasts `message` {id, roomId, userId, content,
//     createdAt} to `room:<roomId>`, then acks {ok: true, message}
//
//   JWT_ACCESS_SECRET=secret PORT=3000 node bench/node/server.mjs

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "socket.io";

const secret = process.env.JWT_ACCESS_SECRET;
if (!secret) {
  console.error("JWT_ACCESS_SECRET is required");
  process.exit(1);
}
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);

// HS256 verification as strict as sio's: the header must say HS256, the signature is compared in
// constant time, exp and nbf are enforced when present. (jsonwebtoken does the same, slower.)
function verifyJwt(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header64, payload64, signature64] = parts;
  let header, payload;
  try {
    header = JSON.parse(Buffer.from(header64, "base64url").toString());
    payload = JSON.parse(Buffer.from(payload64, "base64url").toString());
  } catch {
    return null;
  }
  if (header?.alg !== "HS256" || typeof payload !== "object" || payload === null) return null;
  const expected = createHmac("sha256", secret).update(`${header64}.${payload64}`).digest();
  const given = Buffer.from(signature64, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const now = Date.now() / 1000;
  if (typeof payload.exp === "number" && now >= payload.exp) return null;
  if (typeof payload.nbf === "number" && now < payload.nbf) return null;
  return payload;
}

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });

io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  if (!token) return next(new Error("No token"));
  const claims = typeof token === "string" ? verifyJwt(token) : null;
  if (!claims || typeof claims.sub !== "string" || !claims.sub) return next(new Error("Invalid token"));
  socket.data.userId = claims.sub;
  socket.data.role = claims.role ?? "";
  next();
});

function roomIdOf(value) {
  if (typeof value === "string" && value) return value;
  if (Number.isInteger(value)) return String(value);
  return null;
}

let nextMessageId = 1;

io.on("connection", (socket) => {
  socket.join(`user:${socket.data.userId}`);

  socket.on("join-room", (roomIdArg, ack) => {
    const roomId = roomIdOf(roomIdArg);
    if (!roomId) return typeof ack === "function" && ack({ ok: false, error: "Invalid roomId" });
    socket.join(`room:${roomId}`);
    if (typeof ack === "function") ack({ ok: true });
  });

  socket.on("message", (data, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    if (typeof data !== "object" || data === null) return reply({ ok: false, error: "Invalid message" });
    const roomId = roomIdOf(data.roomId);
    if (!roomId) return reply({ ok: false, error: "Invalid roomId" });
    if (typeof data.content !== "string") return reply({ ok: false, error: "Invalid content" });
    const message = {
      id: nextMessageId++,
      roomId,
      userId: socket.data.userId,
      content: data.content,
      createdAt: Date.now(),
    };
    io.to(`room:${roomId}`).emit("message", message);
    reply({ ok: true, message });
  });
});

httpServer.listen(port, host, () => {
  console.log(`listening on port ${httpServer.address().port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
