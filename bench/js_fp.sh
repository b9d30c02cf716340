#!/usr/bin/env bash
# False positives of the JS heuristics (npm.suspicious-code) on clean code:
# a real node_modules of popular packages and a real `next build` output.
#
# Input (installed once into bench/out/js-fp, reused): `npm install
# --ignore-scripts` of next react react-dom express lodash axios webpack
# typescript @babel/core eslint jest moment core-js rxjs, from the registry npm
# is configured with (`npm config get registry`); then a minimal Next.js app
# (app/layout.js, app/page.js) built with `next build` (NEXT_TELEMETRY_DISABLED=1;
# SWC comes as next's optional platform package).
#
# Measured, in the same run:
#   deminer   $DEMINER scan --only npm --root EMPTY --format json --fail-on none
#             --threads N PROJECT   (node_modules and .next; --root EMPTY: this
#             project alone, not those of the host's running node processes)
#   peer      yara -r -p N bench/out/js-fp/js_obfuscation.yar over the same dirs
#             (a JS-obfuscation rule file written for this bench: the same
#             literal signals, scored per file by conditions), restricted to the
#             same *.js/*.mjs/*.cjs files
# and printed: JS files read, flagged per severity, each flagged file (path and
# signals), both times and their ratio. Every flagged file here is a false
# positive: the input is clean code.
set -euo pipefail
cd "$(dirname "$0")/.."
deminer=${DEMINER:-build/deminer}
threads=$(nproc)
out=bench/out/js-fp
project=$out/app
mkdir -p "$out"
command -v npm >/dev/null || { echo "bench: npm missing" >&2; exit 2; }
command -v yara >/dev/null || { echo "bench: yara missing (apt-get install yara)" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench: jq missing" >&2; exit 2; }
[[ -x $deminer ]] || { echo "bench: $deminer missing (build it, or set DEMINER)" >&2; exit 2; }

# Popular packages, and the ones that legitimately look most like droppers
# (they download binaries, chmod and spawn them: esbuild, playwright-core,
# @puppeteer/browsers, node-gyp, prebuild-install).
packages=(next react react-dom express lodash axios webpack typescript @babel/core eslint jest
  moment core-js rxjs esbuild vite rollup terser playwright-core @puppeteer/browsers node-gyp
  prebuild-install ws socket.io pg mongoose)
if [[ ! -f $project/.installed || "$(cat "$project/.installed")" != "${packages[*]}" ]]; then
  echo "bench js-fp: installing ${#packages[@]} packages (npm, --ignore-scripts) into $project"
  mkdir -p "$project/app"
  [[ -f $project/package.json ]] || cat >"$project/package.json" <<'JSON'
{
  "name": "deminer-bench-js-fp",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "next build" }
}
JSON
  cat >"$project/app/layout.js" <<'JS'
export const metadata = { title: "bench" };
export default function RootLayout({ children }) {
  return (<html lang="en"><body>{children}</body></html>);
}
JS
  cat >"$project/app/page.js" <<'JS'
"use client";
import { useState } from "react";
export default function Page() {
  const [n, setN] = useState(0);
  return (<main><h1>deminer bench</h1><button onClick={() => setN(n + 1)}>{n}</button></main>);
}
JS
  (cd "$project" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error \
    "${packages[@]}" >/dev/null)
  echo "${packages[*]}" >"$project/.installed"
fi
if [[ ! -f $project/.built ]]; then
  echo "bench js-fp: next build"
  (cd "$project" && NEXT_TELEMETRY_DISABLED=1 npx --no-install next build >"$PWD/../next-build.log" 2>&1) \
    || { echo "bench: next build failed, see $out/next-build.log" >&2; exit 1; }
  touch "$project/.built"
fi
[[ ${1:-} == setup ]] && exit 0

# The peer's rules: the same literal signals as YARA conditions per file.
rules=$out/js_obfuscation.yar
cat >"$rules" <<'YARA'
rule js_obfuscator_io {
  strings:
    $id = /_0x[0-9a-f]{4,6}/
    $rotation = /while\s*\(\s*!!\[\]\s*\)/
    $pushshift = /\[\s*'push'\s*\]\s*\(\s*[\w$]+\s*\[\s*'shift'\s*\]\s*\(\s*\)\s*\)/
  condition:
    #id > 20 and $rotation and $pushshift
}
rule js_exec_decoded {
  strings:
    $a = /(eval|Function|runInThisContext|runInNewContext|execSync|exec|spawn)\s*\(\s*(atob|Buffer\.from|String\.fromCharCode|decodeURIComponent\s*\(\s*escape)\s*\(/
    $packer = /eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,/
  condition:
    any of them
}
rule js_dropper {
  strings:
    $cp = /require\s*\(\s*['"](node:)?child_process['"]/
    $curl = /(curl|wget)\s+[^'"\n]{0,200}(https?|ftp):\/\//
    $tmp = /['"`]\/(tmp|dev\/shm|var\/tmp)\/[\w.]/
    $chmod = /chmod(Sync)?\s*\([^;\n]{0,200}(0o?7[57][57]|493|511)|chmod\s+(\+x|0?7[57][57])/
  condition:
    $cp and $curl and ($tmp or $chmod)
}
rule js_miner {
  strings:
    $stratum = "stratum+tcp://" nocase
    $xmrig = "xmrig" nocase
    $donate = "--donate-level"
  condition:
    2 of them
}
rule js_charcode_chain {
  strings:
    $a = /String\.fromCharCode\s*\(\s*\d+(\s*,\s*\d+){15}/
  condition:
    $a
}
YARA

dirs=("$project/node_modules" "$project/.next")
list=$out/js-files.txt
find "${dirs[@]}" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) -size +0 -size -32M >"$list"
all_files=$(find "${dirs[@]}" -type f | wc -l)
js_files=$(wc -l <"$list")
js_bytes=$(xargs -a "$list" -d '\n' stat -c %s | awk '{s += $1} END {print s + 0}')
echo "bench js-fp: $project: node_modules and .next: $all_files files, $js_files JS files" \
  "($(awk -v b="$js_bytes" 'BEGIN {printf "%.1f MiB", b / 1048576}')), $threads threads"

# Warm the page cache, then time both on the same files.
xargs -a "$list" -d '\n' cat >/dev/null
now() { date +%s.%N; }
t0=$(now)
mkdir -p "$out/empty-root"  # --root EMPTY: DIR alone, not the projects of this host's node processes
"$deminer" scan --only npm --root "$out/empty-root" --format json --fail-on none --threads "$threads" "$project" \
  >"$out/deminer.json" 2>"$out/deminer.err"
t1=$(now)
yara -p "$threads" --scan-list "$rules" "$list" >"$out/yara.txt" 2>"$out/yara.err" || true
t2=$(now)
# The fixed cost of an npm scan (start-up, rule pack, the project collector's
# `npm config get registry`), measured on an empty project, to show the JS part.
mkdir -p "$out/empty-project"
t3=$(now)
"$deminer" scan --only npm --root "$out/empty-root" --format json --fail-on none --threads "$threads" \
  "$out/empty-project" >/dev/null 2>&1
t4=$(now)
dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
ft=$(awk -v a="$t3" -v b="$t4" 'BEGIN {printf "%.2f", b - a}')
yt=$(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", b - a}')

echo "deminer: JS files read: $(jq -r '.counts.files' "$out/deminer.json")" \
  "(find: $js_files non-empty *.js/*.mjs/*.cjs up to 32 MiB)"
jq -r '[.findings[] | select(.check == "npm.suspicious-code")] |
  "flagged files: \(length)  critical: \(map(select(.severity == "critical")) | length)" +
  "  high: \(map(select(.severity == "high")) | length)" +
  "  medium: \(map(select(.severity == "medium")) | length)" +
  "  low: \(map(select(.severity == "low")) | length)"' "$out/deminer.json"
jq -r '.findings[] | select(.check == "npm.suspicious-code") |
  "  \(.severity)\t\(.evidence.score)\t\(.path):\(.line)\t\([.evidence.signals[] | "\(.id)@\(.line)"] | join(" "))"' \
  "$out/deminer.json"
echo "yara peer flagged files: $(cut -d' ' -f2 "$out/yara.txt" | sort -u | wc -l)"
sed 's/^/  /' "$out/yara.txt"
echo "time: deminer ${dt}s (whole npm scan: walk + score of node_modules and .next; ${ft}s of it is" \
  "the fixed cost of an npm scan of an empty project), yara ${yt}s (the $js_files JS files)," \
  "ratio deminer/yara $(awk -v a="$dt" -v b="$yt" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')," \
  "JS part alone vs yara $(awk -v a="$dt" -v f="$ft" -v b="$yt" 'BEGIN {printf "%.2f", (b > 0 ? (a - f) / b : 0)}')"
