// Samples the server under soak: resident memory and open file descriptors from /proc, CPU
// time (utime + stime of all its threads) as a share of one core since the previous sample, and
// what it counts itself in /metrics (sessions, sockets, TCP connections, store queue).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseMetrics } from "../../tests/js/helpers/app.mjs";

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuSeconds(pid) {
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;  // utime, stime
}

function rssKb(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : null;
}

const METRICS = {
  sessions: "sio_connections",
  sockets: 'sio_sockets{namespace="/"}',
  tcpConnections: "sio_tcp_connections",
  storeQueue: "sio_store_queue_depth",
};

export class ServerSampler {
  constructor({ pid, url }) {
    this.pid = pid;
    this.url = url;
    this.last = null;  // {at, cpu} of the previous sample, for the CPU share
    this.ownLast = null;
  }

  // A process that exited stays a zombie until its parent (run.sh) reaps it: state Z.
  alive() {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, "utf8");
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
    } catch {
      return false;
    }
  }

  // The server's counters from /metrics (the names in METRICS; null when unavailable).
  async metrics() {
    const res = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return parseMetrics(await res.text());
  }

  // One sample; `error` is set (and the rest partial) when the server could not be read.
  async sample() {
    const at = performance.now();
    const sample = { rssKb: null, fds: null, cpuPercent: null, cpuSeconds: null };
    try {
      const cpu = cpuSeconds(this.pid);
      sample.rssKb = rssKb(this.pid);
      sample.fds = readdirSync(`/proc/${this.pid}/fd`).length;
      sample.cpuSeconds = round(cpu, 2);
      if (this.last) sample.cpuPercent = round((100 * (cpu - this.last.cpu)) / ((at - this.last.at) / 1000));
      this.last = { at, cpu };
    } catch (err) {
      sample.error = `server process: ${err.code ?? err.message}`;
      return sample;
    }
    // This process drives every client: its own CPU share says whether it kept up.
    const own = process.cpuUsage();
    const ownCpu = (own.user + own.system) / 1e6;
    if (this.ownLast) sample.soakCpuPercent = round((100 * (ownCpu - this.ownLast.cpu)) / ((at - this.ownLast.at) / 1000));
    this.ownLast = { at, cpu: ownCpu };
    try {
      const values = await this.metrics();
      for (const [key, name] of Object.entries(METRICS)) sample[key] = values[name] ?? null;
    } catch (err) {
      sample.error = `/metrics: ${err.name === "TimeoutError" ? "no answer within 5 s" : err.message}`;
    }
    return sample;
  }
}

const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
