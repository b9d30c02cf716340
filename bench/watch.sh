#!/usr/bin/env bash
# deminer watch's benchmark (needs root: netlink and fanotify), against the
# seeds' answer to a live intrusion: a cron job every 5 minutes that greps
# `ps aux` for miner names.
#
#   latency   1,000 imitation miners (harmless; tests/support/imitation_miner)
#             started from a temp dir, ~100 a second, each with its own
#             command line so that each is its own alert. Latency is the
#             daemon's latency_ms: from the kernel's exec timestamp
#             (CLOCK_MONOTONIC, in the connector event) to the alert written.
#             The cron job's latency for the same execs is the wait until its
#             next */5 tick from each exec's time; its ps | grep is run once
#             on the same live miners to show what it would have caught.
#   idle CPU  the daemon's CPU time over BENCH_IDLE_S (60) seconds of an idle
#             host, as a share of one core.
#   RSS       the daemon's peak (VmHWM) after all of the above.
#   fork loop 10,000 /bin/true from a bash loop, without and with the daemon
#             (and with it blocking exec: every exec of the host asked, each
#             program judged once), BENCH_RUNS (3) times each, alternating;
#             medians and their ratios.
#
# Targets (DESIGN.md): p99 < 100 ms, idle CPU < 1 %, RSS < 50 MB, fork loop < 5 % slower.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
idle_s=${BENCH_IDLE_S:-60}
n=${BENCH_EXECS:-1000}
deminer=$PWD/build/deminer
miner=$PWD/build/tests/imitation_miner
out=$PWD/bench/out/watch
[[ $(id -u) == 0 ]] || { echo "bench watch: needs root (netlink, fanotify)" >&2; exit 2; }
[[ -x $deminer && -x $miner ]] || { echo "bench watch: build first (make build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench watch: python3 missing" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out"/alerts.jsonl "$out"/status.json
tmp=$(mktemp -d /tmp/deminer-bench-watch.XXXXXX)
daemon=
cleanup() {
  [[ -n $daemon ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  pkill -f "^$tmp/" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

loop() { for ((i = 0; i < 10000; i++)); do /bin/true; done; }
seconds() { local s=$EPOCHREALTIME; loop; python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$s" "$EPOCHREALTIME"; }

start_daemon() {
  "$deminer" watch --output "$out/alerts.jsonl" --status-file "$out/status.json" --no-initial-scan \
    --state-dir "$out/state" "$@" 2>>"$out/daemon.log" &
  daemon=$!
  for _ in $(seq 100); do [[ -f $out/status.json ]] && return; sleep 0.1; done
  echo "bench watch: the daemon did not start (see $out/daemon.log)" >&2
  exit 1
}
stop_daemon() { kill "$daemon"; wait "$daemon" || true; daemon=; rm -f "$out/status.json"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "bench watch: fork loop, $runs runs each way"
without=() with=() blocking=()
for ((r = 0; r < runs; r++)); do
  without+=("$(seconds)")
  start_daemon
  with+=("$(seconds)")
  stop_daemon
  start_daemon --block-exec
  blocking+=("$(seconds)")
  stop_daemon
done

start_daemon
echo "bench watch: idle for $idle_s s"
t0=$(cpu_ticks "$daemon")
sleep "$idle_s"
t1=$(cpu_ticks "$daemon")

echo "bench watch: $n imitation miners from $tmp"
cp "$miner" "$tmp/xmrig"
: >"$tmp/exec-times"
miners=()
for ((i = 0; i < n; i++)); do
  echo "$EPOCHREALTIME" >>"$tmp/exec-times"
  IMITATION_LIFETIME_S=2 "$tmp/xmrig" -o stratum+tcp://pool.supportxmr.com:443 -u x --rig-id "bench-$i" &
  miners+=($!)
  sleep 0.01
done
# The cron job's pass, on the same live miners (the last ~200 still run).
cron_start=$EPOCHREALTIME
cron_hits=$(ps aux | grep -E 'xmrig|javae|dbus_daemon|kdevtmpfsi|kinsing' | grep -vc grep || true)
cron_end=$EPOCHREALTIME
wait_for=$((n))
for _ in $(seq 300); do
  got=$(grep -c '"check":"proc.miner"' "$out/alerts.jsonl" || true)
  ((got >= wait_for)) && break
  sleep 0.1
done
wait "${miners[@]}" 2>/dev/null || true
rss=$(awk '/VmHWM/ {print $2}' "/proc/$daemon/status")
stop_daemon

python3 - "$out/alerts.jsonl" "$tmp/exec-times" "$n" "$t0" "$t1" "$idle_s" "$rss" \
  "$cron_hits" "$cron_start" "$cron_end" "${without[*]}" "${with[*]}" "${blocking[*]}" <<'PY'
import json, os, statistics, sys
(alerts, times, n, t0, t1, idle_s, rss, cron_hits, cron_start, cron_end, without, with_, blocking) = sys.argv[1:]
n = int(n)
lat = []
for line in open(alerts):
    a = json.loads(line)
    if a.get("check") == "proc.miner" and a.get("event") == "exec" and "bench-" in a["evidence"]["cmdline"]:
        lat.append(a["latency_ms"])
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
execs = [float(t) for t in open(times)]
# The seeds' cron: */5 * * * * -- each exec waits for the next 5-minute tick.
cron = sorted(300 - (t % 300) for t in execs)
cron_pct = lambda p: cron[min(len(cron) - 1, int(round(p / 100 * (len(cron) - 1))))]
hz = os.sysconf("SC_CLK_TCK")
idle = (int(t1) - int(t0)) / hz / int(idle_s) * 100
wo = statistics.median(float(x) for x in without.split())
wi = statistics.median(float(x) for x in with_.split())
wb = statistics.median(float(x) for x in blocking.split())
print(f"exec-to-alert: {len(lat)} of {n} execs alerted; p50 {pct(50):.2f} ms, p99 {pct(99):.2f} ms, max {lat[-1]:.2f} ms")
print(f"seeds' 5-minute cron on the same execs: p50 {cron_pct(50)*1000:.0f} ms, p99 {cron_pct(99)*1000:.0f} ms "
      f"(its ps | grep pass: {(float(cron_end)-float(cron_start))*1000:.1f} ms, {cron_hits} miners seen)")
print(f"ratio deminer/cron: p50 {pct(50)/(cron_pct(50)*1000):.6f}, p99 {pct(99)/(cron_pct(99)*1000):.6f}")
print(f"idle CPU over {idle_s} s: {idle:.3f} % of one core")
print(f"peak RSS: {int(rss)/1024:.1f} MiB")
print(f"fork loop (10,000 /bin/true): without {wo:.3f} s, with {wi:.3f} s, ratio {wi/wo:.3f} ({(wi/wo-1)*100:+.1f} %)")
print(f"fork loop with --block-exec (every exec asked, hash IOCs): {wb:.3f} s, ratio {wb/wo:.3f} ({(wb/wo-1)*100:+.1f} %)")
ok = len(lat) == n and pct(99) < 100 and idle < 1 and int(rss) < 50 * 1024 and wi / wo < 1.05
print("targets (p99 < 100 ms, idle < 1 %, RSS < 50 MB, fork loop < 5 %):", "met" if ok else "NOT met")
PY
