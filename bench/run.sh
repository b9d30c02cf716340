#!/usr/bin/env bash
# deminer's benchmarks. Each runs deminer and the peer a user would otherwise
# use on the same input in the same run, and prints both and the ratio.
#
# sweep: the process and socket sweep with BENCH_PROCS (2,000) extra processes
# and BENCH_CONNS (100) loopback TCP connections, `deminer scan --only
# processes,network` (the whole command: rules, sweep, checks, JSON) against
# `ps -eo ...` plus `ss -tuanp`. Target: under 60 ms and under half of ps+ss.
set -euo pipefail
cd "$(dirname "$0")/.."
procs=${BENCH_PROCS:-2000}
conns=${BENCH_CONNS:-100}
runs=${BENCH_RUNS:-30}
out=bench/out
mkdir -p "$out"
deminer=build/deminer
tools=build/tests
for need in "$deminer" "$tools/imitation_miner" "$tools/stratum_listener"; do
  [[ -x $need ]] || { echo "bench: $need missing; run make first" >&2; exit 2; }
done
command -v hyperfine >/dev/null || { echo "bench: hyperfine missing (scripts/deps.sh --bench)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback service with `conns` clients, then sleepers up to `procs` extra processes.
"$tools/stratum_listener" 127.0.0.1 0 "$work/port" >/dev/null & pids+=($!)
for _ in $(seq 50); do [[ -s $work/port ]] && break; sleep 0.1; done
port=$(cat "$work/port")
cp "$tools/imitation_miner" "$work/app-worker"
for i in $(seq "$conns"); do
  IMITATION_CONNECT=127.0.0.1:$port "$work/app-worker" & pids+=($!)
done
for i in $(seq $((procs - conns))); do
  sleep 3600 & pids+=($!)
done
sleep 2
total=$(ls -d /proc/[0-9]* | wc -l)
sockets=$(ss -tuan | tail -n +2 | wc -l)
echo "bench sweep: $total processes, $sockets TCP/UDP sockets, $(nproc) cores"

# The same pack without hash IOCs, to show what hashing unusual executables costs.
cp -r build/rules "$work/rules-nohash" && rm "$work/rules-nohash/hash-iocs.txt"

# Warm the page cache and dentries, then measure.
$deminer scan --only processes,network --format json -o /dev/null --fail-on none
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$out/sweep.json" \
  -n deminer "$deminer scan --only processes,network --format json -o /dev/null --fail-on none" \
  -n ps "ps -eo pid,ppid,user,etimes,time,stat,comm,args >/dev/null" \
  -n ss "ss -tuanp >/dev/null" \
  -n deminer-nohash "$deminer scan --only processes,network --format json -o /dev/null --fail-on none --no-default-rules --rules $work/rules-nohash" \
  -n startup "$deminer checks >/dev/null" >"$out/sweep.txt"

/usr/bin/python3 - "$out/sweep.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
peer = med["ps"] + med["ss"]
print(f"  deminer scan --only processes,network   median {med['deminer']:7.1f} ms  (min {r['deminer']['min']*1000:.1f}, max {r['deminer']['max']*1000:.1f})")
print(f"  ps -eo ...                              median {med['ps']:7.1f} ms")
print(f"  ss -tuanp                               median {med['ss']:7.1f} ms")
print(f"  ps + ss                                        {peer:7.1f} ms")
print(f"  deminer, pack without hash IOCs         median {med['deminer-nohash']:7.1f} ms  (hashing unusual executables: {med['deminer'] - med['deminer-nohash']:+.1f} ms)")
print(f"  deminer checks (start-up alone)         median {med['startup']:7.1f} ms")
ratio = med['deminer'] / peer
print(f"  ratio deminer / (ps+ss) = {ratio:.2f}   target: < 60 ms and < 0.50 -> "
      + ("met" if med['deminer'] < 60 and ratio < 0.5 else "NOT met"))
PY
