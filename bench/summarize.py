#!/usr/bin/env python3
"""Collects sio-loadgen reports into bench/results and writes the side-by-side summary.

  summarize.py combine OUT SCENARIO MODE ARGS sio=REPORT node=REPORT  # one scenario's JSON
  summarize.py skip OUT SCENARIO MODE REASON                          # a scenario not run
  summarize.py note-log REPORT LOG STATUS         # sio-server's log warnings into its report
  summarize.py summary OUT.md SCENARIO.json...                        # Markdown table, printed
  summarize.py check SCENARIO.json...                                 # smoke test's assertions

Ratios are oriented so that > 1 means sio is better: sio/Node for throughputs, Node/sio for
latencies, CPU and memory. The threads scenarios compare sio-server with N reactor threads to
itself with one (reports app1, app2, …) and show Node beside them.
"""

import datetime
import json
import os
import platform
import re
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


def note_log(report_path, log_path, status):
    """Adds what sio-server logged above info, and how it exited, to its load generator report."""
    warnings = []
    try:
        with open(log_path, errors="replace") as f:
            warnings = [line.rstrip("\n") for line in f if re.search(r"\] \[(warning|error|critical)\] ", line)]
    except OSError:
        pass
    with open(report_path) as f:
        report = json.load(f)
    report["server_log"] = {"exit_status": int(status), "warnings": len(warnings), "first_warnings": warnings[:10]}
    with open(report_path, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    if warnings or int(status) != 0:
        print(f"bench: {report.get('label')} exited with status {status} and logged {len(warnings)} warnings or errors")
        for line in warnings[:5]:
            print(f"bench:   {line}")


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


# --- the threads scenarios: sio-server with N reactors against itself with one ------------------

THREADS_AIM_THROUGHPUT = 1.3  # 2 reactors: at least this times the sustainable deliveries/s of 1
THREADS_AIM_PER_CPU = 0.9  # 2 reactors: deliveries per CPU-second within 10 % of 1 reactor's


def thread_count(kind):
    return int(kind[3:]) if kind.startswith("app") and kind[3:].isdigit() else None


def server_name(kind):
    n = thread_count(kind)
    return f"sio-server ×{n}" if n is not None else ("Node" if kind == "node" else kind)


def threads_kinds(*docs):
    kinds = set()
    for doc in docs:
        if doc and not doc.get("skipped"):
            kinds |= set(doc["results"])
    return sorted(kinds, key=lambda k: (thread_count(k) is None, thread_count(k) or 0, k))


def step_at(r, room_rate):
    """The step at this rate: the passing attempt, else the first one, and whether it passed."""
    passed = passed_at(r, room_rate)
    if passed:
        return passed, True
    steps = (r or {}).get("steps") or []
    return next((st for st in steps if st["room_rate"] == room_rate), None), False


def why_failed(step):
    if not step:
        return "no step"
    reasons = []
    if step.get("missing"):
        reasons.append(f"{fmt(step['missing'])} missing")
    if step.get("failures"):
        reasons.append(f"{fmt(step['failures'])} client failures")
    p99 = get(step, "latency_ms", "p99")
    if p99 is not None and not reasons:
        reasons.append(f"p99 {fmt(p99)} ms")
    return ", ".join(reasons) or "no delivery"


def scaled(a, b):
    return a / b if a and b else None


def times(r):
    return "–" if r is None else f"{r:.2f}×"


def ceiling_found(r):
    """True when the ramp ended on a failed step: its best step is the server's limit."""
    steps = (r or {}).get("steps") or []
    return bool(steps) and not steps[-1]["passed"]


def aim_verdict(r, aim):
    return "–" if r is None else ("met" if r >= aim else "not met")


def threads_section(docs):
    fan = docs.get("threads-fanout")
    chat = docs.get("threads-chat")
    lines = ["", "## sio-server: reactor threads", ""]
    for doc in (fan, chat):
        if doc and doc.get("skipped"):
            lines.append(f"- {doc['scenario']} skipped: {doc['skipped']}")
    kinds = threads_kinds(fan, chat)
    if not kinds:
        return lines
    fan_results = fan["results"] if fan and not fan.get("skipped") else {}
    chat_results = chat["results"] if chat and not chat.get("skipped") else {}
    config = next((r.get("config") for r in fan_results.values()), None) or {}
    first_rate = config.get("room_rate")
    chat_config = next((r.get("config") for r in chat_results.values()), None) or {}
    described = (
        "`sio-server` itself, the application: every `message` written to SQLite before it is "
        "broadcast, every `join-room` looked up (and the membership written), connection state "
        "recovery on, limits on (above the load). ×N is `SIO_THREADS=N` reactor threads; its CPU "
        "counts every thread of the process (the store's too). Node is `bench/node/server.mjs`, "
        "which stores nothing: it does less work. The load generator runs one thread; near a full "
        "core (its column, at the best step) it, not the server, sets the ceiling.")
    if config:
        described += (
            f" Fan-out: 1 room × {fmt(config['clients'])} clients, {config['publishers_per_room']} publishers, "
            f"from {fmt(first_rate)} msg/s ×{config['ramp_factor']:g} per step of {config['step_seconds']:g} s "
            f"until p99 > {fmt(config['p99_limit_ms'])} ms or a loss.")
    if chat_config:
        described += (f" Chat: {fmt(chat_config['clients'])} clients in rooms of {chat_config['room_size']}, "
                      f"{chat_config['room_rate']:g} msg/s per room, one step of {chat_config['step_seconds']:g} s.")
    lines += [
        described,
        "",
        "| server | max sustainable deliveries/s | msg/s into the room | deliveries per server CPU-s | "
        f"server CPU (cores) | load generator CPU | p50 | p99 | deliveries per CPU-s at {fmt(first_rate)} msg/s | "
        "chat deliveries per CPU-s | chat p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    values = {}
    notes = []
    for kind in kinds:
        r = fan_results.get(kind)
        best = best_step(r) if r else None
        first, first_passed = step_at(r, first_rate)
        chat_report = chat_results.get(kind)
        chat_step = chat_report["steps"][0] if chat_report and chat_report.get("steps") else None
        values[kind] = {
            "throughput": get(best, "deliveries_per_second"),
            "per_cpu": get(best, "deliveries_per_server_cpu_second"),
            "per_cpu_first": get(first, "deliveries_per_server_cpu_second"),
            "chat_per_cpu": get(chat_step, "deliveries_per_server_cpu_second"),
        }
        if r and best is None:
            throughput = f"none: {fmt(first_rate)} msg/s failed ({why_failed(first)})"
        else:
            throughput = fmt(get(best, "deliveries_per_second"))
            if r and not ceiling_found(r):
                throughput += " (every step passed: the ceiling is higher)"
        first_text = fmt(get(first, "deliveries_per_server_cpu_second"))
        if first and not first_passed:
            first_text += " (step failed)"
        chat_p99 = fmt(get(chat_step, "latency_ms", "p99"), " ms")
        if chat_step and not chat_step["passed"]:
            chat_p99 += f" (failed: {why_failed(chat_step)})"
        lines.append(
            f"| {server_name(kind)} | {throughput} | {fmt(get(best, 'publish_rate'))} | "
            f"{fmt(get(best, 'deliveries_per_server_cpu_second'))} | {fmt(get(best, 'server_cpu_utilization'))} | "
            f"{fmt(get(best, 'loadgen_cpu_utilization'))} | {fmt(get(best, 'latency_ms', 'p50'), ' ms')} | {fmt(get(best, 'latency_ms', 'p99'), ' ms')} | "
            f"{first_text} | {fmt(get(chat_step, 'deliveries_per_server_cpu_second'))} | {chat_p99} |")
        for scenario, results in (("threads-fanout", fan_results), ("threads-chat", chat_results)):
            report = results.get(kind)
            if not report:
                continue
            said = report.get("error_event_messages") or {}
            if said:
                notes.append(f"- {scenario} / {server_name(kind)}: the server answered with `error` events: "
                             + ", ".join(f"{message} × {count}" for message, count in said.items()))
            log = report.get("server_log") or {}
            if log.get("warnings") or log.get("exit_status"):
                notes.append(f"- {scenario} / {server_name(kind)}: exit status {log.get('exit_status')}, "
                             f"{log.get('warnings')} warnings or errors logged, the first: "
                             + "; ".join(f"`{line}`" for line in log.get("first_warnings", [])[:3]))
    if fan and fan.get("all_runs"):
        each = "; ".join(f"{server_name(kind)}: " + " / ".join(fmt(max_sustainable(r)[0]) for r in runs)
                         for kind, runs in sorted(fan["all_runs"].items(), key=lambda kv: kinds.index(kv[0])))
        notes.append(f"- Every fan-out run's max sustainable deliveries/s (the best one is shown): {each}.")

    base = values.get("app1")
    others = [k for k in kinds if thread_count(k) not in (None, 1)]
    if base and others:
        lines += [
            "",
            "Each against sio-server ×1 (aims for ×2: max sustainable deliveries/s "
            f"≥ {THREADS_AIM_THROUGHPUT}×, deliveries per server CPU-second within 10 %, i.e. "
            f"≥ {THREADS_AIM_PER_CPU}×):",
            "",
            f"| | max sustainable deliveries/s | deliveries per CPU-s, best steps | at {fmt(first_rate)} msg/s | chat deliveries per CPU-s |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for kind in others:
            v = values[kind]
            lines.append(f"| ×{thread_count(kind)} / ×1 | {times(scaled(v['throughput'], base['throughput']))} | "
                         f"{times(scaled(v['per_cpu'], base['per_cpu']))} | "
                         f"{times(scaled(v['per_cpu_first'], base['per_cpu_first']))} | "
                         f"{times(scaled(v['chat_per_cpu'], base['chat_per_cpu']))} |")
        two = values.get("app2")
        if two:
            throughput = scaled(two["throughput"], base["throughput"])
            judged = aim_verdict(throughput, THREADS_AIM_THROUGHPUT)
            if not (ceiling_found(fan_results.get("app1")) and ceiling_found(fan_results.get("app2"))):
                judged = "not conclusive: a ramp ended before a step failed"
            lines += [
                "",
                f"- 2 reactors / 1, max sustainable deliveries/s: {times(throughput)} "
                f"(aim ≥ {THREADS_AIM_THROUGHPUT}×: **{judged}**).",
            ]
            if throughput is None:
                lines.pop()
            for what, key in (("fan-out, each at its best step", "per_cpu"),
                              (f"fan-out at {fmt(first_rate)} msg/s, the same load", "per_cpu_first"),
                              ("chat", "chat_per_cpu")):
                r = scaled(two[key], base[key])
                if r is None:
                    continue
                lines.append(f"- 2 reactors / 1, deliveries per server CPU-second ({what}): {times(r)} "
                             f"(aim ≥ {THREADS_AIM_PER_CPU}×: **{aim_verdict(r, THREADS_AIM_PER_CPU)}**).")
    if notes:
        lines += [""] + notes
    return lines


def summary(out, paths):
    docs = load(paths)
    order = [s for s in ("fanout", "chat", "mixed", "idle", "idle50k", "connect") if s in docs]
    any_doc = next(iter(docs.values()))
    m = any_doc["machine"]
    machine_line = (f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory']}, Linux {m['kernel']}, "
                    f"Node {m['node']}.")
    if order:
        lines = [
            f"# sio vs Node socket.io — {any_doc['mode']} run, {any_doc.get('date', '')[:10]}",
            "",
            f"{machine_line} "
            "Servers: `sio-bench-server` (sio, one thread) and `bench/node/server.mjs` (socket.io 4.8.4), "
            "the same handlers; load from `sio-loadgen` on the same machine. "
            "**Ratio > 1 means sio is better** (sio/Node for throughput, Node/sio for latency, CPU and memory).",
            "",
            "| scenario | metric | sio | Node | ratio |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
    else:
        lines = [
            f"# sio-server reactor threads, and Node socket.io — {any_doc['mode']} run, {any_doc.get('date', '')[:10]}",
            "",
            f"{machine_line} Load from `sio-loadgen` (one thread) on the same machine.",
        ]
    loads = []
    known = list(TITLES) + ["selfcheck", "threads-fanout", "threads-chat"]
    for scenario, doc in sorted(docs.items(), key=lambda kv: known.index(kv[0]) if kv[0] in known else len(known)):
        for kind, r in doc["results"].items():
            loads.append((scenario, kind, r.get("load_average_start"), r.get("load_average_end")))
    for scenario in order:
        doc = docs[scenario]
        title = TITLES.get(scenario, scenario)
        if doc.get("skipped"):
            lines.append(f"| {title} | skipped: {doc['skipped']} | | | |")
            continue
        for i, (metric, sv, nv, higher, unit) in enumerate(rows_for(scenario, doc)):
            name = title if i == 0 else ""
            if isinstance(sv, str) or isinstance(nv, str) or higher is None:
                r = ""
            else:
                r = ratio(sv, nv, higher)
            sv_text = sv if isinstance(sv, str) else fmt(sv, unit)
            nv_text = nv if isinstance(nv, str) else fmt(nv, unit)
            lines.append(f"| {name} | {metric} | {sv_text} | {nv_text} | {r} |")

    if order:
        lines += first_bar(docs)
    if "threads-fanout" in docs or "threads-chat" in docs:
        lines += threads_section(docs)

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


def first_bar(docs):
    lines = ["", "## The first bar", ""]
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
    return lines


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "combine":
        combine(argv[2], argv[3], argv[4], argv[5], argv[6:])
        return 0
    if command == "skip":
        skip(argv[2], argv[3], argv[4], argv[5])
        return 0
    if command == "note-log":
        note_log(argv[2], argv[3], argv[4])
        return 0
    if command == "check":
        return check(argv[2:])
    if command == "summary":
        return summary(argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
