#!/usr/bin/env bash
# Benchmarks sio against Node's socket.io 4.8 doing the same work, side by side.
#
#   bench/run.sh quick    # `make bench`: every scenario, small sizes (about 10 minutes)
#   bench/run.sh full     # `make bench-full`: the sizes of the issue
#   bench/run.sh smoke    # `make test`: ~10 s against sio only, checks the report is sane
#   bench/run.sh profile  # perf profile of sio under the fan-out and chat scenarios
#   bench/run.sh threads  # sio-server itself with 1 and 2 reactor threads, and Node
#   bench/run.sh scaling --threads 1,2,4,8,16  # the same for each thread count listed
#
# quick and full also run "selfcheck": the fan-out ramp against sio-bench-stub, a yardstick
# server that does almost nothing per delivery, to show how far the load generator itself goes.
# The threads scenarios (threads-fanout, threads-chat; in quick, full, threads and scaling) run
# the real application, sio-server (SQLite store, recovery and limits on), once per reactor
# thread count (--threads, default 1,2; scaling: 1, 2, 4, … up to the core count), then Node.
#
# Builds nothing: `make` has built build/bin (SIO_BIN_DIR overrides it). Each scenario starts a
# fresh server of each kind on a free port, drives it with build/bin/sio-loadgen, and writes
# bench/results/<date>-<scenario>.json; then bench/summarize.py writes <date>-summary.md and
# prints it. Environment: SIO_BENCH_RESULTS (output directory), SIO_BENCH_ONLY=sio|node (sio:
# sio-bench-server and sio-server), SIO_BENCH_SCENARIOS="fanout chat idle connect mixed" (a subset).
set -euo pipefail

usage() {
  echo "usage: bench/run.sh quick|full|smoke|profile|threads|scaling [--threads N,N,...]" >&2
  exit 2
}
mode=${1:-quick}
(($#)) && shift
thread_list=
while (($#)); do
  case $1 in
    --threads) (($# >= 2)) || usage; thread_list=$2; shift 2 ;;
    --threads=*) thread_list=${1#--threads=}; shift ;;
    *) usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${SIO_BIN_DIR:-$root/build/bin}
secret=bench-secret
loadgen=$bin/sio-loadgen

case $mode in
  quick | full | smoke | profile | threads | scaling) ;;
  *) usage ;;
esac
if [[ -z $thread_list ]]; then
  thread_list=1,2
  if [[ $mode == scaling ]]; then
    cores=$(nproc)
    for ((n = 4; n <= cores; n *= 2)); do thread_list+=",$n"; done
  fi
fi
IFS=, read -ra thread_counts <<<"$thread_list"
for n in "${thread_counts[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "bench: --threads wants positive integers, got '$thread_list'" >&2; exit 2; }
done
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

# Which servers run: sio (sio-bench-server, and sio-server in the threads scenarios) and node.
servers=(sio node)
[[ $mode == smoke || $mode == profile ]] && servers=(sio)
[[ -n ${SIO_BENCH_ONLY:-} ]] && servers=("$SIO_BENCH_ONLY")
runs_server() { [[ " ${servers[*]} " == *" $1 "* ]]; }

# --- the scenarios: sio-loadgen arguments per mode ------------------------------------------------
# fanout: 1 room of 1,000; the rate climbs ×1.5 (quick) or ×1.25 (full) per step until p99 > 100 ms
#         or a message is lost. chat: rooms of 10, 2 messages/s per room. mixed: chat with 20 %
#         long-polling clients. idle: connections only, memory after a hold. connect: the storm.
# threads-fanout: 1 room of 2,000, from 150 msg/s; threads-chat: chat at 4,000 clients. Both
#         against sio-server, whose rooms are created through its REST API first (--create-rooms).
declare -A args
threads_fanout="--clients 2000 --room-size 2000 --publishers-per-room 10 --room-rate 150"
threads_chat="--clients 4000 --room-size 10 --room-rate 2"
case $mode in
  quick)
    args[threads-fanout]="$threads_fanout --ramp-factor 1.5 --steps 10 --step-seconds 4 --warmup 3"
    args[threads-chat]="$threads_chat --step-seconds 15 --warmup 3"
    args[fanout]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 20 --ramp-factor 1.5 --steps 14 --step-seconds 4 --warmup 3"
    args[chat]="--clients 4000 --room-size 10 --room-rate 2 --step-seconds 15 --warmup 3"
    args[mixed]="--clients 4000 --room-size 10 --room-rate 2 --step-seconds 15 --warmup 3 --polling-share 0.2"
    args[idle]="--clients 5000 --hold 5"
    args[connect]="--clients 4000 --connect-concurrency 200"
    args[selfcheck]="--clients 1000 --room-size 1000 --publishers-per-room 10 --room-rate 100 --ramp-factor 1.5 --steps 7 --step-seconds 4 --warmup 2"
    ;;
  threads | scaling)
    # Steps of ×1.15: with ×1.5 two servers a third apart in capacity often stop at the same step.
    args[threads-fanout]="$threads_fanout --ramp-factor 1.15 --steps 22 --step-seconds 4 --warmup 3"
    args[threads-chat]="$threads_chat --step-seconds 15 --warmup 3"
    ;;
  full)
    args[threads-fanout]="$threads_fanout --ramp-factor 1.15 --steps 24 --step-seconds 8 --warmup 5"
    args[threads-chat]="$threads_chat --step-seconds 60 --warmup 5"
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
order=(selfcheck fanout chat mixed idle idle50k connect threads-fanout threads-chat)
[[ -n ${SIO_BENCH_SCENARIOS:-} ]] && read -ra order <<<"$SIO_BENCH_SCENARIOS"
for scenario in "${order[@]}"; do
  if [[ $scenario == threads-* && -n ${args[$scenario]:-} ]] && runs_server sio && [[ ! -x $bin/sio-server ]]; then
    echo "bench: $bin/sio-server is missing: run make first" >&2
    exit 1
  fi
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server sio|node|stub|appN PORT: sets server_pid once the server listens. appN is the
# application, sio-server, with N reactor threads and a fresh SQLite database; its limits stay on
# but far above the load, which comes from one address.
start_server() {
  local kind=$1 port=$2 log=$work/$1.log
  rm -f "$log"  # a repeated run must not see the last one's "listening"
  case $kind in
    sio) JWT_ACCESS_SECRET=$secret SIO_THREADS=1 "$bin/sio-bench-server" --host 127.0.0.1 --port "$port" >"$log" 2>&1 & ;;
    app*)
      local db=$work/threads-${kind#app}.db
      rm -f "$db" "$db-wal" "$db-shm"
      (cd "$root" && JWT_ACCESS_SECRET=$secret DATABASE_URL=sqlite:$db SIO_THREADS=${kind#app} PORT=$port \
        SIO_MAX_CONNECTIONS=100000 SIO_MAX_CONNECTIONS_PER_IP=100000 SIO_HANDSHAKE_RATE=100000 \
        SIO_HANDSHAKE_BURST=100000 SIO_EVENT_RATE=100000 SIO_EVENT_BURST=100000 exec "$bin/sio-server" --host 127.0.0.1) >"$log" 2>&1 &
      ;;
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

# stop_server KIND REPORT: stops the server; sio-server's exit status and the warnings and errors of its
# log go into the load generator's report, and are shown.
stop_server() {
  local kind=$1 report=$2 status=0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || status=$?
  server_pid=
  [[ $kind == app* ]] || return 0
  python3 "$here/summarize.py" note-log "$report" "$work/$kind.log" "$status"
}

if runs_server node; then
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
  kinds=()
  case $scenario in
    selfcheck) kinds=(stub) ;;
    threads-*)
      if runs_server sio; then
        for n in "${thread_counts[@]}"; do kinds+=("app$n"); done
      fi
      runs_server node && kinds+=(node)
      ;;
    *) kinds=("${servers[@]}") ;;
  esac
  ((${#kinds[@]} > 0)) || continue
  # The fan-out ramp is the most sensitive to other load on the machine: it runs twice per
  # server, alternating, and the best run of each counts (every run is kept in the JSON). The
  # threads ramp does so where it is the point of the run (quick keeps to one, for time).
  repeat=
  [[ $scenario == fanout && ($mode == quick || $mode == full) ]] && repeat=1
  [[ $scenario == threads-fanout && ($mode == full || $mode == threads || $mode == scaling) ]] && repeat=1
  if [[ -n $repeat && ${#kinds[@]} -gt 1 ]]; then
    if [[ $mode == scaling ]]; then
      # Node once: the runs that matter are sio-server's against itself.
      again=()
      for kind in "${kinds[@]}"; do [[ $kind == node ]] || again+=("$kind"); done
      kinds=("${kinds[@]}" "${again[@]}")
    else
      kinds=("${kinds[@]}" "${kinds[@]}")
    fi
  fi
  run=0
  for kind in "${kinds[@]}"; do
    run=$((run + 1))
    port=$(free_port)
    start_server "$kind" "$port"
    extra=()
    [[ $kind == app* ]] && extra=(--create-rooms)
    echo "bench: $scenario against $kind (pid $server_pid, port $port)"
    if [[ $mode == profile ]]; then
      perf record -e cpu-clock -F 499 -g -p "$server_pid" -o "$work/perf-$scenario.data" >/dev/null 2>&1 &
      perf_pid=$!
      sleep 0.5
    fi
    # shellcheck disable=SC2086
    if ! "$loadgen" --label "$kind" --port "$port" --secret "$secret" --server-pid "$server_pid" \
        ${args[$scenario]} "${extra[@]}" --output "$work/$scenario-$kind-$run.json"; then
      echo "bench: sio-loadgen failed on $scenario against $kind" >&2
      [[ $kind == app* ]] && tail -n 20 "$work/$kind.log" >&2
      exit 1
    fi
    if [[ -n $perf_pid ]]; then
      kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=
      perf_report "$work/perf-$scenario.data" "$scenario" >"$results/$stamp-perf-$scenario.txt"
      echo "bench: perf top symbols in $results/$stamp-perf-$scenario.txt"
    fi
    stop_server "$kind" "$work/$scenario-$kind-$run.json"
    parts+=("$kind=$work/$scenario-$kind-$run.json")
  done
  python3 "$here/summarize.py" combine "$out" "$scenario" "$mode" "${args[$scenario]}" "${parts[@]}"
done

if [[ $mode == quick || $mode == full ]] && runs_server sio && runs_server node; then
  SIO_BIN_DIR=$bin SIO_BENCH_RESULTS=$results "$here/first_ack/run.sh" --runs "$([[ $mode == full ]] && echo 1000 || echo 300)"
  # Two servers and one Redis, per adapter: B's CPU for each broadcast A makes.
  SIO_BIN_DIR=$bin node "$here/cluster/cluster.mjs" --out "$results" \
    --seconds "$([[ $mode == full ]] && echo 20 || echo 8)"
  # The same at 10,000 broadcasts/s: what each costs when several arrive per wake-up.
  SIO_BIN_DIR=$bin node "$here/cluster/cluster.mjs" --out "$results" --rate 10000 --members 1 \
    --seconds "$([[ $mode == full ]] && echo 20 || echo 8)"
fi

if [[ $mode == smoke ]]; then
  python3 "$here/summarize.py" check "$results/$stamp-"*.json
elif [[ $mode == profile ]]; then
  echo "bench: profiles in $results/$stamp-perf-*.txt"
else
  python3 "$here/summarize.py" summary "$results/$stamp-summary.md" "$results/$stamp-"*.json
fi
