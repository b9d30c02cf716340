#!/usr/bin/env bash
# deminer's lockfile-audit benchmark: a package-lock.json of about 3,000
# packages (popular packages resolved once with `npm install
# --package-lock-only` from the registry npm is configured with, cached under
# bench/out/npm-audit/), audited against every OSV record and the
# consolidated malicious list in ../shared/osv (10,000+ advisories):
#
#   deminer   deminer scan PROJECT --only npm --advisories OSV --format json
#             --root EMPTY (the whole command: rule pack with its built-in
#             advisories, the --advisories set, the lockfile, every npm check,
#             JSON; --root EMPTY: this project alone, not those of the host's
#             running node processes)
#   deminer, no npm spawn   the same with a PATH whose `npm` exits at once:
#             a scan runs `npm config get registry` once (the registry
#             checks' reference), which costs about a second on this VM; this
#             line shows what the audit itself costs
#   node      bench/npm_audit_peer.js: the same work in a Node.js script with
#             npm's own `semver` package (installed here into bench/out):
#             load the same OSV dir and list, parse the lockfile, match every
#             package@version with OSV's range evaluation
#   JSON.parse  node -e JSON.parse of the lockfile alone (DESIGN's reference)
#
# Both audits must report the same package@version set; the script checks it.
# BENCH_RUNS (20) sets hyperfine's measured runs. DEMINER overrides the
# binary (build/deminer). Target (DESIGN): deminer under 100 ms end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-20}
deminer=${DEMINER:-build/deminer}
osv=${BENCH_OSV:-../shared/osv}
out=bench/out/npm-audit
for tool in node npm hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench npm-audit: $tool missing (scripts/deps.sh --bench)" >&2; exit 2; }
done
[[ -x $deminer ]] || { echo "bench npm-audit: $deminer missing; build first (make build)" >&2; exit 2; }
[[ -d $osv ]] || { echo "bench npm-audit: no OSV data at $osv" >&2; exit 2; }
osv=$(cd "$osv" && pwd)
mkdir -p "$out/project" "$out/peer" "$out/empty-root" "$out/no-npm"
printf '#!/bin/sh\nexit 1\n' >"$out/no-npm/npm" && chmod +x "$out/no-npm/npm"

# The lockfile, built once. Popular packages of a web stack, plus three
# versions with known advisories (next 15.0.4, lodash 4.17.19, minimist
# 1.2.5) so that both audits have something to find.
lock=$out/project/package-lock.json
if [[ ! -s $lock ]]; then
  echo "bench npm-audit: resolving a lockfile in $out/project (registry: npm's config; once)"
  cat >"$out/project/package.json" <<'JSON'
{
  "name": "bench-audit",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "next": "15.0.4", "react": "19.0.0", "react-dom": "19.0.0", "lodash": "4.17.19",
    "minimist": "1.2.5", "express": "^4", "axios": "^1", "moment": "^2", "mongoose": "^8",
    "sequelize": "^6", "pg": "^8", "redis": "^4", "socket.io": "^4", "jsonwebtoken": "^9",
    "bcryptjs": "^2", "dotenv": "^16", "winston": "^3", "aws-sdk": "^2", "firebase": "^10",
    "@apollo/server": "^4", "graphql": "^16", "rxjs": "^7", "date-fns": "^3", "uuid": "^9",
    "sharp": "^0.33", "puppeteer": "^22", "pm2": "^5"
  },
  "devDependencies": {
    "react-scripts": "5.0.1", "typescript": "^5", "eslint": "^8", "jest": "^29",
    "webpack": "^5", "webpack-cli": "^5", "@babel/core": "^7", "@babel/preset-env": "^7",
    "prettier": "^3", "mocha": "^10", "karma": "^6", "rollup": "^4", "vite": "^5",
    "nodemon": "^3", "ts-node": "^10", "@storybook/react": "^8", "@nestjs/cli": "^10",
    "@angular/cli": "^17", "gulp": "^4", "grunt": "^1", "lerna": "^8", "cypress": "^13"
  }
}
JSON
  (cd "$out/project" && npm install --package-lock-only --ignore-scripts --no-audit --no-fund \
     --legacy-peer-deps --loglevel=error >/dev/null)
fi
[[ -d $out/peer/node_modules/semver ]] ||
  (cd "$out/peer" && npm install semver@7 --no-audit --no-fund --no-save --loglevel=error >/dev/null)

packages=$(node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1]));
  const s = new Set(); for (const [k, p] of Object.entries(l.packages || {})) if (k && !p.link) s.add(k);
  console.log(s.size)' "$lock")
advisory_files=$(find "$osv" -name '*.json' | wc -l)
list_names=$(node -e 'let n = 0; for (const f of process.argv.slice(1)) { const j = JSON.parse(require("fs").readFileSync(f));
  if (!("id" in j) && !("affected" in j)) n += Object.keys(j).length } console.log(n)' $(find "$osv" -maxdepth 1 -name '*.json'))
echo "bench npm-audit: $packages lockfile entries ($(du -k "$lock" | cut -f1) KiB), $advisory_files OSV files + $list_names listed names, $(nproc) cores"

semver_dir=$(cd "$out/peer/node_modules/semver" && pwd)
dm_cmd="$deminer scan $out/project --root $out/empty-root --only npm --advisories $osv --format json -o $out/deminer.json --fail-on none"
dm_nonpm_cmd="env PATH=$PWD/$out/no-npm:$PATH $dm_cmd"
peer_cmd="node bench/npm_audit_peer.js $semver_dir $osv $lock >$out/peer.json"
parse_cmd="node -e 'JSON.parse(require(\"fs\").readFileSync(process.argv[1], \"utf8\"))' $lock"

# Warm the page cache (these VMs evict it within seconds), then measure.
cat "$lock" >/dev/null
find "$osv" -name '*.json' -exec cat {} + >/dev/null
$dm_cmd 2>"$out/deminer.err" || true
eval "$peer_cmd"
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$out/hyperfine.json" -i \
  -n deminer "$dm_cmd" -n deminer-no-npm-spawn "$dm_nonpm_cmd" -n node-peer "$peer_cmd" \
  -n json-parse "$parse_cmd" >"$out/hyperfine.txt"

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = {x["command"]: x for x in json.load(open(f"{out}/hyperfine.json"))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
cpu = {k: (v["user"] + v["system"]) * 1000 for k, v in r.items()}  # mean CPU time per run
peer = json.load(open(f"{out}/peer.json"))
doc = json.load(open(f"{out}/deminer.json"))
findings = doc["findings"] if isinstance(doc, dict) else doc
ours = sorted({f["subject"].split(" in ")[0] for f in findings
               if f["check"] in ("npm.malicious-package", "npm.vulnerable-package")})
print(f"  deminer scan --only npm --advisories   median {med['deminer']:7.1f} ms  (min {r['deminer']['min']*1000:.1f}, max {r['deminer']['max']*1000:.1f})")
print(f"  deminer, npm config spawn removed      median {med['deminer-no-npm-spawn']:7.1f} ms  (diagnostic: `npm config get registry` costs {med['deminer'] - med['deminer-no-npm-spawn']:.0f} ms of the scan)")
print(f"  node peer (semver, same work)          median {med['node-peer']:7.1f} ms  (inside the script: load {peer['load_ms']:.1f} ms, parse+match {peer['match_ms']:.1f} ms)")
print(f"  node -e JSON.parse(lockfile) alone     median {med['json-parse']:7.1f} ms")
print("  CPU time (user+sys, mean): " + ", ".join(f"{k} {v:.0f} ms" for k, v in cpu.items())
      + "  (steadier than wall time when the machine is shared)")
ratio = med['deminer'] / med['node-peer']
ratio2 = med['deminer-no-npm-spawn'] / med['node-peer']
print(f"  ratio deminer / node peer = {ratio:.2f} (without the npm spawn {ratio2:.2f}); "
      f"deminer / JSON.parse alone = {med['deminer'] / med['json-parse']:.2f} ({med['deminer-no-npm-spawn'] / med['json-parse']:.2f})")
print(f"  matched package@version: deminer {len(ours)}, node peer {peer['count']} (of {peer['packages']} distinct) -> "
      + ("same set" if ours == peer["matched"] else "DIFFERENT"))
if ours != peer["matched"]:
    print("    only deminer:", sorted(set(ours) - set(peer["matched"]))[:20])
    print("    only node:   ", sorted(set(peer["matched"]) - set(ours))[:20])
print("  target: deminer < 100 ms end to end -> " + ("met" if med['deminer'] < 100 else "NOT met")
      + f" (without the npm spawn: {'met' if med['deminer-no-npm-spawn'] < 100 else 'NOT met'})")
if not ours:
    print("  note: deminer reported no advisory match: is the lockfile parser in this build?")
PY
