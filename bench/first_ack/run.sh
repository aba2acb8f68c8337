#!/usr/bin/env bash
# Connect → first ack with the official client and its default transports, sio-bench-server and
# the Node reference in one run, each twice in turn (sio, node, sio, node; every run is kept, the
# table shows each). Writes bench/results/<stamp>-first-ack.json and .md and prints the table.
#
#   bench/first_ack/run.sh [--runs 300]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIO_BIN_DIR:-$root/build/bin}
results=${SIO_BENCH_RESULTS:-$root/bench/results}
runs=300
[[ ${1:-} == --runs && -n ${2:-} ]] && runs=$2
secret=bench-secret
stamp=$(date +%Y-%m-%d-%H%M%S)
work=$(mktemp -d)
server_pid=
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$results"
[[ -x $bin/sio-bench-server ]] || { echo "first-ack: $bin/sio-bench-server is missing: run make first" >&2; exit 1; }
[[ -d $root/bench/node/node_modules ]] || (cd "$root/bench/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local kind=$1 port=$2 log=$work/$1.log
  : >"$log"
  case $kind in
    sio) JWT_ACCESS_SECRET=$secret SIO_THREADS=1 "$bin/sio-bench-server" --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    node) (cd "$root/bench/node" && JWT_ACCESS_SECRET=$secret HOST=127.0.0.1 PORT=$port exec node server.mjs) >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 200); do
    grep -q "listening on port" "$log" && return 0
    sleep 0.05
  done
  echo "first-ack: $kind did not start" >&2
  cat "$log" >&2
  exit 1
}

lines=()
for kind in sio node sio node; do
  port=$(free_port)
  start "$kind" "$port"
  line=$(node "$here/first_ack.mjs" --url "http://127.0.0.1:$port" --secret "$secret" --runs "$runs" --label "$kind")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  echo "first-ack: $line"
  lines+=("$line")
done
printf '%s\n' "${lines[@]}" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
out_json, out_md, machine = sys.argv[1], sys.argv[2], sys.argv[3]
json.dump({"scenario": "first-ack", "machine": machine, "runs": rows}, open(out_json, "w"), indent=2)
best = {k: min((r for r in rows if r["label"] == k), key=lambda r: r["p50_ms"]) for k in ("sio", "node")}
md = ["# connect → first ack (default transports: polling, then the upgrade)", "",
      "Each server twice in turn; %d fresh clients per run, one at a time; %s." % (rows[0]["runs"], machine), "",
      "| run | p50 ms | p90 ms | p99 ms | max ms | upgraded by the ack |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
md += ["| %s | %.2f | %.2f | %.2f | %.2f | %.0f %% |" % (r["label"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], 100 * r["upgraded_by_ack"]) for r in rows]
md += ["", "Ratio Node/sio (best run of each, > 1: sio faster): p50 %.2f×, p99 %.2f×" % (best["node"]["p50_ms"] / best["sio"]["p50_ms"], best["node"]["p99_ms"] / best["sio"]["p99_ms"])]
open(out_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
' "$results/$stamp-first-ack.json" "$results/$stamp-first-ack.md" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
