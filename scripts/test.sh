#!/usr/bin/env bash
# Runs ctest for each preset given (default: release) and ends with one summary line,
# "N passed, N failed", over all of them. A preset may name the reactors its servers run with:
# release:4 runs the release suite with SIO_THREADS=4.
set -uo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
((${#presets[@]})) || presets=(release)
passed=0
failed=0
status=0

for spec in "${presets[@]}"; do
  preset=${spec%%:*}
  threads=
  [[ $spec == *:* ]] && threads=${spec#*:}
  echo "== tests: $preset${threads:+, SIO_THREADS=$threads}"
  unset SIO_THREADS
  [[ -n $threads ]] && export SIO_THREADS=$threads
  if [[ $preset == asan ]]; then
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  elif [[ $preset == fuzz ]]; then
    # libFuzzer reports a finding and keeps its input itself (fuzz/run.sh says where).
    export ASAN_OPTIONS=detect_leaks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  fi
  log=$(mktemp)
  ctest --preset "$preset" --output-on-failure 2>&1 | tee "$log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  rm -f "$log"
  if [[ -z $summary ]]; then
    echo "tests: no ctest summary for preset $spec" >&2
    status=1
    continue
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  ((total > 0)) || status=1
  passed=$((passed + total - bad))
  failed=$((failed + bad))
done

((failed == 0)) || status=1
echo "$passed passed, $failed failed"
exit $status
