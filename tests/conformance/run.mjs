// Runs an upstream protocol test suite (mocha) against one of sio's fixture servers started on a
// free port, `--runs N` times in a row against the same server process.
//   node tests/conformance/run.mjs <fixture-binary> <suite-dir> [--runs N]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../js/helpers/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

const [fixture, suite, ...rest] = process.argv.slice(2);
const runsFlag = rest.indexOf("--runs");
const runs = runsFlag >= 0 ? Number(rest[runsFlag + 1]) : 1;
if (!fixture || !suite || !(runs > 0)) {
  console.error("usage: run.mjs <fixture-binary> <suite-dir> [--runs N]");
  process.exit(2);
}

const server = await startServer(fixture);
let failures = 0;
try {
  for (let run = 1; run <= runs; run++) {
    console.log(`== ${suite} conformance, run ${run}/${runs}, ${fixture} on port ${server.port}`);
    const result = spawnSync(
      process.execPath,
      [path.join(here, suite, "node_modules/mocha/bin/mocha"), "--reporter", "dot", "test-suite.js"],
      {
        cwd: path.join(here, suite),
        env: { ...process.env, SIO_CONFORMANCE_URL: `http://localhost:${server.port}` },
        stdio: "inherit",
      },
    );
    if (result.status !== 0) failures++;
  }
} finally {
  const { code, signal } = await server.stop();
  // The fixture must survive the whole suite and exit cleanly (sanitizers report at exit).
  if (code !== 0 && signal !== "SIGTERM") {
    console.error(`${fixture} exited with code ${code}, signal ${signal}`);
    failures++;
  }
}
console.log(`${runs - failures}/${runs} runs passed`);
process.exit(failures ? 1 : 0);
