// Starts a built server binary on an ephemeral port and waits until it listens. The server
// prints "listening on port N" when ready; every stdout line is kept so tests can assert on
// what the server reported (session opens, upgrades, close reasons).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const binDir = process.env.SIO_BIN_DIR ?? path.join(repoRoot, "build/bin");

// `name`: a binary of the build (bin/), or an absolute path. `cwd`: where it runs (default: here).
export async function startServer(name, { args = [], env = {}, cwd } = {}) {
  const proc = spawn(path.isAbsolute(name) ? name : path.join(binDir, name), args, {
    env: { ...process.env, PORT: "0", ...env },
    cwd,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = [];
  const waiters = new Set();
  createInterface({ input: proc.stdout }).on("line", (line) => {
    lines.push(line);
    for (const waiter of waiters) waiter(line);
  });

  const waitForLine = (regex, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const found = lines.find((l) => regex.test(l));
      if (found) return resolve(found.match(regex));
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no line matching ${regex} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (line) => {
        if (!regex.test(line)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line.match(regex));
      };
      waiters.add(check);
    });

  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const ready = waitForLine(/^listening on port (\d+)$/, 10000);
  const match = await Promise.race([
    ready,
    exited.then(({ code, signal }) => {
      throw new Error(`${name} exited before listening (code ${code}, signal ${signal})`);
    }),
  ]);
  const port = Number(match[1]);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    proc,
    lines,
    waitForLine,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      const result = await exited;
      clearTimeout(timer);
      // A server must stop cleanly: a sanitizer report or a hang at shutdown fails the test file.
      if (result.code !== 0 && result.signal !== "SIGTERM") {
        throw new Error(`${name} exited with code ${result.code}, signal ${result.signal}`);
      }
      return result;
    },
  };
}

// Resolves with the arguments of the first `event` the emitter fires, or rejects after a while.
export function once(emitter, event, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    const handler = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    if (emitter.once) emitter.once(event, handler);
    else emitter.addEventListener(event, (e) => handler(e), { once: true });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Whether the process `pid` runs a sanitizer build (its own allocator: ASan quarantines freed
// memory, glibc's malloc tunables do not apply).
export const isSanitized = (pid) => /libasan|libtsan/.test(readFileSync(`/proc/${pid}/maps`, "utf8"));
