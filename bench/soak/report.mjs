// The soak's result files: <stamp>-soak.json (everything, every 10-second sample) and
// <stamp>-soak.md (the tables a reader wants: deliveries, churn, the server over time, errors),
// and the summary printed at the end of a run.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const mib = (kb) => (kb == null ? "–" : (kb / 1024).toFixed(1));
const num = (x) => (x == null ? "–" : String(x));
const list = (counts) =>
  Object.entries(counts ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ") || "none";
const get = (counts, key) => counts?.[key] ?? 0;

// The sample closest to each whole minute of churn, then the end and after-close samples.
function timeline(report) {
  const churn = report.samples.filter((s) => s.phase === "churn" || s.phase === "start");
  const rows = [];
  for (let m = 0; m <= Math.ceil(report.options.minutes); m++) {
    const near = churn.filter((s) => Math.abs(s.t - 60 * m) <= 5 + report.options.sampleEvery / 2);
    if (near.length === 0) continue;
    const s = near.reduce((a, b) => (Math.abs(b.t - 60 * m) < Math.abs(a.t - 60 * m) ? b : a));
    if (rows.at(-1)?.sample !== s) rows.push({ label: String(m), sample: s, minute: m });
  }
  for (const phase of ["end", "after"]) {
    const s = report.samples.find((x) => x.phase === phase);
    if (s) rows.push({ label: phase === "end" ? "end" : "clients gone", sample: s });
  }
  return rows;
}

function extremes(report, key) {
  const values = report.samples.map((s) => s[key]).filter((v) => v != null);
  const at = (phase) => report.samples.find((s) => s.phase === phase)?.[key];
  return { before: at("before"), start: at("start"), end: at("end"), after: at("after"), max: values.length ? Math.max(...values) : null };
}

export function summarize(report) {
  const d = report.evaluation.deliveries;
  const m = report.evaluation.messages;
  const rss = extremes(report, "rssKb");
  const fds = extremes(report, "fds");
  const lines = [
    `soak ${report.verdict.pass ? "PASS" : "FAIL"}${report.verdict.reasons.length ? ": " + report.verdict.reasons.join("; ") : ""}`,
    `  ${report.options.minutes} min, ${report.options.clients} clients, ${report.options.rooms} rooms`,
    `  messages: ${m.posted} posted, ${m.acked} acked, ${m.refused} refused, ${m.unanswered} unanswered`,
    `  deliveries: ${d.expected} expected, ${d.delivered} delivered (${d.viaRecovery} of all received via recovery), ${d.lost} lost, ${d.duplicated} duplicated`,
    `  reconnects: ${list(report.churn["reconnects"])}`,
    `  churn: ${list(report.churn["churn"])}, ${report.churn.storms} storms`,
    `  server RSS MiB: start ${mib(rss.start)}, end ${mib(rss.end)}, max ${mib(rss.max)}, clients gone ${mib(rss.after)}`,
    `  server fds: start ${num(fds.start)}, end ${num(fds.end)}, max ${num(fds.max)}, clients gone ${num(fds.after)}`,
    `  errors: ${list(report.errors)}`,
  ];
  return lines.join("\n");
}

function markdown(report) {
  const o = report.options;
  const e = report.evaluation;
  const d = e.deliveries;
  const lat = e.latencyMs;
  const c = report.churn;
  const out = [];
  out.push(`# Soak: sio-server, ${o.minutes} min, ${o.clients} clients — ${report.verdict.pass ? "PASS" : "FAIL"}`, "");
  if (!report.verdict.pass) out.push(`**Failed:** ${report.verdict.reasons.join("; ")}.`, "");
  out.push(
    `${report.startedAt} → ${report.finishedAt} · ${report.machine.cpus} cores, load ${report.machine.loadStart} → ` +
      `${report.machine.loadEnd} · node ${report.machine.node} · recovery window ${o.recoveryWindowMs / 1000} s`,
    "",
    `Clients: ${list(report.transports)} · ${o.rooms} rooms, 1–${o.maxRooms} per client · ${o.rate} messages/s · ` +
      `${o.dropsPerMinute} transport drops/min · ${o.roomChanges} room changes/s · storms of ${Math.round(o.stormShare * 100)} % ` +
      `of the clients every ${o.stormEvery} s (first at ${o.stormFirst} s)`,
    "",
    "## Deliveries",
    "",
    "A message is owed to the clients that were certainly in its room from its post to its ack, through",
    "recovered drops (see bench/README.md).",
    "",
    "| | count |",
    "| --- | ---: |",
    `| messages posted | ${e.messages.posted} |`,
    `| acked / refused / unanswered | ${e.messages.acked} / ${e.messages.refused} / ${e.messages.unanswered} |`,
    `| deliveries expected | ${d.expected} |`,
    `| delivered | ${d.delivered} |`,
    `| **lost** | **${d.lost}** |`,
    `| **duplicated** | **${d.duplicated}** |`,
    `| received in all (of which replayed by recovery) | ${d.received} (${d.viaRecovery}) |`,
    `| received outside a member window (not counted) | ${d.outsideWindows} |`,
    `| live latency p50 / p90 / p99 / max, ms | ${lat.p50 ?? "–"} / ${lat.p90 ?? "–"} / ${lat.p99 ?? "–"} / ${lat.max ?? "–"} |`,
    "",
    "## Churn",
    "",
    "| | count |",
    "| --- | ---: |",
    `| storms | ${c.storms} |`,
    `| transport drops (storms included) | ${get(c.churn, "transport drop")} |`,
    `| disconnect + reconnect (storms) | ${get(c.churn, "disconnect + reconnect")} |`,
    `| reconnects, recovered | ${get(c.reconnects, "recovered")} |`,
    `| reconnects, fresh after a disconnect | ${get(c.reconnects, "fresh after a disconnect")} |`,
    `| reconnects, fresh, not recoverable | ${get(c.reconnects, "fresh, not recoverable")} |`,
    `| reconnects, fresh, recovery failed | ${get(c.reconnects, "fresh, recovery failed")} |`,
    `| recovery gap p50 / max, ms | ${c.recoveryGapMs.p50 ?? "–"} / ${c.recoveryGapMs.max ?? "–"} |`,
    `| room joins / leaves | ${get(c["room changes"], "join")} / ${get(c["room changes"], "leave")} |`,
    `| acks lost to a drop | ${list(c["acks lost to a drop"])} |`,
    `| disconnect reasons (client side) | ${list(c["disconnect reasons"])} |`,
    `| connect errors | ${list(c["connect errors"])} |`,
    "",
    "## Server over time",
    "",
    "| min | RSS MiB | fds | sessions | sockets | TCP | CPU % | soak CPU % | acked | expected | lost |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const row of timeline(report)) {
    const s = row.sample;
    const b = row.minute == null ? null : e.perMinute[row.minute - 1];
    out.push(
      `| ${row.label} | ${mib(s.rssKb)} | ${num(s.fds)} | ${num(s.sessions)} | ${num(s.sockets)} | ${num(s.tcpConnections)} | ` +
        `${num(s.cpuPercent)} | ${num(s.soakCpuPercent)} | ${b ? b.acked : ""} | ${b ? b.expected : ""} | ${b ? b.lost : ""} |`,
    );
  }
  out.push(
    "",
    "acked / expected / lost: the messages posted during the minute that ends on that row.",
    "",
    "| | before clients | start | end | max | clients gone |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [name, key, fmt] of [["RSS MiB", "rssKb", mib], ["fds", "fds", num], ["sessions", "sessions", num], ["TCP connections", "tcpConnections", num]]) {
    const x = extremes(report, key);
    out.push(`| ${name} | ${fmt(x.before)} | ${fmt(x.start)} | ${fmt(x.end)} | ${fmt(x.max)} | ${fmt(x.after)} |`);
  }
  out.push("", "## Errors", "");
  const errors = Object.entries(report.errors);
  if (errors.length === 0) out.push("None.");
  else {
    out.push("| kind | count |", "| --- | ---: |");
    for (const [kind, count] of errors.sort((a, b) => b[1] - a[1])) out.push(`| ${kind} | ${count} |`);
  }
  const log = report.serverLog;
  out.push("", `Server log: ${log.lines} lines, ${log.warnings} warnings, ${log.errors} errors.`);
  for (const line of log.samples) out.push(`    ${line}`);
  if (e.lostSamples.length > 0) {
    out.push("", "## First lost deliveries", "", "| seq | message id | room | client | transport | sent s | acked s | epochs | last disconnect |", "| ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
    for (const l of e.lostSamples.slice(0, 20)) {
      out.push(`| ${l.seq} | ${l.id} | ${l.room} | ${l.client} | ${l.transport} | ${l.sentAtS} | ${l.ackedAtS} | ${l.epochs} | ${l.lastDisconnect ?? ""} |`);
    }
  }
  return out.join("\n") + "\n";
}

// Writes both files; returns their paths.
export function writeReport(report, dir, stamp) {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${stamp}-soak`);
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(`${base}.md`, markdown(report));
  return [`${base}.json`, `${base}.md`];
}
