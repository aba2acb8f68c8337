// The delivery ledger of a soak run: every `message` a client posted and what the server
// answered, every copy a client received, and the windows during which each client was certainly
// a member of each room. From these it tells, for each acknowledged message, which clients were
// owed it and whether they got it, once and only once.
//
// All times are on one clock (performance.now() of this process, which runs every client).
// Windows are claimed conservatively, so that a message is never owed to a client the server
// could rightly skip:
//  - a window opens when the `join-room` ack arrives (the server joined before answering);
//  - it closes when `leave-room` is emitted (the server leaves only once it has read it);
//  - it ends with the client's server-side socket (SoakClient.endEpoch): at a deliberate
//    disconnect, at the emission of a request whose answer arrived just before it (everything
//    broadcast to the socket earlier came before that answer, on the same connection); at a drop
//    the server could not recover, some time before the drop. A drop it should have recovered
//    ends nothing: what was broadcast meanwhile is owed, through recovery.
// A message is owed to a client when one of its windows for the room covers [sent, acked]: the
// server broadcast it in between, when the client was in the room.

const CONTENT_PREFIX = "soak ";

export class Ledger {
  constructor(clientCount) {
    this.clientCount = clientCount;
    this.sends = [];  // index = seq
    this.windowsByRoom = new Map();  // room -> [{client, start, end}]
    this.startedAt = 0;  // churn start: per-minute buckets count from here
    this.received = 0;  // every copy received, owed or not
    this.replayed = 0;  // copies received while reconnecting, i.e. through recovery
    this.duplicates = [];  // {seq, client}
    this.strangers = 0;  // `message`s whose content is not one of ours
    this.latencies = [];  // ms from post to live receipt
  }

  static content(seq) {
    return `${CONTENT_PREFIX}${seq}`;
  }

  openWindow(client, room, start) {
    const window = { client, room, start, end: Infinity };
    if (!this.windowsByRoom.has(room)) this.windowsByRoom.set(room, []);
    this.windowsByRoom.get(room).push(window);
    return window;
  }

  // A new post of `client` to `room`; returns its sequence number (its content names it).
  post(client, room, at) {
    const seq = this.sends.length;
    this.sends.push({
      client,
      room,
      sentAt: at,
      ackedAt: null,
      id: null,
      outcome: "pending",  // acked | refused | unanswered
      detail: null,
      receivers: new Uint8Array(Math.ceil(this.clientCount / 8)),
    });
    return seq;
  }

  acked(seq, id, at) {
    Object.assign(this.sends[seq], { outcome: "acked", id, ackedAt: at });
  }

  refused(seq, error) {
    Object.assign(this.sends[seq], { outcome: "refused", detail: error });
  }

  unanswered(seq, reason) {
    Object.assign(this.sends[seq], { outcome: "unanswered", detail: reason });
  }

  get pending() {
    return this.sends.filter((s) => s.outcome === "pending").length;
  }

  // A `message` event received by `client`; `replayed` when it came before the CONNECT of a
  // recovered session.
  receive(client, content, at, replayed) {
    const seq = typeof content === "string" && content.startsWith(CONTENT_PREFIX) ? Number(content.slice(5)) : NaN;
    const send = this.sends[seq];
    if (!send) {
      this.strangers++;
      return;
    }
    this.received++;
    if (replayed) this.replayed++;
    else this.latencies.push(at - send.sentAt);
    const byte = client >> 3;
    const bit = 1 << (client & 7);
    if (send.receivers[byte] & bit) this.duplicates.push({ seq, client });
    send.receivers[byte] |= bit;
  }

  // Counts every acknowledged message against the windows. `describe(client)` adds context to
  // the first lost deliveries listed.
  evaluate(describe = () => ({})) {
    const minute = (at) => Math.max(0, Math.floor((at - this.startedAt) / 60000));
    const perMinute = [];
    const bucket = (m) => (perMinute[m] ??= { minute: m, acked: 0, expected: 0, delivered: 0, lost: 0 });
    const totals = { expected: 0, delivered: 0, lost: 0, outsideWindows: 0 };
    const lostSamples = [];
    const outcomes = { acked: 0, refused: 0, unanswered: 0, pending: 0 };
    this.sends.forEach((send, seq) => {
      outcomes[send.outcome]++;
      if (send.outcome !== "acked") return;
      const b = bucket(minute(send.sentAt));
      b.acked++;
      const owed = new Set();
      for (const w of this.windowsByRoom.get(send.room) ?? []) {
        if (w.start <= send.sentAt && w.end >= send.ackedAt) owed.add(w.client);
      }
      for (let client = 0; client < this.clientCount; client++) {
        const got = (send.receivers[client >> 3] & (1 << (client & 7))) !== 0;
        if (!owed.has(client)) {
          if (got) totals.outsideWindows++;
          continue;
        }
        totals.expected++;
        b.expected++;
        if (got) {
          totals.delivered++;
          b.delivered++;
        } else {
          totals.lost++;
          b.lost++;
          if (lostSamples.length < 50) {
            lostSamples.push({
              seq,
              id: send.id,
              room: send.room,
              client,
              sentAtS: round((send.sentAt - this.startedAt) / 1000),
              ackedAtS: round((send.ackedAt - this.startedAt) / 1000),
              ...describe(client),
            });
          }
        }
      }
    });
    for (let m = 0; m < perMinute.length; m++) bucket(m);
    return {
      messages: { posted: this.sends.length, ...outcomes },
      deliveries: {
        ...totals,
        duplicated: this.duplicates.length,
        received: this.received,
        viaRecovery: this.replayed,
      },
      latencyMs: percentiles(this.latencies),
      perMinute,
      lostSamples,
      duplicateSamples: this.duplicates.slice(0, 50),
      refusals: tally(this.sends.filter((s) => s.outcome === "refused").map((s) => s.detail)),
      unanswered: tally(this.sends.filter((s) => s.outcome === "unanswered").map((s) => s.detail)),
      strangers: this.strangers,
    };
  }
}

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function percentiles(values) {
  if (values.length === 0) return { count: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]) };
}

export function tally(items) {
  const counts = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
