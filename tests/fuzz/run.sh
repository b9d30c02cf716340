#!/usr/bin/env bash
# Runs every fuzzer of a fuzz build for a few seconds each, JOBS at a time,
# starting from the committed seed corpus (copied, so the run never changes
# the repository). A crash's input is kept in BUILD_DIR/fuzz-crashes.
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [JOBS]
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
jobs=${3:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One fuzzer; its verdict goes to $work/NAME.verdict, its output to NAME.log.
run_one() {
  local fuzzer=$1 name
  name=$(basename "$fuzzer")
  mkdir -p "$work/$name" "$work/$name.artifacts"
  [[ -d "$here/corpus/$name" ]] && cp -r "$here/corpus/$name/." "$work/$name/"
  if TMPDIR="$work" "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/$name.artifacts/" "$work/$name" >"$work/$name.log" 2>&1; then
    echo "ok ($(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -1))" >"$work/$name.verdict"
  else
    echo FAILED >"$work/$name.verdict"
  fi
}

fuzzers=("$build"/fuzz/*_fuzzer)
for fuzzer in "${fuzzers[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_one "$fuzzer" &
done
wait

failed=0
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  verdict=$(cat "$work/$name.verdict" 2>/dev/null || echo "FAILED (no verdict)")
  echo "fuzz: $name $verdict"
  if [[ $verdict != ok* ]]; then
    failed=1
    tail -40 "$work/$name.log"
    mkdir -p "$build/fuzz-crashes"
    cp "$work/$name.artifacts"/* "$build/fuzz-crashes/" 2>/dev/null || true
  fi
done
exit $failed
