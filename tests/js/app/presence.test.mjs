import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import util from "node:util";
import { sleep } from "../helpers/server.mjs";
import { closeAll } from "../helpers/socketio.mjs";
import { startApp, createRoom, addMember, connectAs, received, sqlite } from "../helpers/app.mjs";

const QUIET_MS = 300;

describe("sio-server presence and last seen", () => {
  let server;
  before(async () => (server = await startApp()));
  afterEach(closeAll);
  after(() => server.stop());

  // Users of their own per test: presence counts a user's sockets across the server.
  const unique = (name) => `${name}-${randomBytes(3).toString("hex")}`;
  const presenceOf = (socket, user) => received(socket, "presence").map(([p]) => p).filter((p) => p.userId === user);
  const waitPresence = async (socket, user, n) => {
    const deadline = performance.now() + 5000;
    while (presenceOf(socket, user).length < n) {
      if (performance.now() > deadline) throw new Error(`${n} presence event(s) of ${user} not received`);
      await sleep(5);
    }
    return presenceOf(socket, user);
  };
  // alice connected and joined a private room of which bob is a member too.
  const setup = async () => {
    const alice = unique("alice");
    const bob = unique("bob");
    const room = await createRoom(server, alice);
    await addMember(server, alice, room.id, bob);
    const aliceSocket = await connectAs(server, alice);
    assert.deepEqual(await aliceSocket.timeout(3000).emitWithAck("join-room", room.id), { ok: true });
    return { alice, bob, room, aliceSocket };
  };

  it("tells the room's joined sockets {userId, online:true} when a member connects", async () => {
    const { bob, aliceSocket } = await setup();
    await connectAs(server, bob);
    assert.deepEqual(await waitPresence(aliceSocket, bob, 1), [{ userId: bob, online: true }]);
  });

  it("tells them {userId, online:false} when the member's last socket disconnects", async () => {
    const { bob, aliceSocket } = await setup();
    const bobSocket = await connectAs(server, bob);
    await waitPresence(aliceSocket, bob, 1);
    bobSocket.disconnect();
    assert.deepEqual((await waitPresence(aliceSocket, bob, 2))[1], { userId: bob, online: false });
  });

  it("sends nothing for a user's second socket, nor when one of two sockets closes", async () => {
    const { bob, aliceSocket } = await setup();
    const first = await connectAs(server, bob);
    await waitPresence(aliceSocket, bob, 1);
    const second = await connectAs(server, bob);
    await sleep(QUIET_MS);
    assert.equal(presenceOf(aliceSocket, bob).length, 1, "a second socket announced the user online again");
    first.disconnect();
    await sleep(QUIET_MS);
    assert.equal(presenceOf(aliceSocket, bob).length, 1, "closing one of two sockets announced something");
    second.disconnect();
    assert.deepEqual((await waitPresence(aliceSocket, bob, 2))[1], { userId: bob, online: false });
    await sleep(QUIET_MS);
    assert.equal(presenceOf(aliceSocket, bob).length, 2);
  });

  it("does not tell sockets of rooms the user is not a member of", async () => {
    const { bob } = await setup();
    const carol = unique("carol");
    const otherRoom = await createRoom(server, carol);
    const carolSocket = await connectAs(server, carol);
    await carolSocket.timeout(3000).emitWithAck("join-room", otherRoom.id);
    const bobSocket = await connectAs(server, bob);
    await sleep(QUIET_MS);
    bobSocket.disconnect();
    await sleep(QUIET_MS);
    assert.deepEqual(presenceOf(carolSocket, bob), []);
  });

  it("does not tell a member who is connected but did not join the room", async () => {
    const { room, bob, alice } = await setup();
    const carol = unique("carol");
    await addMember(server, alice, room.id, carol);
    const carolSocket = await connectAs(server, carol); // a member, not joined
    await connectAs(server, bob);
    await sleep(QUIET_MS);
    assert.deepEqual(presenceOf(carolSocket, bob), []);
  });

  it("counts a public room joined over the socket as membership for presence", async () => {
    const alice = unique("alice");
    const bob = unique("bob");
    const room = await createRoom(server, alice, { isPublic: true });
    const aliceSocket = await connectAs(server, alice);
    await aliceSocket.timeout(3000).emitWithAck("join-room", room.id);
    const bobFirst = await connectAs(server, bob);
    assert.deepEqual(await bobFirst.timeout(3000).emitWithAck("join-room", room.id), { ok: true });
    bobFirst.disconnect();
    // bob's connection and his joining race on the server: the rooms he is a member of may be
    // read after the join made him one, and then alice is told he came online first.
    const offline = { userId: bob, online: false };
    const deadline = performance.now() + 5000;
    while (!presenceOf(aliceSocket, bob).some((p) => !p.online)) {
      if (performance.now() > deadline) throw new Error(`bob's going offline not told to alice`);
      await sleep(5);
    }
    const told = presenceOf(aliceSocket, bob);
    assert.ok(
      util.isDeepStrictEqual(told, [offline]) || util.isDeepStrictEqual(told, [{ userId: bob, online: true }, offline]),
      `alice was told ${JSON.stringify(told)}`,
    );
    await connectAs(server, bob);
    const back = await waitPresence(aliceSocket, bob, told.length + 1);
    assert.deepEqual(back.at(-1), { userId: bob, online: true });
  });

  it("writes users.last_seen_at when the user's last socket disconnects", async () => {
    const { bob, aliceSocket } = await setup();
    const query = `select last_seen_at from users where id='${bob}'`;
    const bobSocket = await connectAs(server, bob);
    await waitPresence(aliceSocket, bob, 1);
    assert.equal(sqlite(server.dbPath, query), "", "last_seen_at was written while the user was online");
    const before = Date.now();
    bobSocket.disconnect();
    await waitPresence(aliceSocket, bob, 2); // sent after the store wrote last_seen_at
    const lastSeen = Number(sqlite(server.dbPath, query));
    assert.ok(lastSeen >= before - 50 && lastSeen <= Date.now() + 50, `last_seen_at ${lastSeen} is not the disconnect time ${before}`);
  });

  it("updates last_seen_at at each disconnect", async () => {
    const bob = unique("bob");
    const query = `select last_seen_at from users where id='${bob}'`;
    const readLastSeen = async () => {
      const deadline = performance.now() + 3000;
      for (;;) {
        const value = sqlite(server.dbPath, query);
        if (value) return Number(value);
        if (performance.now() > deadline) throw new Error("last_seen_at not written");
        await sleep(20);
      }
    };
    const first = await connectAs(server, bob);
    first.disconnect();
    const t1 = await readLastSeen();
    await sleep(50);
    const second = await connectAs(server, bob);
    second.disconnect();
    let t2 = t1;
    const deadline = performance.now() + 3000;
    while (t2 === t1 && performance.now() < deadline) {
      await sleep(20);
      t2 = await readLastSeen();
    }
    assert.ok(t2 > t1, `last_seen_at did not move on (${t1} → ${t2})`);
  });
});
