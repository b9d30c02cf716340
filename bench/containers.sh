#!/usr/bin/env bash
# Container audit: BENCH_CONTAINERS (200) containers made in a Podman engine
# the bench starts (its Docker-compatible API on a temp socket), then
# `deminer scan --only containers` (list, inspect each, and for running ones
# their mount table, namespaces and image tools; checks; JSON) against the
# seeds' way of reading the same settings: `docker inspect` of every
# container piped to jq (the Docker CLI through the same socket; where no
# Docker CLI is installed, curl per container does the inspects). Prints the
# total, the time per container and the ratio. Root (rootful Podman).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${BENCH_CONTAINERS:-200}
runs=${BENCH_RUNS:-10}
out=bench/out
mkdir -p "$out"
deminer=build/deminer
[[ -x $deminer ]] || { echo "bench: $deminer missing; run make first" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "bench: containers needs root (rootful Podman)" >&2; exit 2; }
for tool in podman hyperfine jq curl; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (scripts/deps.sh --bench)" >&2; exit 2; }
done

work=$(mktemp -d /var/tmp/deminer-bench-containers.XXXXXX)
export CONTAINERS_CONF=$work/containers.conf
printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' \
  >"$CONTAINERS_CONF"
image=localhost/deminer-bench-$$:1
svc=
cleanup() {
  podman ps -aq --filter label=deminer-bench=$$ | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
  podman rmi -f "$image" >/dev/null 2>&1 || true
  [[ -n $svc ]] && kill "$svc" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
cp /bin/busybox "$work/rootfs/bin/"
for a in sh sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" . && podman import -q "$work/rootfs.tar" "$image" >/dev/null
podman system service --time=0 "unix://$work/docker.sock" & svc=$!
for _ in $(seq 100); do [[ -S $work/docker.sock ]] && break; sleep 0.1; done
export DOCKER_HOST=unix://$work/docker.sock

# Every other container hardened, every other one weak; all running.
echo "bench containers: starting $n containers ..." >&2
t0=$(date +%s)
for i in $(seq "$n"); do
  if ((i % 2)); then
    flags=(--read-only --tmpfs /tmp:rw,noexec,nosuid --cap-drop ALL --security-opt no-new-privileges
           --memory 32m --cpus 0.1 --pids-limit 16 --user 1000:1000)
  else
    flags=(--cap-add SYS_ADMIN)
  fi
  podman run -d -q --network none --label deminer-bench=$$ --name "bench-$$-$i" "${flags[@]}" \
    "$image" sleep 3600 >/dev/null
done
echo "bench containers: $n running in $(($(date +%s) - t0)) s, $(nproc) cores" >&2

if command -v docker >/dev/null; then
  peer="docker inspect \$(docker ps -aq) | jq -c '.[] | {Name, HostConfig: (.HostConfig | {ReadonlyRootfs, CapAdd, CapDrop, SecurityOpt, Tmpfs, Privileged, PidMode, Memory, NanoCpus, PidsLimit, PortBindings}), User: .Config.User}' >/dev/null"
  peer_name="docker inspect | jq"
else
  peer="curl -s --unix-socket $work/docker.sock 'http://d/containers/json?all=1' | jq -r '.[].Id' | while read -r id; do curl -s --unix-socket $work/docker.sock http://d/containers/\$id/json; done | jq -c '{Name, HostConfig: (.HostConfig | {ReadonlyRootfs, CapAdd, CapDrop, SecurityOpt, Tmpfs, Privileged, PidMode, Memory, NanoCpus, PidsLimit, PortBindings}), User: .Config.User}' >/dev/null"
  peer_name="curl inspect each | jq"
fi
# Same answer first: deminer saw every container.
seen=$("$deminer" scan --only containers --format json 2>/dev/null |
  jq --arg p "bench-$$-" '[.findings[] | select(.check=="container.capabilities" and .severity=="high" and (.container.name | startswith($p)))] | length' || true)
echo "bench containers: deminer reports SYS_ADMIN added on $seen of $((n / 2)) weak containers" >&2

hyperfine --style basic -i --warmup 1 --runs "$runs" --export-json "$out/containers.json" \
  -n deminer "$deminer scan --only containers --format json -o /dev/null" \
  -n peer "$peer" >/dev/null
python3 - "$out/containers.json" "$n" "$peer_name" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
d, p = r["deminer"]["median"], r["peer"]["median"]
print(f"bench containers: {n} containers (all running), through Podman's Docker API")
print(f"  deminer scan --only containers   median {d*1000:8.1f} ms  ({d*1000/n:.2f} ms per container; min {r['deminer']['min']*1000:.1f}, max {r['deminer']['max']*1000:.1f})")
print(f"  {sys.argv[3]:<32} median {p*1000:8.1f} ms  ({p*1000/n:.2f} ms per container)")
print(f"  ratio deminer / peer = {d/p:.2f}")
PY
