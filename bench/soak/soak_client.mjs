// One user of the soak: a socket.io-client socket with reconnection on that joins and leaves
// rooms, posts messages, gets dropped or disconnects and comes back, and tells the ledger which
// rooms it was certainly in and which messages it received.
//
// Its server-side socket is an "epoch": it lasts across drops that the server recovers (same id,
// same rooms, missed packets replayed) and ends at a deliberate disconnect or at a reconnection
// that came back as a fresh socket. When an epoch ends its membership windows end too (see
// ledger.mjs), at a cutoff that depends on why it ended.
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { Ledger } from "./ledger.mjs";

const clock = () => performance.now();

export const ACK_TIMEOUT_MS = 10000;
// A room id no room has: `leave-room` on it is a no-op whose answer orders the connection.
const SYNC_ROOM = 999999999;
// Before a drop the server could not recover, this much is not counted: messages broadcast then
// may still have been on their way.
const UNRECOVERABLE_GRACE_MS = 5000;
// A drop is owed a recovery when the client had an offset and came back well inside the
// server's window: this margin covers a server that noticed the drop up to a heartbeat
// (ping interval + ping timeout) before the client did.
const RECOVERY_MARGIN_MS = 50000;

const TRANSPORTS = {
  websocket: { transports: ["websocket"] },
  "polling+upgrade": { transports: ["polling", "websocket"], upgrade: true },
  polling: { transports: ["polling"], upgrade: false },
};

export class SoakClient {
  constructor({ index, url, token, transport, ledger, stats, recoveryWindowMs, roomIds, maxRooms }) {
    Object.assign(this, { index, transport, ledger, stats, recoveryWindowMs, roomIds, maxRooms });
    this.state = "new";  // connected | syncing | offline (we disconnected) | dropped | done
    this.rooms = new Map();  // room -> open window (certain membership)
    this.joining = new Set();
    this.epochWindows = [];
    this.epochs = 0;
    this.droppedAt = null;
    this.recoverable = false;
    this.lastOffsetAt = -Infinity;
    this.lastDisconnect = null;
    this.socket = io(url, {
      forceNew: true,
      autoConnect: false,
      auth: { token },
      ...TRANSPORTS[transport],
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("disconnect", (reason) => this.onDisconnect(reason));
    this.socket.on("connect_error", (err) => this.onConnectError(err));
    this.socket.on("message", (message) => {
      // Packets replayed by a recovery arrive before "connect": the state still says dropped.
      this.ledger.receive(this.index, message?.content, clock(), this.state === "dropped");
    });
    // What the client will send back as its offset, and when it got it: recovery needs the
    // offset's packet still in the server's log.
    this.socket.onAny((...args) => {
      if (this.socket._pid && typeof args.at(-1) === "string") this.lastOffsetAt = clock();
    });
  }

  get connected() {
    return this.state === "connected";
  }

  start() {
    this.socket.connect();
  }

  onConnect() {
    if (this.state === "done") return;
    const now = clock();
    const before = this.state;
    this.stats.count("connects", before === "new" ? "first" : before === "dropped" ? "after a drop" : "after a disconnect");
    if (before === "dropped") {
      const gap = now - this.droppedAt;
      if (this.socket.recovered) {
        this.stats.count("reconnects", "recovered");
        this.stats.recoveryGapsMs.push(gap);
      } else {
        const owed =
          this.recoverable &&
          gap < this.recoveryWindowMs - RECOVERY_MARGIN_MS &&
          now - this.lastOffsetAt < this.recoveryWindowMs - RECOVERY_MARGIN_MS;
        // A recovery that failed loses what was broadcast meanwhile: the window runs on.
        if (owed) this.stats.error("recovery failed (fresh socket after a recoverable drop)");
        this.stats.count("reconnects", owed ? "fresh, recovery failed" : "fresh, not recoverable");
        this.endEpoch(owed ? now : this.droppedAt - UNRECOVERABLE_GRACE_MS);
      }
    } else if (before === "offline") {
      this.stats.count("reconnects", "fresh after a disconnect");
      if (this.socket.recovered) this.stats.error("recovered after a namespace disconnect");
    }
    this.state = "connected";
    this.droppedAt = null;
    if (this.rooms.size === 0) this.joinSomeRooms();
  }

  onDisconnect(reason) {
    if (this.state === "done") return;  // the run is over: nothing more is counted
    this.stats.count("disconnect reasons", reason);
    this.lastDisconnect = reason;
    if (reason === "io client disconnect") return;  // ours: the epoch already ended
    const now = clock();
    if (reason === "io server disconnect") {
      // The server removed the socket and the client will not come back by itself.
      this.stats.error("disconnected by the server");
      this.endEpoch(now - UNRECOVERABLE_GRACE_MS);
      this.state = "offline";
      setTimeout(() => this.socket.connect(), 1000);
      return;
    }
    this.state = "dropped";
    this.droppedAt = now;
    this.recoverable = Boolean(this.socket._pid) && this.socket._lastOffset !== undefined;
  }

  onConnectError(err) {
    this.stats.count("connect errors", err.message);
    // A refusal by the middleware (CONNECT_ERROR) stops the reconnection loop; transport errors
    // do not.
    if (!this.socket.active && this.state !== "done") setTimeout(() => this.socket.connect(), 2000);
  }

  // The server-side socket is gone, or will be: its windows end at `cutoff`.
  endEpoch(cutoff) {
    for (const w of this.epochWindows) w.end = Math.min(w.end, cutoff);
    this.epochWindows = [];
    this.rooms.clear();
    this.epochs++;
  }

  joinSomeRooms() {
    const want = 1 + Math.floor(Math.random() * this.maxRooms);
    for (const room of shuffled(this.roomIds).slice(0, want)) this.join(room);
  }

  join(room) {
    if (this.rooms.has(room) || this.joining.has(room)) return;
    this.joining.add(room);
    this.stats.count("room changes", "join");
    this.socket.timeout(ACK_TIMEOUT_MS).emit("join-room", room, (err, reply) => {
      this.joining.delete(room);
      if (err) return this.ackFailed("join-room", err);
      if (!reply?.ok) return this.stats.error(`join-room refused: ${reply?.error}`);
      // The answer came on the current connection: the current socket joined.
      const window = this.ledger.openWindow(this.index, room, clock());
      this.rooms.set(room, window);
      this.epochWindows.push(window);
    });
  }

  leave(room) {
    const window = this.rooms.get(room);
    if (!window) return;
    window.end = clock();
    this.rooms.delete(room);
    this.stats.count("room changes", "leave");
    this.socket.timeout(ACK_TIMEOUT_MS).emit("leave-room", room, (err, reply) => {
      if (err) return this.ackFailed("leave-room", err);
      if (!reply?.ok) this.stats.error(`leave-room refused: ${reply?.error}`);
    });
  }

  // Joins a room it is not in, or leaves one, keeping between 1 and maxRooms.
  changeRooms() {
    const n = this.rooms.size + this.joining.size;
    const leave = n >= this.maxRooms || (n > 1 && Math.random() < 0.5);
    if (leave) return this.leave(pick([...this.rooms.keys()]));
    const free = this.roomIds.filter((r) => !this.rooms.has(r) && !this.joining.has(r));
    if (free.length > 0) this.join(pick(free));
  }

  // Posts a message to one of its rooms; false when it is in none yet.
  post() {
    if (this.rooms.size === 0) return false;
    const room = pick([...this.rooms.keys()]);
    const seq = this.ledger.post(this.index, room, clock());
    this.socket.timeout(ACK_TIMEOUT_MS).emit("message", { roomId: room, content: Ledger.content(seq) }, (err, reply) => {
      if (err) {
        this.ledger.unanswered(seq, err.message);
        return this.ackFailed("message", err);
      }
      if (reply?.ok) this.ledger.acked(seq, reply.message.id, clock());
      else {
        this.ledger.refused(seq, reply?.error);
        this.stats.error(`message refused: ${reply?.error}`);
      }
    });
    return true;
  }

  // A lost ack is part of the churn when the connection dropped; a timeout on a live one is not.
  ackFailed(event, err) {
    if (err.message === "socket has been disconnected") this.stats.count("acks lost to a drop", event);
    else this.stats.error(`${event}: ${err.message}`);
  }

  // Closes the transport as a network failure would; the client reconnects by itself.
  drop() {
    if (!this.connected) return false;
    this.stats.count("churn", "transport drop");
    this.socket.io.engine.close();
    return true;
  }

  // Resolves with the time the request left when its answer came (everything the server sent
  // this socket earlier has arrived), null otherwise.
  sync() {
    const at = clock();
    return new Promise((resolve) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit("leave-room", SYNC_ROOM, (err) => resolve(err ? null : at));
    });
  }

  // A user who closes the page and comes back `delayMs` later: a fresh socket.
  async disconnectAndReturn(delayMs) {
    if (!this.connected) return;
    this.state = "syncing";
    const at = await this.sync();
    if (this.state !== "syncing") return;  // dropped meanwhile: it reconnects by itself
    if (at === null) {
      this.state = "connected";
      return this.stats.error("sync request unanswered");
    }
    this.stats.count("churn", "disconnect + reconnect");
    this.endEpoch(at);
    this.state = "offline";
    this.socket.disconnect();
    setTimeout(() => this.socket.connect(), delayMs);
  }

  // End of the run: once connected, a last sync ends the epoch, so every message acked before
  // is owed and has arrived. False when that did not happen by `deadline`.
  async finish(deadline) {
    while (clock() < deadline) {
      if (this.connected) {
        this.state = "syncing";
        const at = await this.sync();
        if (this.state === "syncing" && at !== null) {
          this.endEpoch(at);
          this.state = "done";
          return true;
        }
        if (this.state === "syncing") this.state = "connected";
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    this.endEpoch(this.state === "dropped" ? this.droppedAt - UNRECOVERABLE_GRACE_MS : clock());
    return false;
  }

  close() {
    this.state = "done";
    this.socket.io.reconnection(false);
    this.socket.disconnect();
  }

  describe() {
    return { transport: this.transport, epochs: this.epochs, lastDisconnect: this.lastDisconnect };
  }
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];

export function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
