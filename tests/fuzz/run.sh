#!/usr/bin/env bash
# Runs every fuzzer of a fuzz build for a few seconds each, starting from the
# committed seed corpus (copied, so the run never changes the repository).
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
for fuzzer in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer")
  mkdir -p "$work/$name"
  [[ -d "$here/corpus/$name" ]] && cp -r "$here/corpus/$name/." "$work/$name/"
  if TMPDIR="$work" "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/" "$work/$name" >"$work/$name.log" 2>&1; then
    echo "fuzz: $name ok ($(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -1))"
  else
    echo "fuzz: $name FAILED"; tail -40 "$work/$name.log"; failed=1
    mkdir -p "$build/fuzz-crashes" && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$build/fuzz-crashes/" 2>/dev/null || true
  fi
done
exit $failed
