#!/usr/bin/env bash
# Runs the libFuzzer harnesses of the fuzz preset, each for a bounded time, on a scratch copy of
# its seed corpus (fuzz/corpus/<name>/) so that a run never writes into the repository, with its
# dictionary (fuzz/<name>.dict) when there is one. Fails when any harness finds a crash, a leak or
# a sanitizer report; the input that did it is kept in the artifacts directory.
#
#   fuzz/run.sh SECONDS [NAME...]        (default: every fuzz/*.cpp)
#
# Binaries come from SIO_FUZZ_BIN_DIR (default build/fuzz/bin), artifacts go to SIO_FUZZ_ARTIFACTS
# (default build/fuzz/artifacts).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

seconds=${1:-}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh SECONDS [NAME...]" >&2; exit 2; }
shift
names=("$@")
if ((${#names[@]} == 0)); then
  for source in "$root"/fuzz/*.cpp; do names+=("$(basename "$source" .cpp)"); done
fi
bin_dir=${SIO_FUZZ_BIN_DIR:-$root/build/fuzz/bin}
artifacts=${SIO_FUZZ_ARTIFACTS:-$root/build/fuzz/artifacts}
mkdir -p "$artifacts"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for name in "${names[@]}"; do
  binary=$bin_dir/fuzz-$name
  if [[ ! -x $binary ]]; then
    echo "fuzz: $binary is missing (build the fuzz preset first)" >&2
    failed+=("$name")
    continue
  fi
  corpus=$work/$name
  mkdir -p "$corpus"
  [[ -d $root/fuzz/corpus/$name ]] && cp -R "$root/fuzz/corpus/$name/." "$corpus/"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/$name-")
  [[ -f $root/fuzz/$name.dict ]] && args+=(-dict="$root/fuzz/$name.dict")
  echo "== fuzz: $name for ${seconds}s"
  "$binary" "${args[@]}" "$corpus" || failed+=("$name")
  rm -rf "$corpus"
done

if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
echo "fuzz: ${#names[@]} harnesses ran ${seconds}s each without a finding"
