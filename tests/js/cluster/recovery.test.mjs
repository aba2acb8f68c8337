// Connection state recovery across two sio-servers sharing one Redis: a session stays on the
// server it was on (sticky sessions bring the client back there), and that server replays the
// broadcasts it received from the other server through Redis while the client was away. Another
// server does not know the session: there the client starts afresh.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";
import { whenConnected, next } from "../helpers/socketio.mjs";
import { connectAs, createRoom, addMember, received, nth } from "../helpers/app.mjs";

let cluster;
let a;
let b;
const sockets = [];

before(async () => {
  cluster = await startAppCluster();
  ({ a, b } = cluster);
});

after(async () => {
  for (const s of sockets) s.disconnect();
  await stopAppCluster(cluster);
});

const as = async (server, user, options) => {
  const socket = await connectAs(server, user, options);
  sockets.push(socket);
  return socket;
};

// bob and carol on server a, alice on server b, all in one room; bob's connection then drops.
async function droppedOnA(suffix) {
  const alice = `alice-${suffix}`;
  const bob = `bob-${suffix}`;
  const carol = `carol-${suffix}`;
  const room = await createRoom(a, alice);
  await addMember(a, alice, room.id, bob);
  await addMember(a, alice, room.id, carol);
  const aliceSocket = await as(b, alice);
  const bobSocket = await as(a, bob);
  const carolSocket = await as(a, carol);
  for (const s of [aliceSocket, bobSocket, carolSocket]) {
    assert.deepEqual(await s.emitWithAck("join-room", room.id), { ok: true });
  }
  const first = await aliceSocket.emitWithAck("message", { roomId: room.id, content: "first" });
  assert.equal(first.ok, true);
  await nth(bobSocket, "message");
  const id = bobSocket.id;
  const gone = next(bobSocket, "disconnect");
  bobSocket.io.engine.close();
  await gone;
  await a.waitForLine(new RegExp(`disconnect user=${bob} socket=${id} reason=`));
  return { room, bob, aliceSocket, bobSocket, carolSocket, id };
}

test("the server a session was on replays what another server broadcast meanwhile", async () => {
  const { room, aliceSocket, bobSocket, carolSocket, id } = await droppedOnA("replay");
  const sent = await aliceSocket.emitWithAck("message", { roomId: room.id, content: "sent through b" });
  assert.equal(sent.ok, true);
  // Once carol has it, server a has delivered — and logged — the broadcast that came through
  // Redis: bob can only get it from that log.
  await nth(carolSocket, "message", 2);
  bobSocket.connect();
  await whenConnected(bobSocket, 10000);
  assert.equal(bobSocket.recovered, true);
  assert.equal(bobSocket.id, id);
  const [message] = await nth(bobSocket, "message", 2);
  assert.deepEqual(message, sent.message);
  assert.equal(received(bobSocket, "message").length, 2);
});

test("another server does not know the session: the client starts afresh there", async () => {
  const { bob, bobSocket, id } = await droppedOnA("elsewhere");
  // What the client would send had a load balancer sent it to the other server.
  const elsewhere = await as(b, bob, { auth: { token: b.token(bob), pid: bobSocket._pid, offset: bobSocket._lastOffset } });
  assert.ok(typeof bobSocket._pid === "string" && typeof bobSocket._lastOffset === "string");
  assert.ok(!elsewhere.recovered);
  assert.notEqual(elsewhere.id, id);
});
