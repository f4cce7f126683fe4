#!/usr/bin/env bash
# fuzz/run.sh SECONDS [BUILD_DIR]: runs every libFuzzer target for SECONDS each, starting from the
# committed seeds (fuzz/corpus/<target>, read-only) plus a working corpus in BUILD_DIR/corpus.
# A crash, leak, UB report, timeout or OOM fails the run (exit 1); its reproducer is written to
# fuzz/crashes/<target>-crash-<sha1> (re-run one: BUILD_DIR/<target> fuzz/crashes/<file>).
set -u
secs=${1:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$root/build-fuzz}
targets=(fuzz_response fuzz_params fuzz_json)
mkdir -p "$root/fuzz/crashes"
status=0
for t in "${targets[@]}"; do
  if [ ! -x "$build/$t" ]; then
    echo "fuzz: $build/$t is missing (cmake -S fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang)" >&2
    exit 2
  fi
  work="$build/corpus/$t"
  mkdir -p "$work"
  log="$build/$t.log"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -dict="$root/fuzz/audkit.dict" -artifact_prefix="$root/fuzz/crashes/$t-" \
      "$work" "$root/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$log" | tail -1 | grep -o 'cov: [0-9]*')
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} runs; log: $log" >&2
    grep -E 'ERROR:|SUMMARY:|#[0-9]+ 0x[0-9a-f]+ in |Test unit written|runtime error' "$log" | head -40 >&2
  else
    echo "fuzz: $t ok: ${runs:-?} runs in ${secs} s, ${cov:-cov: ?}"
  fi
done
exit $status
