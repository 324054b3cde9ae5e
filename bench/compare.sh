#!/usr/bin/env bash
# Benchmarks robust-server side by side with its peers and writes
# docs/benchmarks.md (see bench/compare.py for what is measured and how).
#
#   bench/compare.sh [--pairs 3] [--duration 10] [--only a,b] [--out docs/benchmarks.md]
#
# Installs what it needs from Debian (the peers, iperf3, RocksDB's db_bench),
# builds Release binaries in build-bench/ (ccache), then runs. Needs root for
# apt and for raising the open-file limit (10,000 connections and more). Run
# it on a quiet machine: anything else running skews both sides.
set -euo pipefail
cd "$(dirname "$0")/.."

peers=(mosquitto iperf3 rocksdb-tools python3)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "compare.sh: installing ${missing[*]}" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts mosquitto as a service: the benchmark starts its own.
if systemctl is-active --quiet mosquitto 2>/dev/null; then
  echo "compare.sh: note: a mosquitto service is running; it is left alone (it idles)" >&2
fi

# 100,000 connections: many descriptors, and the loopback ephemeral ports.
sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" 2>/dev/null ||
  echo "compare.sh: note: cannot widen net.ipv4.ip_local_port_range (not root?)" >&2

scripts/install-deps.sh >/dev/null
build="build-bench"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DROBUST_TESTS=OFF \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
ninja -C "$build" robust-server robustctl journal_bench >&2

exec python3 bench/compare.py \
  --server "$build/broker/main/robust-server" \
  --robustctl "$build/robustctl/robustctl" \
  --journal-bench "$build/broker/storage/journal_bench" "$@"
