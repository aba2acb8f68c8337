#!/usr/bin/env bash
# Installs what sio needs and is missing: Debian packages through apt-get, npm packages through
# `npm ci` from the committed lockfile. Safe to run again: it does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Boost comes from the 1.81 family only: the default 1.74 packages lack Boost.URL and conflict.
DEBIAN_PACKAGES=(
  g++ cmake ninja-build pkg-config make
  # ThreadSanitizer's runtime for the tsan preset (g++ brings it today; named so it stays).
  libtsan2
  libboost1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libhiredis-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsqlite3-dev sqlite3 libssl-dev zlib1g-dev libcrypt-dev libpq-dev postgresql chromium
  # The Python client (python-socketio) for the compatibility tests.
  python3-socketio python3-requests python3-websocket
  redis-server nginx
  # systemd-analyze checks the service unit in deploy/systemd.
  systemd
  # The fuzz preset: clang 14 and its libFuzzer + sanitizer runtimes (only recommended by clang,
  # which --no-install-recommends leaves out).
  clang libclang-rt-14-dev
)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# The machine may ship its own Node.js; Debian's is only a fallback.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { echo "deps: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "deps: Debian packages present"
fi

# Our own packages, then the upstream conformance suites', each with the lockfile it ships.
for dir in . tests/conformance/engineio tests/conformance/socketio tests/js/cluster/node bench/node; do
  [[ -f $dir/package-lock.json ]] || continue
  if [[ ! -f $dir/node_modules/.package-lock.json ||
        $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    echo "deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "deps: npm packages present in $dir"
  fi
done
