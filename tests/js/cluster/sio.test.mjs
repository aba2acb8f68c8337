// Two sio servers sharing one Redis: what a client of one does reaches the clients of the other.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startRedis } from "../helpers/redis.mjs";
import { REQUEST_CHANNEL, member, startSio, waitFor } from "./cluster.mjs";
import { clusterScenarios } from "./scenarios.mjs";

describe("a cluster of two sio servers", () => {
  let redis;
  let servers;
  before(async () => {
    redis = await startRedis();
    const [a, b] = await Promise.all([startSio(redis, "sio-a"), startSio(redis, "sio-b")]);
    servers = { a: Object.assign(a, { name: "sio-a" }), b: Object.assign(b, { name: "sio-b" }) };
    await redis.waitForSubscribers(REQUEST_CHANNEL, 2);
  });
  after(async () => {
    await Promise.all([servers?.a.stop(), servers?.b.stop()]);
    await redis?.stop();
  });

  clusterScenarios(() => servers);

  it("ignores malformed messages on its channels and goes on", async () => {
    const junk = [
      "not msgpack",
      Buffer.from("93a17881a474797065cc9980", "hex"), // ["x", {type: 153}, {}]: unknown packet type
      '{"type":4,"opts":{"rooms":[1]},"close":"yes"}', // close is not a boolean
      '{"type":"2"}',
      '{"type":7,"packet":null}',
      "{broken json",
      Buffer.from("c1", "hex"), // never used in msgpack
      Buffer.from("dd7fffffff", "hex"), // an array claiming 2^31 items
    ];
    for (const channel of ["socket.io#/#", "socket.io#/#room#", REQUEST_CHANNEL, "socket.io-response#/#"]) {
      for (const payload of junk) await redis.command("PUBLISH", channel, payload);
    }
    const [a1, b1] = await Promise.all([member(servers.a), member(servers.b, ["after-junk"])]);
    const arrival = waitFor(b1, "msg");
    await a1.emitWithAck("broadcast", { to: "after-junk", event: "msg", args: ["still here"] });
    assert.deepEqual(await arrival, ["still here"]);
  });
});
