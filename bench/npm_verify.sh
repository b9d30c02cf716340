#!/usr/bin/env bash
# deminer's --verify-registry benchmark: a real project (next, react,
# react-dom, express; installed with --ignore-scripts into
# bench/out/npm-verify-project from the registry npm is configured with), npm's
# cache warm from that install. Timed in the same run:
#
#   deminer        build/deminer scan P --only npm --verify-registry P
#                  --format json -o /dev/null --fail-on none
#                  (every installed package: its tarball from npm's cache, its
#                  sha512 against the lockfile, every file against node_modules)
#   deminer-scan   the same without --verify-registry (the rest of the npm
#                  scope: lockfile, scripts, .npmrc, JS heuristics), to show
#                  what the verification itself costs
#   peer           the manual way: `npm ci --offline --ignore-scripts` into a
#                  copy of the project (package.json + lockfile), then
#                  `diff -r` of the two node_modules (see below when npm ci
#                  refuses the lockfile)
#
# Prints both times, the ratio, and the packages and files compared.
# BENCH_RUNS (3) sets hyperfine's measured runs; DEMINER another deminer binary.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
out=bench/out
mkdir -p "$out"
deminer=${DEMINER:-build/deminer}  # DEMINER: another build's binary
project=$PWD/$out/npm-verify-project
peer=$PWD/$out/npm-verify-peer
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/deps.sh --bench)" >&2; exit 2; }
command -v npm >/dev/null || { echo "bench: npm missing (apt-get install npm)" >&2; exit 2; }
[[ -x $deminer ]] || { echo "bench: $deminer missing; build it first" >&2; exit 2; }

# Install once; the marker is written only after a complete install.
if [[ ! -f $project/.installed ]]; then
  echo "bench npm_verify: installing next react react-dom express (npm, --ignore-scripts) into $project"
  rm -rf "$project"
  mkdir -p "$project"
  cat >"$project/package.json" <<'JSON'
{
  "name": "deminer-bench-npm-verify",
  "version": "1.0.0",
  "private": true,
  "description": "project for deminer's --verify-registry benchmark"
}
JSON
  (cd "$project" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
    next react react-dom express >/dev/null)
  touch "$project/.installed"
fi
# The peer's copy: the project's manifest and lockfile only; npm ci fills it.
rm -rf "$peer"
mkdir -p "$peer"
cp "$project/package.json" "$project/package-lock.json" "$peer/"
# Check that the peer works offline before timing it. npm 11 may refuse its
# own lockfile in `npm ci` ("Missing: @next/swc-darwin-arm64@ from lock file":
# it leaves other platforms' optional packages out of the lockfile, then ci
# finds them missing); the peer is then the same clean offline install done
# by `rm -rf node_modules && npm install --offline` (after one online install
# in the copy, which puts the package metadata npm install reads in the cache).
quiet="--ignore-scripts --no-audit --no-fund --loglevel=error"
peer_install="npm ci --offline $quiet"
if ! (cd "$peer" && $peer_install >/dev/null 2>&1); then
  echo "bench npm_verify: npm ci refuses the lockfile npm wrote; peer: rm -rf node_modules && npm install --offline"
  (cd "$peer" && npm install $quiet >/dev/null)
  peer_install="rm -rf node_modules && npm install --offline $quiet"
  (cd "$peer" && eval "$peer_install" >/dev/null)
fi

# Installed packages: the lockfile's entries present in node_modules (optional
# packages of other platforms are in the lockfile, not installed).
packages=$(/usr/bin/python3 -c '
import json, os, sys
lock = json.load(open(os.path.join(sys.argv[1], "package-lock.json")))
print(sum(1 for k, v in lock.get("packages", {}).items()
          if "node_modules/" in k and not v.get("link") and os.path.isdir(os.path.join(sys.argv[1], k))))
' "$project")
files=$(find "$project/node_modules" -type f ! -path '*/.package-lock.json' | wc -l)
bytes=$(find "$project/node_modules" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')

# What deminer finds (nothing, on a clean install) and how many files it compared.
$deminer scan "$project" --only npm --verify-registry "$project" --format json -o "$out/npm_verify_scan.json" \
  --fail-on none 2>"$out/npm_verify_scan.err" || true
/usr/bin/python3 - "$out/npm_verify_scan.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r.get("findings", []) if x["check"] in ("npm.tampered-files", "npm.registry-mismatch")]
print(f"bench npm_verify: deminer reports {len(f)} registry finding(s) on the clean install"
      + "".join(f"\n  {x['check']} {x['subject']}" for x in f[:10]))
for g in r.get("skipped", []):
    if "registry" in g.get("what", ""):
        print(f"  gap: {g['what']}: {g['reason']}")
PY
echo "bench npm_verify: $project: $packages packages installed, $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f MiB", b / 1048576}') in node_modules, $(nproc) cores"

# Warm the page cache of both trees and of npm's cache, then measure.
find "$project/node_modules" "$peer/node_modules" -type f -print0 | xargs -0 cat >/dev/null
cachedir=$(npm config get cache 2>/dev/null)
[[ -d $cachedir/_cacache ]] && find "$cachedir/_cacache" -type f -print0 | xargs -0 cat >/dev/null

hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$out/npm_verify.json" \
  -n deminer "$deminer scan $project --only npm --verify-registry $project --format json -o /dev/null --fail-on none" \
  -n deminer-scan "$deminer scan $project --only npm --format json -o /dev/null --fail-on none" \
  -n peer "cd $peer && $peer_install >/dev/null && diff -r -q $project/node_modules $peer/node_modules >/dev/null; true" \
  >"$out/npm_verify.txt"

/usr/bin/python3 - "$out/npm_verify.json" "$packages" "$files" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
def line(name, label):
    x = r[name]
    print(f"  {label:<52} median {x['median']:7.2f} s  (min {x['min']:.2f}, max {x['max']:.2f})")
line("deminer", "deminer scan --only npm --verify-registry")
line("deminer-scan", "deminer scan --only npm (no verification)")
line("peer", "npm ci --offline (or install --offline) + diff -r")
d, s, p = (r[k]["median"] for k in ("deminer", "deminer-scan", "peer"))
print(f"  packages verified {sys.argv[2]}, files compared {sys.argv[3]}")
print(f"  verification alone (deminer - deminer-scan) = {d - s:.2f} s")
print(f"  ratio deminer / peer = {d / p:.2f}")
PY
