#!/usr/bin/env bash
# The README's run command: installs what is missing, builds a Release
# robust-server and runs it in the foreground on the embedded default
# (MQTT 1883, MQTT over WebSocket 8083, data in ./data). Arguments are passed
# to robust-server, e.g. `scripts/run.sh --data-dir /var/tmp/robust`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DROBUST_TESTS=OFF
targets=(robust-server robustctl)
# The web dashboard (http://localhost:58080/) needs node and npm to build.
if command -v node >/dev/null && command -v npm >/dev/null; then
  targets+=(dashboard)
else
  echo "run.sh: node/npm not found: the dashboard at http://localhost:58080/ is not built" >&2
fi
cmake --build build-release -j "$(nproc)" --target "${targets[@]}"
exec build-release/broker/main/robust-server "$@"
