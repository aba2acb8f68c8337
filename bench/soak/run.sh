#!/usr/bin/env bash
# Churn soak of sio-server: starts a fresh server (SQLite file in a scratch directory, a random
# JWT secret, a free port) and drives it with bench/soak/soak.mjs, which writes
# bench/results/<date>-soak.json and .md and prints a summary.
#
#   bench/soak/run.sh                 # `make soak`: 30 minutes, 300 clients
#   bench/soak/run.sh --minutes 2 --clients 100
#
# Arguments go to soak.mjs (see bench/README.md). Environment: SIO_BIN_DIR (default build/bin),
# SIO_SOAK_RESULTS (default bench/results), SIO_RECOVERY_WINDOW (ms, default the server's 120000;
# 0 runs without connection state recovery). Builds nothing. Exit status: soak.mjs's, or 1 when
# the server did not start or did not shut down cleanly.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIO_BIN_DIR:-$root/build/bin}
results=${SIO_SOAK_RESULTS:-$root/bench/results}
recovery=${SIO_RECOVERY_WINDOW:-120000}

[[ -x $bin/sio-server ]] || { echo "soak: $bin/sio-server is missing: run make build first" >&2; exit 1; }
[[ -d $root/node_modules/socket.io-client ]] || { echo "soak: node_modules is missing: run make deps first" >&2; exit 1; }

# Every client is a file descriptor of the server, two for a polling client mid-request.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/sio-soak.XXXXXX")
server_pid=
keep_work=
cleanup() {
  [[ -n $server_pid ]] && kill -KILL "$server_pid" 2>/dev/null || true
  if [[ -n $keep_work ]]; then echo "soak: server log kept in $work/server.log" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
# All clients come from 127.0.0.1, as behind a proxy: the per-address limits would refuse the
# population, so they are off (README, "Configuration").
PORT=0 JWT_ACCESS_SECRET=$secret DATABASE_URL="sqlite:$work/soak.db" SIO_DEV= FRONTEND_URL= REDIS_URL= \
  SIO_RECOVERY_WINDOW=$recovery SIO_MAX_CONNECTIONS_PER_IP=0 SIO_HANDSHAKE_RATE=0 \
  "$bin/sio-server" >"$work/server.log" 2>&1 &
server_pid=$!

port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/server.log" | head -n 1)
  [[ -n $port ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $port ]]; then
  echo "soak: sio-server did not start:" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi

status=0
JWT_ACCESS_SECRET=$secret node "$here/soak.mjs" --url "http://127.0.0.1:$port" --pid "$server_pid" \
  --recovery-window "$recovery" --server-log "$work/server.log" --results "$results" \
  --stamp "$(date +%Y-%m-%d-%H%M%S)" "$@" || status=$?

# A clean stop: SIGTERM, everything written, exit 0 (the server forces an exit after 10 s).
if kill -TERM "$server_pid" 2>/dev/null; then
  server_status=0
  wait "$server_pid" || server_status=$?
  server_pid=
  if [[ $server_status -ne 0 ]]; then
    echo "soak: sio-server exited with status $server_status on SIGTERM" >&2
    [[ $status -eq 0 ]] && status=1
  fi
else
  echo "soak: sio-server was no longer running" >&2
  server_pid=
  [[ $status -eq 0 ]] && status=1
fi
[[ $status -ne 0 ]] && keep_work=1
exit "$status"
