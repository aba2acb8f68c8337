// The admin UI protocol across two sio-servers on one Redis: a dashboard logged in on one server
// gets the stats of both (each under its own serverId), and its commands reach sockets on the
// other, as with Node's instrumentation.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { client, closeAll, until } from "../helpers/socketio.mjs";
import { connectAs, disconnected } from "../helpers/app.mjs";
import { startAppCluster, stopAppCluster } from "../helpers/app_cluster.mjs";

const HASH = "$2b$10$heqvAkYMez.Va6Et2uXInOnkCT6/uQj1brkrbyG3LpopDklcq7ZOS"; // "changeit"
const ADMIN = { SIO_ADMIN_UI: `admin:${HASH}` };

describe("the admin UI across a Redis cluster of sio-servers", () => {
  let cluster;
  before(async () => (cluster = await startAppCluster({ a: ADMIN, b: ADMIN })));
  afterEach(closeAll);
  after(() => stopAppCluster(cluster));

  it("shows every server's stats and drives sockets on every server", async () => {
    const { a, b } = cluster;
    const onB = await connectAs(b, "bob");
    const admin = client(`${a.url}/socket.io-admin`, { auth: { username: "admin", password: "changeit" } });
    const servers = new Map();
    admin.on("server_stats", (stats) => servers.set(stats.serverId, stats));
    await until(() => servers.size === 2, 10000, "stats from both servers");
    assert.deepEqual([...servers.values()].map((s) => s.pid).sort(), [a.proc.pid, b.proc.pid].sort());

    const gone = disconnected(onB);
    admin.emit("_disconnect", "/", false, onB.id);
    assert.equal(await gone, "io server disconnect");
  });
});
