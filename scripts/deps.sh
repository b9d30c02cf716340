#!/usr/bin/env bash
# Installs the Debian 12 packages deminer needs to build, test and benchmark.
# Idempotent: packages already present are not touched, and apt is not even
# consulted when nothing is missing. Runs as root, or through sudo.
#
#   scripts/deps.sh            build + test packages
#   scripts/deps.sh --bench    also the peers the benchmarks compare against
set -euo pipefail

build=(build-essential cmake ninja-build pkg-config
       libcli11-dev libfmt-dev nlohmann-json3-dev libyaml-cpp-dev
       libssl-dev libcurl4-openssl-dev libvectorscan-dev libyara-dev zlib1g-dev libsqlite3-dev libarchive-dev
       libpq-dev libhiredis-dev libdtl-dev libsimdjson-dev)
test=(libgtest-dev libgmock-dev python3-jsonschema
      clang-16 libclang-rt-16-dev clang-tidy-16 clang-format-16
      podman runc busybox-static iproute2 procps util-linux e2fsprogs postgresql
      systemd-journal-remote nftables containernetworking-plugins iptables
      docker-compose redis-server socat chromium chromium-driver)
bench=(libbenchmark-dev hyperfine procps iproute2 yara ripgrep grep)

want=("${build[@]}" "${test[@]}")
# The npm tests install real packages from the registry with the machine's npm.
command -v npm >/dev/null || want+=(npm)
if [[ "${1:-}" == "--bench" ]]; then
  want+=("${bench[@]}")
fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Only refresh the package lists when they are absent or older than a day.
if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]]; then
  "${sudo[@]}" apt-get update -qq
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
