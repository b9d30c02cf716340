#!/usr/bin/env bash
# deminer's file-scan benchmark: a real node_modules (next, react, react-dom,
# typescript, eslint; ~10k files, large native .node binaries included) scanned
# with the default YARA pack. deminer runs the pack AND hashes every file, so
# it is timed against its peers on the same tree in the same run:
#
#   deminer    build/deminer scan --only files --root EMPTY --format json
#              -o /dev/null --fail-on none --threads N DIR
#              (--root EMPTY: walk DIR alone, not this machine's temp dirs,
#              so both tools read the same files)
#   yara       yara -r -p N rules/yara/*.yar DIR   (the files deminer loads)
#   sha256sum  find DIR -type f -print0 | xargs -0 -P N -n 200 sha256sum
#   md5sum     the same with md5sum
#
# N is $(nproc). Target: deminer faster than yara alone.
# The tree is installed once from the npm registry npm is configured with
# (`npm config get registry`; npm's own default) into
# bench/out/node_modules-project, without running install scripts, and reused.
# BENCH_RUNS (5) sets hyperfine's measured runs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
threads=$(nproc)
out=bench/out
mkdir -p "$out"
deminer=build/deminer
project=$out/node_modules-project
tree=$project/node_modules
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/deps.sh --bench)" >&2; exit 2; }
command -v yara >/dev/null || { echo "bench: yara missing (apt-get install yara)" >&2; exit 2; }
command -v npm >/dev/null || { echo "bench: npm missing (apt-get install npm)" >&2; exit 2; }
shopt -s nullglob
rules=(rules/yara/*.yar)
shopt -u nullglob
((${#rules[@]})) || { echo "bench: no rules/yara/*.yar" >&2; exit 2; }

# Install once; the marker is written only after a complete install.
if [[ ! -f $project/.installed ]]; then
  echo "bench files: installing next react react-dom typescript eslint (npm, --ignore-scripts) into $project"
  rm -rf "$project"
  mkdir -p "$project"
  cat >"$project/package.json" <<'JSON'
{
  "name": "deminer-bench-files",
  "version": "1.0.0",
  "private": true,
  "description": "node_modules tree for deminer's file-scan benchmark"
}
JSON
  (cd "$project" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
    next react react-dom typescript eslint >/dev/null)
  touch "$project/.installed"
fi

files=$(find "$tree" -type f | wc -l)
bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "bench files: $tree: $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f MiB", b / 1048576}'), $threads threads, $(nproc) cores"

# Warm the page cache and dentries, then measure.
find "$tree" -type f -print0 | xargs -0 cat >/dev/null

args=(--style basic --warmup 2 --runs "$runs" --export-json "$out/files.json")
mkdir -p "$out/empty-root"
deminer_cmd="$deminer scan --only files --root $out/empty-root --format json -o /dev/null --fail-on none --threads $threads $tree"
if [[ -x $deminer ]] && $deminer_cmd >/dev/null 2>&1; then
  args+=(-n deminer "$deminer_cmd")
else
  echo "bench files: deminer files scope not built yet (\`$deminer scan --only files\` failed); timing the peers only"
fi
args+=(-n yara "yara -r -p $threads ${rules[*]} $tree >/dev/null"
  -n sha256sum "find $tree -type f -print0 | xargs -0 -P $threads -n 200 sha256sum >/dev/null"
  -n md5sum "find $tree -type f -print0 | xargs -0 -P $threads -n 200 md5sum >/dev/null")
hyperfine "${args[@]}" >"$out/files.txt"

/usr/bin/python3 - "$out/files.json" "$files" "$bytes" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mib = int(sys.argv[3]) / 1048576
def line(name, label):
    x = r[name]
    med = x["median"]
    print(f"  {label:<38} median {med*1000:8.1f} ms  (min {x['min']*1000:.1f}, max {x['max']*1000:.1f})  {mib/med:7.1f} MiB/s")
if "deminer" in r:
    line("deminer", "deminer scan --only files")
line("yara", "yara -r -p N rules/yara/*.yar")
line("sha256sum", "find | xargs -P N sha256sum")
line("md5sum", "find | xargs -P N md5sum")
if "deminer" in r:
    d, y, s = (r[k]["median"] for k in ("deminer", "yara", "sha256sum"))
    print(f"  ratio deminer / yara      = {d/y:.2f}")
    print(f"  ratio deminer / sha256sum = {d/s:.2f}")
    print("  target: deminer < yara alone -> " + ("met" if d < y else "NOT met"))
else:
    print("  target: deminer < yara alone -> not measured (deminer files scope not built yet)")
PY
