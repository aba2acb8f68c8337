import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer } from "../helpers/server.mjs";
import { openClient, collectMessages, toBytes } from "../helpers/engineio.mjs";

const MEGABYTE = 1024 * 1024;

for (const transport of ["polling", "websocket"]) {
  describe(`binary and large messages over ${transport}`, () => {
    let server;
    before(async () => (server = await startServer("eio-echo-server", { args: ["--max-payload", "3000000"] })));
    after(() => server.stop());

    it("echoes Buffer, Uint8Array and ArrayBuffer as identical bytes", async () => {
      const socket = await openClient(server, { transports: [transport] });
      const bytes = randomBytes(256);
      const echoes = collectMessages(socket, 3);
      socket.send(bytes);
      socket.send(new Uint8Array(bytes));
      socket.send(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      for (const echo of await echoes) {
        assert.equal(typeof echo === "string", false);
        assert.deepEqual(toBytes(echo), bytes);
      }
      socket.close();
    });

    it("keeps the order of mixed text and binary messages", async () => {
      const socket = await openClient(server, { transports: [transport] });
      const echoes = collectMessages(socket, 6);
      const sent = ["a", Buffer.from([1]), "b", Buffer.from([2, 2]), "c", Buffer.from([])];
      for (const m of sent) socket.send(m);
      const got = (await echoes).map((m) => (typeof m === "string" ? m : [...toBytes(m)]));
      assert.deepEqual(got, ["a", [1], "b", [2, 2], "c", []]);
      socket.close();
    });

    it("echoes a 1 MB binary message", async () => {
      const socket = await openClient(server, { transports: [transport] });
      const bytes = randomBytes(MEGABYTE);
      const echoes = collectMessages(socket, 1, 15000);
      socket.send(bytes);
      assert.ok(toBytes((await echoes)[0]).equals(bytes));
      socket.close();
    });

    it("echoes a 1 MB string", async () => {
      const socket = await openClient(server, { transports: [transport] });
      const text = "é".repeat(MEGABYTE / 2);
      const echoes = collectMessages(socket, 1, 15000);
      socket.send(text);
      assert.equal((await echoes)[0], text);
      socket.close();
    });
  });
}
