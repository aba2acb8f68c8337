#!/usr/bin/env python3
"""Collects sio-loadgen reports into bench/results and writes the side-by-side summary.

  summarize.py combine OUT SCENARIO MODE ARGS sio=REPORT node=REPORT  # one scenario's JSON
  summarize.py skip OUT SCENARIO MODE REASON                          # a scenario not run
  summarize.py summary OUT.md SCENARIO.json...                        # Markdown table, printed
  summarize.py check SCENARIO.json...                                 # smoke test's assertions

Ratios are oriented so that > 1 means sio is better: sio/Node for throughputs, Node/sio for
latencies, CPU and memory.
"""

import datetime
import json
import os
import platform
import subprocess
import sys


def machine():
    def first(path, prefix):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(prefix):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return None

    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        node = None
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {
        "cores": os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "memory": first("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "node": node,
        "load_average": [float(x) for x in load],
    }


def max_sustainable(report):
    step = best_step(report)
    return (get(step, "deliveries_per_second") or 0, get(step, "deliveries_per_server_cpu_second") or 0)


def combine(out, scenario, mode, args, parts):
    runs = {}
    for part in parts:
        kind, path = part.split("=", 1)
        with open(path) as f:
            runs.setdefault(kind, []).append(json.load(f))
    # Repeated runs (fan-out): the best of each server stands for it, every run is kept.
    results = {kind: max(reports, key=max_sustainable) for kind, reports in runs.items()}
    doc = {
        "scenario": scenario,
        "mode": mode,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "loadgen_args": args,
        "machine": machine(),
        "results": results,
    }
    if any(len(reports) > 1 for reports in runs.values()):
        doc["all_runs"] = runs
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def skip(out, scenario, mode, reason):
    doc = {"scenario": scenario, "mode": mode, "skipped": reason, "machine": machine(), "results": {}}
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def load(paths):
    docs = {}
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        docs[doc["scenario"]] = doc
    return docs


# --- the smoke test ---------------------------------------------------------------------------


def check(paths):
    failures = []
    checked = 0
    for scenario, doc in load(paths).items():
        for kind, r in doc["results"].items():
            checked += 1
            where = f"{scenario}/{kind}"
            for field in ("connect", "steps", "deliveries", "missing", "duplicates", "errors", "loadgen"):
                if field not in r:
                    failures.append(f"{where}: no '{field}'")
            if failures:
                continue
            if r["connect"]["connected"] != r["connect"]["attempted"]:
                failures.append(f"{where}: {r['connect']['connected']}/{r['connect']['attempted']} connected")
            if not r["steps"]:
                failures.append(f"{where}: no publishing step")
            for step in r["steps"]:
                for field in ("deliveries_per_second", "latency_ms", "server_cpu_seconds"):
                    if field not in step:
                        failures.append(f"{where}: step without '{field}'")
                if step.get("latency_ms", {}).get("samples", 0) <= 0:
                    failures.append(f"{where}: step without latency samples")
            if r["deliveries"] <= 0:
                failures.append(f"{where}: no deliveries")
            if r["missing"] != 0:
                failures.append(f"{where}: {r['missing']} messages missing")
            if r["duplicates"] != 0:
                failures.append(f"{where}: {r['duplicates']} duplicates")
            if r["errors"] != 0:
                failures.append(f"{where}: errors {r['error_reasons']}")
            print(f"bench smoke: {where}: {r['deliveries']} deliveries, {r['missing']} missing, "
                  f"p99 {r['steps'][-1]['latency_ms']['p99']} ms")
    for failure in failures:
        print(f"bench smoke: FAIL {failure}")
    if checked == 0:
        print("bench smoke: FAIL no report")
        return 1
    return 1 if failures else 0


# --- the summary --------------------------------------------------------------------------------


def fmt(value, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = f"{int(value):,}"
    return f"{text}{unit}"


def ratio(sio, node, higher_is_better):
    if sio is None or node is None or sio == 0 or node == 0:
        return "–"
    r = sio / node if higher_is_better else node / sio
    return f"{r:.2f}×"


def best_step(r):
    steps = r.get("steps") or []
    best = r.get("best_step")
    if best is None:
        return None
    return steps[best]


def passed_at(r, room_rate):
    for step in (r or {}).get("steps") or []:
        if step["passed"] and step["room_rate"] == room_rate:
            return step
    return None


def common_rate(s, n):
    """The highest publish rate that both servers sustained (their ramps use the same rates)."""
    if not s or not n:
        return None
    rates = {st["room_rate"] for st in s.get("steps") or [] if st["passed"]}
    rates &= {st["room_rate"] for st in n.get("steps") or [] if st["passed"]}
    return max(rates) if rates else None


def get(d, *keys):
    for key in keys:
        if d is None:
            return None
        d = d.get(key) if isinstance(d, dict) else None
    return d


def rows_for(scenario, doc):
    """(metric, sio value, node value, higher_is_better, unit) for one scenario."""
    s = doc["results"].get("sio")
    n = doc["results"].get("node")
    rows = []
    if scenario == "fanout":
        bs, bn = (best_step(r) if r else None for r in (s, n))
        rows += [
            ("max sustainable deliveries/s (p99 ≤ 100 ms, no loss)", get(bs, "deliveries_per_second"), get(bn, "deliveries_per_second"), True, ""),
            ("  publish rate at that step (msg/s into the room)", get(bs, "publish_rate"), get(bn, "publish_rate"), True, ""),
            ("  deliveries per server CPU-second", get(bs, "deliveries_per_server_cpu_second"), get(bn, "deliveries_per_server_cpu_second"), True, ""),
            ("  server CPU-s per million deliveries", get(bs, "server_cpu_seconds_per_million_deliveries"), get(bn, "server_cpu_seconds_per_million_deliveries"), False, ""),
            ("  p99 latency at that step", get(bs, "latency_ms", "p99"), get(bn, "latency_ms", "p99"), False, " ms"),
            ("  load generator CPU (share of a core)", get(bs, "loadgen_cpu_utilization"), get(bn, "loadgen_cpu_utilization"), None, ""),
        ]
        if doc.get("all_runs"):
            def each(kind):
                return " / ".join(fmt(max_sustainable(r)[0]) for r in doc["all_runs"].get(kind, []))
            rows.append(("  every run's max sustainable deliveries/s (best one shown)", each("sio"), each("node"), None, ""))
        common = common_rate(s, n)
        if common is not None:
            cs, cn = passed_at(s, common), passed_at(n, common)
            rows += [
                (f"at the same load ({fmt(get(cs, 'deliveries_per_second'))} deliveries/s): p50 latency", get(cs, "latency_ms", "p50"), get(cn, "latency_ms", "p50"), False, " ms"),
                ("  p99 latency", get(cs, "latency_ms", "p99"), get(cn, "latency_ms", "p99"), False, " ms"),
                ("  deliveries per server CPU-second", get(cs, "deliveries_per_server_cpu_second"), get(cn, "deliveries_per_server_cpu_second"), True, ""),
                ("  server CPU (share of a core)", get(cs, "server_cpu_utilization"), get(cn, "server_cpu_utilization"), False, ""),
            ]
    elif scenario in ("chat", "mixed"):
        ss, sn = (r["steps"][0] if r and r.get("steps") else None for r in (s, n))
        rows += [
            ("deliveries/s", get(ss, "deliveries_per_second"), get(sn, "deliveries_per_second"), True, ""),
            ("p50 latency", get(ss, "latency_ms", "p50"), get(sn, "latency_ms", "p50"), False, " ms"),
            ("p90 latency", get(ss, "latency_ms", "p90"), get(sn, "latency_ms", "p90"), False, " ms"),
            ("p99 latency", get(ss, "latency_ms", "p99"), get(sn, "latency_ms", "p99"), False, " ms"),
            ("max latency", get(ss, "latency_ms", "max"), get(sn, "latency_ms", "max"), False, " ms"),
        ]
        if get(ss, "latency_ms_polling") or get(sn, "latency_ms_polling"):
            rows += [
                ("  p50 latency, long-polling receivers", get(ss, "latency_ms_polling", "p50"), get(sn, "latency_ms_polling", "p50"), False, " ms"),
                ("  p99 latency, long-polling receivers", get(ss, "latency_ms_polling", "p99"), get(sn, "latency_ms_polling", "p99"), False, " ms"),
            ]
        rows += [
            ("server CPU (share of a core)", get(ss, "server_cpu_utilization"), get(sn, "server_cpu_utilization"), False, ""),
            ("deliveries per server CPU-second", get(ss, "deliveries_per_server_cpu_second"), get(sn, "deliveries_per_server_cpu_second"), True, ""),
            ("connections/s while connecting everyone", get(s, "connect", "per_second"), get(n, "connect", "per_second"), True, ""),
            ("server peak RSS", kb_to_mb(get(s, "server_end", "hwm_kb")), kb_to_mb(get(n, "server_end", "hwm_kb")), False, " MB"),
            ("missing / duplicates / errors", loss(s), loss(n), None, ""),
        ]
    elif scenario.startswith("idle"):
        rows += [
            ("idle connections held", get(s, "idle", "connections"), get(n, "idle", "connections"), None, ""),
            ("server RSS per idle connection", kib(get(s, "idle", "rss_bytes_per_connection")), kib(get(n, "idle", "rss_bytes_per_connection")), False, " KiB"),
            ("server RSS with all connected", kb_to_mb(get(s, "idle", "server_rss_after_kb")), kb_to_mb(get(n, "idle", "server_rss_after_kb")), False, " MB"),
            ("server RSS before connecting", kb_to_mb(get(s, "idle", "server_rss_before_kb")), kb_to_mb(get(n, "idle", "server_rss_before_kb")), False, " MB"),
        ]
    elif scenario == "connect":
        rows += [
            ("connections/s (WebSocket + CONNECT with JWT)", get(s, "connect", "per_second"), get(n, "connect", "per_second"), True, ""),
            ("server CPU per connection", get(s, "connect", "server_cpu_ms_per_connection"), get(n, "connect", "server_cpu_ms_per_connection"), False, " ms"),
            ("connect latency p99", get(s, "connect", "latency_ms", "p99"), get(n, "connect", "latency_ms", "p99"), False, " ms"),
            ("failed connections", get(s, "connect", "failed"), get(n, "connect", "failed"), None, ""),
        ]
    return rows


def kb_to_mb(kb):
    return None if kb is None else round(kb / 1024, 1)


def kib(b):
    return None if b is None else round(b / 1024, 2)


def loss(r):
    if not r:
        return None
    return f"{r.get('missing', 0)} / {r.get('duplicates', 0)} / {r.get('errors', 0)}"


TITLES = {
    "fanout": "Fan-out: 1 room × 1,000 clients, rising publish rate",
    "chat": "Chat: rooms of 10, steady rate",
    "mixed": "Mixed: chat with 20 % long-polling clients",
    "idle": "Idle connections",
    "idle50k": "Idle connections (50,000)",
    "connect": "Connect storm",
}


def summary(out, paths):
    docs = load(paths)
    order = [s for s in ("fanout", "chat", "mixed", "idle", "idle50k", "connect") if s in docs]
    any_doc = next(iter(docs.values()))
    m = any_doc["machine"]
    lines = [
        f"# sio vs Node socket.io — {any_doc['mode']} run, {any_doc.get('date', '')[:10]}",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, Linux {m['kernel']}, Node {m['node']}. "
        "Servers: `sio-bench-server` (sio, one thread) and `bench/node/server.mjs` (socket.io 4.8.4), "
        "the same handlers; load from `sio-loadgen` on the same machine. "
        "**Ratio > 1 means sio is better** (sio/Node for throughput, Node/sio for latency, CPU and memory).",
        "",
        "| scenario | metric | sio | Node | ratio |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    loads = []
    for scenario in order:
        doc = docs[scenario]
        title = TITLES.get(scenario, scenario)
        if doc.get("skipped"):
            lines.append(f"| {title} | skipped: {doc['skipped']} | | | |")
            continue
        for kind, r in doc["results"].items():
            loads.append((scenario, kind, r.get("load_average_start"), r.get("load_average_end")))
        for i, (metric, sv, nv, higher, unit) in enumerate(rows_for(scenario, doc)):
            name = title if i == 0 else ""
            if isinstance(sv, str) or isinstance(nv, str) or higher is None:
                r = ""
            else:
                r = ratio(sv, nv, higher)
            sv_text = sv if isinstance(sv, str) else fmt(sv, unit)
            nv_text = nv if isinstance(nv, str) else fmt(nv, unit)
            lines.append(f"| {name} | {metric} | {sv_text} | {nv_text} | {r} |")

    lines += ["", "## The first bar", ""]
    fan = docs.get("fanout")
    idle = docs.get("idle")
    if fan and not fan.get("skipped") and "node" in fan["results"]:
        bs, bn = best_step(fan["results"]["sio"]), best_step(fan["results"]["node"])
        a, b = get(bs, "deliveries_per_server_cpu_second"), get(bn, "deliveries_per_server_cpu_second")
        if a and b:
            verdict = "met" if a / b >= 3 else "not met"
            lines.append(f"- Deliveries per server CPU-second (fan-out, best step of each): sio {fmt(a)}, "
                         f"Node {fmt(b)}: {a / b:.2f}× (bar ≥ 3×: **{verdict}**).")
    if idle and not idle.get("skipped") and "node" in idle["results"]:
        a = get(idle["results"]["sio"], "idle", "rss_bytes_per_connection")
        b = get(idle["results"]["node"], "idle", "rss_bytes_per_connection")
        if a and b:
            verdict = "met" if a <= b / 3 else "not met"
            lines.append(f"- RSS per idle connection: sio {kib(a)} KiB, Node {kib(b)} KiB: sio uses "
                         f"{a / b:.2f} of Node's (bar ≤ 1/3: **{verdict}**).")

    sc = docs.get("selfcheck")
    if sc and not sc.get("skipped") and "stub" in sc["results"]:
        r = sc["results"]["stub"]
        steps = r.get("steps") or []
        if steps:
            top = max(steps, key=lambda st: st["deliveries_per_second"])
            per = top["loadgen_cpu_utilization"] / top["deliveries_per_second"] * 1e6 if top["deliveries_per_second"] else 0
            lines += ["", "## Load generator self-check", "",
                      f"Against `sio-bench-stub` (a yardstick that relays each message to the room with "
                      f"almost no work), the fan-out ramp reached {fmt(top['deliveries_per_second'])} deliveries/s "
                      f"(p99 {top['latency_ms']['p99']} ms, stub CPU {top.get('server_cpu_utilization')} of a core) "
                      f"with the load generator at {top['loadgen_cpu_utilization']} of a core, "
                      f"{per:.2f} µs of its CPU per delivery."]
            for kind in ("sio", "node"):
                b = best_step(get(fan, "results", kind)) if fan else None
                if b:
                    lines.append(f"- At {kind}'s best fan-out step ({fmt(b['deliveries_per_second'])} deliveries/s) the load "
                                 f"generator used {b['loadgen_cpu_utilization']} of a core, the server "
                                 f"{b.get('server_cpu_utilization')}.")

    lines += ["", "## Load on the machine", "",
              "Load average (1 min) when each run started and ended; other work on the machine "
              "shares its cores with the servers and the load generator.", ""]
    for scenario, kind, start, end in loads:
        lines.append(f"- {scenario} / {kind}: {start} → {end}")
    text = "\n".join(lines) + "\n"
    with open(out, "w") as f:
        f.write(text)
    print(text)
    return 0


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "combine":
        combine(argv[2], argv[3], argv[4], argv[5], argv[6:])
        return 0
    if command == "skip":
        skip(argv[2], argv[3], argv[4], argv[5])
        return 0
    if command == "check":
        return check(argv[2:])
    if command == "summary":
        return summary(argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
