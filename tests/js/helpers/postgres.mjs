// A throwaway PostgreSQL cluster for the tests: initdb into a fresh directory, listening on a unix
// socket in that directory only (no TCP, so no clash with any other server), trust auth for the
// user "sio". It can be stopped mid-test and started again on the same data, to test outages.
// Running as root, the cluster belongs to the "postgres" system user (initdb refuses root).
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";

// Any port number: the socket lives in the cluster's own directory.
const PORT = 5432;

// The bin directory of the newest PostgreSQL in Debian's layout, or null when there is none.
export function findPgBin() {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, "bin");
    if (existsSync(path.join(bin, "initdb")) && existsSync(path.join(bin, "pg_ctl"))) return bin;
  }
  return null;
}

export const pgBin = findPgBin();

const asRoot = () => userInfo().uid === 0;

function asOwner(cmd, args) {
  const file = path.join(pgBin, cmd);
  return asRoot()
    ? execFileSync("runuser", ["-u", "postgres", "--", file, ...args], { stdio: "pipe" })
    : execFileSync(file, args, { stdio: "pipe" });
}

// The postmaster and its children (backends, background workers), by pid.
function clusterPids(data) {
  const postmaster = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  const children = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // The parent's pid is the 4th field after the parenthesised command name.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

// Creates and starts a cluster; resolves with {dir, url, start(), stop(mode), freeze(), thaw(),
// remove()}. `url` is a DATABASE_URL for sio-server. stop() defaults to "fast" (clients are
// disconnected, as a DBA's restart does); "immediate" is a crash. freeze() SIGSTOPs every process
// of the server (it answers nothing and closes nothing, as a stalled machine or network), thaw()
// SIGCONTs them.
export function startPostgres() {
  if (!pgBin) throw new Error("PostgreSQL binaries not found");
  const dir = mkdtempSync(path.join(tmpdir(), "sio-pg-"));
  if (asRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  asOwner("initdb", ["-D", data, "-U", "sio", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  let running = false;
  let frozen = [];
  const cluster = {
    dir,
    url: `postgresql://sio@/postgres?host=${dir}&port=${PORT}`,
    get running() {
      return running;
    },
    // Starts the server and waits until it accepts connections.
    start() {
      asOwner("pg_ctl", [
        "-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60",
        "-o", `-p ${PORT} -k ${dir} -c listen_addresses=''`, "start",
      ]);
      running = true;
    },
    // Stops the server and waits until it is gone.
    stop(mode = "fast") {
      if (!running) return;
      cluster.thaw();
      asOwner("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
      running = false;
    },
    get frozen() {
      return frozen.length > 0;
    },
    freeze() {
      frozen = clusterPids(data);
      for (const pid of frozen) process.kill(pid, "SIGSTOP");
    },
    thaw() {
      for (const pid of frozen) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // exited meanwhile
        }
      }
      frozen = [];
    },
    remove() {
      try {
        cluster.stop("immediate");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
