#!/usr/bin/env bash
# Benchmarks sio against Node's socket.io 4.8 doing the same work, side by side.
#
#   bench/run.sh quick    # `make bench`: every scenario, small sizes (under 10 minutes)
#   bench/run.sh full     # `make bench-full`: the sizes of the issue
#   bench/run.sh smoke    # `make test`: ~10 s against sio only, checks the report is sane
#   bench/run.sh profile  # perf profile of sio under the fan-out and chat scenarios
#
# quick and full also run "selfcheck": the fan-out ramp against sio-bench-stub, a yardstick
# server that does almost nothing per delivery, to show how far the load generator itself goes.
#
# Builds nothing: `make` has built build/bin (SIO_BIN_DIR overrides it). Each scenario starts a
# fresh server of each kind on a free port, drives it with build/bin/sio-loadgen, and writes
# bench/results/<date>-<scenario>.json; then bench/summarize.py writes <date>-summary.md and
# prints it. Environment: SIO_BENCH_RESULTS (output directory), SIO_BENCH_ONLY=sio|node,
# SIO_BENCH_SCENARIOS="fanout chat idle connect mixed" (a subset).
set -euo pipefail

mode=${1:-quick}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${SIO_BIN_DIR:-$root/build/bin}
secret=bench-secret
loadgen=$bin/sio-loadgen

case $mode in
  quick | full | smoke | profile) ;;
  *) echo "usage: bench/run.sh quick|full|smoke|profile" >&2; exit 2 ;;
esac
for exe in "$loadgen" "$bin/sio-bench-server" "$bin/sio-bench-stub"; do
  [[ -x $exe ]] || { echo "bench: $exe is missing: run make first" >&2; exit 1; }
done

# Every client and every connection of the server is a file descriptor.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)

stamp=$(date +%Y-%m-%d-%H%M%S)
scratch_results=
if [[ $mode == smoke ]]; then
  # The smoke test leaves nothing behind unless asked where to put its reports.
  [[ -z ${SIO_BENCH_RESULTS:-} ]] && scratch_results=$(mktemp -d)
  results=${SIO_BENCH_RESULTS:-$scratch_results}
else
  results=${SIO_BENCH_RESULTS:-$here/results}
fi
mkdir -p "$results"
work=$(mktemp -d)
server_pid=
perf_pid=
cleanup() {
  [[ -n $perf_pid ]] && kill -INT "$perf_pid" 2>/dev/null || true
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work" ${scratch_results:+"$scratch_results"}
}
trap cleanup EXIT

servers=(sio node)
[[ $mode == smoke || $mode == profile ]] && servers=(sio)
[[ -n ${SIO_BENCH_ONLY:-} ]] && servers=("$SIO_BENCH_ONLY")

# --- the scenarios: sio-loadgen arguments per mode ------------------------------------------------
# fanout: 1 room of 1,000; the rate climbs ×1.5 (quick) or ×1.25 (full) per step until p99 > 100 ms
#         or a message is lost. chat: rooms of 10, 2 messages/s per room. mixed: chat with 20 %
#         long-polling clients. idle: connections only, memory after a hold. connect: the storm.
declare -A args
case $mode in
  quick)
    args[fanout]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 20 --ramp-factor 1.5 --steps 14 --step-seconds 4 --warmup 3"
    args[chat]="--clients 4000 --room-size 10 --room-rate 2 --step-seconds 15 --warmup 3"
    args[mixed]="--clients 4000 --room-size 10 --room-rate 2 --step-seconds 15 --warmup 3 --polling-share 0.2"
    args[idle]="--clients 5000 --hold 5"
    args[connect]="--clients 4000 --connect-concurrency 200"
    args[selfcheck]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 100 --ramp-factor 1.5 --steps 7 --step-seconds 4 --warmup 2"
    ;;
  full)
    args[fanout]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 20 --ramp-factor 1.25 --steps 30 --step-seconds 8 --warmup 5"
    args[chat]="--clients 10000 --room-size 10 --room-rate 2 --step-seconds 60 --warmup 5"
    args[mixed]="--clients 10000 --room-size 10 --room-rate 2 --step-seconds 60 --warmup 5 --polling-share 0.2"
    args[idle]="--clients 10000 --hold 10"
    args[idle50k]="--clients 50000 --hold 10 --source-ips 4 --phase-timeout 300"
    args[connect]="--clients 10000 --connect-concurrency 200"
    args[selfcheck]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 100 --ramp-factor 1.25 --steps 20 --step-seconds 6 --warmup 2"
    ;;
  smoke)
    args[fanout]="--clients 100 --room-size 100 --publishers-per-room 4 --room-rate 20 --ramp-factor 2 --steps 2 --step-seconds 1.5 --warmup 0.5 --drain 3"
    args[mixed]="--clients 200 --room-size 10 --room-rate 2 --step-seconds 2 --warmup 0.5 --polling-share 0.2 --drain 3"
    ;;
  profile)
    args[fanout]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate ${SIO_PROFILE_FANOUT_RATE:-120} --steps 1 --step-seconds 20 --warmup 2 --p99-limit-ms 1000000"
    args[chat]="--clients 10000 --room-size 10 --room-rate 4 --step-seconds 20 --warmup 2"
    ;;
esac
order=(selfcheck fanout chat mixed idle idle50k connect)
[[ -n ${SIO_BENCH_SCENARIOS:-} ]] && read -ra order <<<"$SIO_BENCH_SCENARIOS"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server sio|node PORT: sets server_pid once the server listens.
start_server() {
  local kind=$1 port=$2 log=$work/$1.log
  rm -f "$log"  # a repeated run must not see the last one's "listening"
  case $kind in
    sio) JWT_ACCESS_SECRET=$secret "$bin/sio-bench-server" --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    node) (cd "$here/node" && JWT_ACCESS_SECRET=$secret HOST=127.0.0.1 PORT=$port exec node server.mjs) >"$log" 2>&1 & ;;
    stub) "$bin/sio-bench-stub" --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
  esac
  server_pid=$!
  for _ in $(seq 200); do
    grep -q "listening on port" "$log" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: $kind server did not start:" >&2
  cat "$log" >&2
  exit 1
}

# perf_report DATA SCENARIO: where sio's time went, by shared object then by symbol.
perf_report() {
  echo "perf record -e cpu-clock -F 499 -g of sio-bench-server during '$2' (${args[$2]})"
  echo
  echo "## by shared object (self time)"
  perf report -i "$1" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -12
  echo
  echo "## by symbol (self time, >= 0.4 %)"
  perf report -i "$1" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.4 2>/dev/null \
    | grep -E '^ +[0-9]' | sed -E 's/ +$//' | cut -c1-220 | head -70
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

if [[ " ${servers[*]} " == *" node "* ]]; then
  echo "bench: installing the Node reference (npm ci)"
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

echo "bench: mode $mode, results in $results, load average $(cut -d' ' -f1-3 /proc/loadavg), fd limit $fd_limit"
for scenario in "${order[@]}"; do
  [[ -n ${args[$scenario]:-} ]] || continue
  clients=$(sed -E 's/.*--clients ([0-9]+).*/\1/' <<<"${args[$scenario]}")
  out=$results/$stamp-$scenario.json
  if ((clients + 1000 > fd_limit)); then
    echo "bench: $scenario skipped: $clients connections need more than the fd limit of $fd_limit"
    python3 "$here/summarize.py" skip "$out" "$scenario" "$mode" "needs $clients file descriptors per process; the hard limit here is $fd_limit"
    continue
  fi
  parts=()
  kinds=("${servers[@]}")
  [[ $scenario == selfcheck ]] && kinds=(stub)
  # The fan-out ramp is the most sensitive to other load on the machine: it runs twice per
  # server, alternating, and the best run of each counts (every run is kept in the JSON).
  if [[ $scenario == fanout && ($mode == quick || $mode == full) && ${#kinds[@]} -gt 1 ]]; then
    kinds=("${kinds[@]}" "${kinds[@]}")
  fi
  run=0
  for kind in "${kinds[@]}"; do
    run=$((run + 1))
    port=$(free_port)
    start_server "$kind" "$port"
    echo "bench: $scenario against $kind (pid $server_pid, port $port)"
    if [[ $mode == profile ]]; then
      perf record -e cpu-clock -F 499 -g -p "$server_pid" -o "$work/perf-$scenario.data" >/dev/null 2>&1 &
      perf_pid=$!
      sleep 0.5
    fi
    # shellcheck disable=SC2086
    if ! "$loadgen" --label "$kind" --port "$port" --secret "$secret" --server-pid "$server_pid" \
        ${args[$scenario]} --output "$work/$scenario-$kind-$run.json"; then
      echo "bench: sio-loadgen failed on $scenario against $kind" >&2
      exit 1
    fi
    if [[ -n $perf_pid ]]; then
      kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=
      perf_report "$work/perf-$scenario.data" "$scenario" >"$results/$stamp-perf-$scenario.txt"
      echo "bench: perf top symbols in $results/$stamp-perf-$scenario.txt"
    fi
    stop_server
    parts+=("$kind=$work/$scenario-$kind-$run.json")
  done
  python3 "$here/summarize.py" combine "$out" "$scenario" "$mode" "${args[$scenario]}" "${parts[@]}"
done

if [[ $mode == smoke ]]; then
  python3 "$here/summarize.py" check "$results/$stamp-"*.json
elif [[ $mode == profile ]]; then
  echo "bench: profiles in $results/$stamp-perf-*.txt"
else
  python3 "$here/summarize.py" summary "$results/$stamp-summary.md" "$results/$stamp-"*.json
fi
