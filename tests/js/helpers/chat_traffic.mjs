// Chat traffic for the storage fault tests: senders that post `message`s to a room as fast as the
// acks come back, a record of what became of each one, and the checks that tie acks and
// broadcasts to what the database holds.
import assert from "node:assert/strict";
import { api } from "./app.mjs";

// Starts `window` concurrent senders on each socket, each sending its next message when the ack
// of the previous one arrived, until stop(). What the server answered is recorded:
//   acked: Map id -> message, of the {ok:true} acks;   refused: [{content, error}] ({ok:false});
//   unanswered: [content] (no ack within `ackTimeoutMs`, e.g. the server went away).
// stop() resolves once every sender has finished (at most `ackTimeoutMs` later).
export function messageTraffic(sockets, roomId, { window = 4, ackTimeoutMs = 5000, tag = "m" } = {}) {
  const traffic = { acked: new Map(), refused: [], unanswered: [], sent: 0 };
  let stopped = false;
  const sender = async (socket, name) => {
    for (let i = 0; !stopped && socket.connected; i++) {
      const content = `${tag}-${name}-${i}`;
      traffic.sent++;
      try {
        const reply = await socket.timeout(ackTimeoutMs).emitWithAck("message", { roomId, content });
        if (reply?.ok) traffic.acked.set(reply.message.id, reply.message);
        else traffic.refused.push({ content, error: reply?.error });
      } catch {
        traffic.unanswered.push(content);
      }
    }
  };
  const senders = sockets.flatMap((socket, s) => Array.from({ length: window }, (_, w) => sender(socket, `${s}.${w}`)));
  traffic.stop = async () => {
    stopped = true;
    await Promise.all(senders);
    return traffic;
  };
  return traffic;
}

// Every message of a room, oldest first, through the REST API (pages of 100).
export async function roomMessages(server, roomId, user) {
  const messages = [];
  let before = "";
  for (;;) {
    const res = await api(server, "GET", `/api/rooms/${roomId}/messages?limit=100${before}`, { token: server.token(user) });
    assert.equal(res.status, 200, res.text);
    if (res.body.length === 0) return messages.reverse();
    messages.push(...res.body);
    before = `&before=${res.body.at(-1).id}`;
  }
}

// Asserts that every message acked OK and every message broadcast is in `stored` (the room's
// messages as the database has them), identical.
export function assertAllStored(stored, { acked = new Map(), broadcast = [] }) {
  const byId = new Map(stored.map((m) => [m.id, m]));
  const lost = [...acked.keys()].filter((id) => !byId.has(id));
  assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acked messages are not in the database`);
  for (const [id, message] of acked) assert.deepEqual(byId.get(id), message, `acked message ${id} differs`);
  const unstored = broadcast.filter((m) => !byId.has(m.id));
  assert.deepEqual(unstored, [], `${unstored.length} of ${broadcast.length} broadcast messages are not in the database`);
  for (const message of broadcast) assert.deepEqual(byId.get(message.id), message, `broadcast message ${message.id} differs`);
}
