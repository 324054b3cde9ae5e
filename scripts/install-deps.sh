#!/usr/bin/env bash
# Installs every Debian package robust-server needs to build, run and test.
# Idempotent and non-interactive: packages already present are skipped, and
# apt is only touched when something is missing. Used by both README commands
# and by CI (.ci/run), so a fresh Debian 12 machine needs nothing else.
set -euo pipefail

# Build toolchain and libraries (see ARCHITECTURE.md for why each is here).
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  clang clang-format libclang-rt-14-dev
  librocksdb-dev libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libbz2-dev
  libasio-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libcpp-httplib-dev prometheus-cpp-dev libtomlplusplus-dev libssl-dev
  libwslay-dev libgtest-dev libgmock-dev
  libisal-dev  # CRC32C of Kafka record batches
)
# Third-party clients the end-to-end tests talk to the server with.
test_pkgs=(
  mosquitto mosquitto-clients python3 python3-paho-mqtt python3-pytest
  openssl     # the TLS tests make their throw-away CA and certificates with it
  prometheus  # promtool (checks /metrics and grafana/) and the server test_28 scrapes with
  python3-yaml  # the grafana/ tests read Prometheus configs and alert rules
  kcat python3-confluent-kafka python3-kafka  # Kafka clients
  chromium  # the dashboard's end-to-end test drives it with playwright-core (headless)
)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# mosquitto's package enables a system service on port 1883; the tests start
# their own brokers on ephemeral ports, and the default robust-server wants 1883.
# Likewise prometheus (installed for promtool and the scrape test, which run
# their own instance): its service would hold port 9090.
for svc in mosquitto prometheus; do
  if [[ " ${missing[*]} " == *" $svc "* ]] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
