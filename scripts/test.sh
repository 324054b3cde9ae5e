#!/usr/bin/env bash
# The README's test command: installs what is missing, builds once (Release
# with debug info, warnings as errors, ccache) and runs every test with ctest.
# CI (.ci/run) calls exactly this script.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --with-tests
scripts/check-format.sh

build_dir=${ROBUST_BUILD_DIR:-build}
jobs=$(nproc)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROBUST_WERROR=ON -DROBUST_TESTS=ON
cmake --build "$build_dir" -j "$jobs"

# Unit, integration and end-to-end tests are independent processes on
# ephemeral ports and temp dirs, so they run in parallel.
ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure --timeout 600

# Every codec's libFuzzer target, built with clang, run for 60 s each.
FUZZ_SECONDS=${FUZZ_SECONDS:-60} scripts/fuzz.sh
