// @socket.io/admin-ui 0.5 (the real dashboard, its built ui/dist from the npm package, served by
// sio-server at /admin-ui/ with SIO_ADMIN_UI_DIST) against sio-server with SIO_ADMIN_UI, in
// headless Chromium: a wrong password is refused, the right one logs in, the Servers page shows
// this server, the Sockets and Rooms pages show the app's clients, and the UI disconnects one.
// Then the same server over the protocol alone in production mode: stats, commands, no events.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startApp, connectAs, disconnected } from "../js/helpers/app.mjs";
import { client, closeAll, until } from "../js/helpers/socketio.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, "artifacts");
const uiDist = path.join(here, "../../node_modules/@socket.io/admin-ui/ui/dist");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// "changeit", the example hash of the admin UI's README.
const HASH = "$2b$10$heqvAkYMez.Va6Et2uXInOnkCT6/uQj1brkrbyG3LpopDklcq7ZOS";
const NAMESPACE = "/socket.io-admin";
const WAIT = 15_000;

describe("the admin UI in Chromium, development mode", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];

  before(async () => {
    await mkdir(artifacts, { recursive: true });
    server = await startApp({ env: { SIO_DEV: "1", SIO_ADMIN_UI: `admin:${HASH}`, SIO_ADMIN_UI_DIST: uiDist } });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(WAIT);
    page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
    // The page pulls fonts and icons from CDNs this machine cannot reach.
    await page.route(/fonts\.googleapis|fonts\.gstatic|cdn\.jsdelivr/, (route) => route.abort());
  });

  after(async () => {
    closeAll();
    await browser?.close();
    await server?.stop();
  });

  it("refuses a wrong password, logs in, shows the server, the sockets and rooms, and disconnects a socket", async () => {
    const alice = await connectAs(server, "alice");
    await until(() => alice.id, 5000, "alice connected");

    await page.goto(`${server.url}/admin-ui/`);
    await page.getByLabel("Server URL").fill(server.url);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel("Password").fill("wrong");
    await page.getByText("Advanced options").click();
    await page.getByLabel("Admin namespace").fill(NAMESPACE);
    await page.getByRole("button", { name: "Connect" }).click();
    await page.getByText("Invalid credentials").waitFor();

    await page.getByLabel("Password").fill("changeit");
    await page.getByRole("button", { name: "Connect" }).click();
    await page.locator(".v-dialog").waitFor({ state: "hidden" });
    await page.getByText("CONNECTED").first().waitFor();

    // Servers: this server's stats arrive every 2 s.
    await page.goto(`${server.url}/admin-ui/#/servers/`);
    const serverRow = page.locator(".v-data-table tbody tr", { hasText: `#${server.proc.pid}` });
    await serverRow.waitFor();
    assert.match(await serverRow.textContent(), /healthy/i);

    // Sockets of the main namespace: alice's.
    await page.goto(`${server.url}/admin-ui/#/sockets/`);
    const row = page.locator(".v-data-table tbody tr", { hasText: alice.id });
    await row.waitFor();

    // Rooms: her user room.
    await page.goto(`${server.url}/admin-ui/#/rooms/`);
    await page.locator(".v-data-table tbody tr", { hasText: "user:alice" }).waitFor();
    await page.screenshot({ path: path.join(artifacts, "admin-ui-rooms.png") });

    // A socket that connects now appears without a reload, and the UI disconnects it.
    const bob = await connectAs(server, "bob");
    const bobId = bob.id; // gone from the client once it is disconnected
    await page.goto(`${server.url}/admin-ui/#/sockets/`);
    const bobRow = page.locator(".v-data-table tbody tr", { hasText: bobId });
    await bobRow.waitFor();
    await page.screenshot({ path: path.join(artifacts, "admin-ui-sockets.png") });
    const gone = disconnected(bob, WAIT);
    await bobRow.locator("button:has(i.mdi-logout)").click();
    assert.equal(await gone, "io server disconnect");
    // The click also opened bob's details, where the UI now shows him disconnected.
    await page.getByText("disconnected").first().waitFor();
    await page.goto(`${server.url}/admin-ui/#/sockets/`);
    await page.waitForURL(/#\/sockets\/$/);
    await page.locator(".v-data-table tbody tr", { hasText: alice.id }).waitFor();
    const deadline = performance.now() + WAIT;
    while ((await page.locator(".v-data-table tbody tr", { hasText: bobId }).count()) > 0) {
      assert.ok(performance.now() < deadline, "bob still listed");
      await page.waitForTimeout(100);
    }
    assert.equal(alice.connected, true);
    assert.deepEqual(pageErrors, []);
  });
});

describe("the admin UI protocol, production mode", () => {
  let server;
  before(async () => (server = await startApp({ env: { SIO_ADMIN_UI: `admin:${HASH}` } })));
  after(async () => {
    closeAll();
    await server?.stop();
  });

  const login = (auth) => {
    const admin = client(`${server.url}${NAMESPACE}`, { auth });
    const received = [];
    admin.onAny((event, ...args) => received.push([event, ...args]));
    return { admin, received };
  };

  it("answers config and stats, keeps the session, and obeys commands, with no per-socket events", async () => {
    const alice = await connectAs(server, "alice");
    const { admin, received } = login({ username: "admin", password: "changeit" });
    await until(() => received.some(([e]) => e === "server_stats"), 5000, "server_stats");
    const [, session] = received.find(([e]) => e === "session");
    assert.match(session, /^[0-9a-f]{16}$/);
    const [, config] = received.find(([e]) => e === "config");
    assert.deepEqual(config.supportedFeatures, ["EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS"]);
    const [, stats] = received.find(([e]) => e === "server_stats");
    assert.equal(stats.pid, server.proc.pid);
    assert.equal(stats.clientsCount, 2);
    assert.deepEqual(
      stats.namespaces.find((n) => n.name === "/"),
      { name: "/", socketsCount: 1 },
    );
    assert.ok(stats.aggregatedEvents.some((e) => e.type === "rawConnection" && e.count >= 1));
    assert.equal(received.some(([e]) => ["all_sockets", "socket_connected", "room_joined"].includes(e)), false);

    // The session logs in again without the password.
    const again = login({ sessionId: session });
    await until(() => again.received.some(([e]) => e === "config"), 5000, "login by session");

    // Commands act by socket id (its own room) or room.
    admin.emit("join", "/", "vip", alice.id);
    admin.emit("emit", "/", "vip", "notice", "for vips");
    const [notice] = await new Promise((resolve) => alice.once("notice", (...args) => resolve(args)));
    assert.equal(notice, "for vips");
    const gone = disconnected(alice);
    admin.emit("_disconnect", "/", false, "vip");
    assert.equal(await gone, "io server disconnect");
  });

  it("refuses wrong credentials and unknown sessions with the message the UI expects", async () => {
    for (const auth of [{ username: "admin", password: "nope" }, { username: "root", password: "changeit" }, { sessionId: "0000000000000000" }]) {
      const admin = client(`${server.url}${NAMESPACE}`, { auth });
      const err = await new Promise((resolve) => admin.once("connect_error", resolve));
      assert.equal(err.message, "invalid credentials");
    }
  });
});
