// End-to-end test of the demo page (web/) against a real sio-server, driven in headless Chromium:
// two users in two browser contexts chat in a room, one likes the other's post and the author gets
// a live notification. Screenshots (desktop and phone width) go to tests/e2e/artifacts/.
//
// Needs Debian's chromium (/usr/bin/chromium, or env CHROMIUM_PATH) and the built sio-server
// (env SIO_BIN_DIR, default build/bin).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../js/helpers/server.mjs";

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WAIT = 10_000;

describe("demo page end to end", { timeout: 60_000 }, () => {
  let server;
  let browser;
  let dataDir;
  const pageErrors = []; // uncaught exceptions and console errors of every page

  async function newPage(label, viewport = { width: 1280, height: 800 }) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(`${label}: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error") pageErrors.push(`${label} console: ${msg.text()}`);
    });
    return page;
  }

  async function signIn(page, name) {
    await page.goto(server.url);
    await page.fill("#name", name);
    await page.click("#signin");
    await page.waitForSelector('#status[data-state="connected"]');
    assert.equal(await page.textContent("#me"), name);
  }

  async function openRoom(page, roomId) {
    await page.click(`[data-room-id="${roomId}"]`);
    await page.waitForSelector(`#chat[data-open-room="${roomId}"][data-joined="true"]`);
  }

  async function send(page, text) {
    await page.fill("#message-input", text);
    await page.click("#send");
  }

  const message = (page, text) => page.locator("#messages [data-message-id]", { hasText: text });
  const textOf = (page, selector) => page.locator(selector).textContent();

  before(async () => {
    await mkdir(artifacts, { recursive: true });
    dataDir = await mkdtemp(path.join(tmpdir(), "sio-e2e-"));
    server = await startServer("sio-server", {
      env: { SIO_DEV: "1", PORT: "0", DATABASE_URL: `sqlite:${path.join(dataDir, "e2e.db")}` },
    });
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"], headless: true });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("lets two users chat, like a post and get notified", async () => {
    const alice = await newPage("alice");
    const bob = await newPage("bob");
    await signIn(alice, "alice");
    await signIn(bob, "bob");

    // Two contexts keep two sessions: a reload keeps alice signed in as alice.
    await alice.reload();
    await alice.waitForSelector('#status[data-state="connected"]');
    assert.equal(await textOf(alice, "#me"), "alice");

    // Alice creates a public room; it appears in her list and opens.
    await alice.fill("#new-room-name", "e2e lounge");
    await alice.check("#new-room-public");
    await alice.click("#create-room");
    const roomButton = alice.locator("[data-room-id]", { hasText: "e2e lounge" });
    await roomButton.waitFor();
    const roomId = await roomButton.getAttribute("data-room-id");
    assert.match(roomId, /^\d+$/);
    await openRoom(alice, roomId);

    // Bob finds it after a refresh and joins.
    await bob.click("#refresh-rooms");
    await bob.locator(`[data-room-id="${roomId}"]`).waitFor();
    await openRoom(bob, roomId);

    // Presence goes to the rooms a user is a member of. Now that bob is a member of alice's room,
    // his signing out and in again shows on alice's page.
    await bob.click("#signout");
    await bob.waitForSelector("#signin-panel:not([hidden])");
    await signIn(bob, "bob");
    await alice.locator('#online [data-user-id="bob"]').waitFor();
    await openRoom(bob, roomId);

    // Alice -> bob.
    await send(alice, "hello bob");
    const atBob = message(bob, "hello bob");
    await atBob.waitFor();
    assert.equal(await atBob.locator(".author").textContent(), "alice");
    assert.notEqual((await atBob.locator("time").textContent()).trim(), "");
    // Own messages come back by ack and by broadcast: shown once.
    await message(alice, "hello bob").waitFor();
    assert.equal(await message(alice, "hello bob").count(), 1);

    // Bob -> alice, as text, not markup.
    const reply = 'hi alice <img src=x onerror="window.__xss=1">';
    await send(bob, reply);
    const atAlice = message(alice, "hi alice");
    await atAlice.waitFor();
    assert.equal(await atAlice.locator(".author").textContent(), "bob");
    assert.equal(await atAlice.locator(".content").textContent(), reply);
    assert.equal(await alice.locator("#messages img").count(), 0);
    assert.equal(await alice.evaluate(() => window.__xss), undefined);
    await message(bob, "hi alice").waitFor();
    assert.equal(await message(bob, "hi alice").count(), 1);

    // History: carol, on a phone-sized screen, joins later and loads the room's history in order.
    const carol = await newPage("carol", { width: 390, height: 844 });
    await signIn(carol, "carol");
    await carol.locator(`[data-room-id="${roomId}"]`).waitFor();
    await openRoom(carol, roomId);
    await message(carol, "hi alice").waitFor();
    const shown = await carol.locator("#messages [data-message-id] .content").allTextContents();
    const hello = shown.indexOf("hello bob");
    assert.ok(hello >= 0 && hello < shown.indexOf(reply), `history out of order: ${JSON.stringify(shown)}`);

    // Alice posts; bob likes it.
    await alice.fill("#new-post", "first post from alice");
    await alice.click("#create-post");
    const alicePost = alice.locator("[data-post-id]", { hasText: "first post from alice" });
    await alicePost.waitFor();
    const postId = await alicePost.getAttribute("data-post-id");
    assert.equal(await textOf(alice, "#badge"), "0");

    await bob.click("#refresh-posts");
    const bobPost = bob.locator(`[data-post-id="${postId}"]`);
    await bobPost.waitFor();
    assert.equal(await bobPost.locator(".likes").textContent(), "0");
    await bobPost.locator(".like").click();
    await bob.waitForFunction(
      (id) => document.querySelector(`[data-post-id="${id}"] .likes`)?.textContent === "1",
      postId,
      { timeout: WAIT },
    );

    // Alice gets a live notification: the badge shows 1; opening the panel reads it.
    await alice.waitForFunction(() => document.querySelector("#badge").textContent === "1", null, { timeout: WAIT });
    await alice.screenshot({ path: path.join(artifacts, "alice-desktop.png") });
    await alice.click("#notifications-toggle");
    const note = alice.locator("#notifications [data-notification-id]");
    await note.first().waitFor();
    assert.equal(await note.count(), 1);
    assert.match(await note.first().textContent(), /bob liked your post/);
    await alice.waitForFunction(() => document.querySelector("#badge").textContent === "0", null, { timeout: WAIT });
    await alice.screenshot({ path: path.join(artifacts, "alice-notifications.png") });

    // Read for good: after a reload the server sends no unread notifications.
    await alice.reload();
    await alice.waitForSelector('#status[data-state="connected"]');
    await alice.waitForTimeout(300);
    assert.equal(await textOf(alice, "#badge"), "0");

    await bob.screenshot({ path: path.join(artifacts, "bob-desktop.png") });
    await carol.click("#refresh-posts");
    await carol.locator(`[data-post-id="${postId}"]`).waitFor();
    await carol.evaluate(() => window.scrollTo(0, 0));
    await carol.screenshot({ path: path.join(artifacts, "phone.png") });
    await carol.screenshot({ path: path.join(artifacts, "phone-full.png"), fullPage: true });

    // Nothing overflows sideways at phone width.
    const overflow = await carol.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone viewport`);

    // A reload keeps bob signed in and reopens his room with its history.
    await bob.reload();
    await bob.waitForSelector(`#chat[data-open-room="${roomId}"][data-joined="true"]`);
    assert.equal(await textOf(bob, "#me"), "bob");
    await message(bob, "hello bob").waitFor();

    // Long after the fact, each message still shows once on each page.
    for (const page of [alice, carol]) {
      assert.equal(await message(page, "hello bob").count(), 1);
      assert.equal(await message(page, "hi alice").count(), 1);
    }

    // Sign out returns to the sign-in form and forgets the token in that context only.
    await bob.click("#signout");
    await bob.waitForSelector("#signin-panel:not([hidden])");
    assert.equal(await bob.evaluate(() => sessionStorage.getItem("sio.token")), null);
    assert.equal(await textOf(alice, "#me"), "alice");

    assert.deepEqual(pageErrors, []);
  });

  it("shows connect_error messages for a bad token", async () => {
    const page = await newPage("intruder");
    await page.goto(server.url);
    await page.click(".paste summary");
    await page.fill("#token-input", "not-a-jwt");
    await page.click("#use-token");
    await page.waitForSelector('#status[data-state="error"]');
    assert.match(await textOf(page, "#status"), /Invalid token/);
    await page.close();
  });
});
