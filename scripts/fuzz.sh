#!/usr/bin/env bash
# Builds every libFuzzer target (CMake target `fuzz`: the `*_fuzz`
# executables of the codec modules) with clang in its own build directory and
# runs each for FUZZ_SECONDS on a copy of its seed corpus
# tests/fuzz/corpus/<name without _fuzz>/, so the repository is never
# modified. Exits non-zero if a fuzzer finds a crash, leak or violated
# property; the input that did it is kept under <build dir>/fuzz-artifacts/.
# To make it a regression test, copy it into the corpus directory: the
# module's unit test replays every file there.
#
# Only the fuzz targets are built (base + the codecs), so the rest of the
# tree need not compile with clang.
#
#   FUZZ_SECONDS=60 FUZZ_BUILD_DIR=build-fuzz FUZZ_JOBS=2 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}

cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROBUST_FUZZ=ON -DROBUST_TESTS=OFF
cmake --build "$build_dir" -j "$jobs" --target fuzz

mapfile -t fuzzers < <(find "$build_dir" -type f -perm -u+x -name '*_fuzz' | sort)
if ((${#fuzzers[@]} == 0)); then
  echo "fuzz: no *_fuzz executables in $build_dir" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts="$build_dir/fuzz-artifacts"
failed=()

for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer")
  target=${name%_fuzz}
  corpus="$work/corpus/$target"
  mkdir -p "$corpus" "$artifacts/$target"
  if [[ -d "tests/fuzz/corpus/$target" ]]; then
    cp -R "tests/fuzz/corpus/$target/." "$corpus/"
  fi
  log="$artifacts/$target/last-run.log"
  echo "fuzz: $name for ${seconds}s from $(find "$corpus" -type f | wc -l) seed(s)"
  rc=0
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target/" "$corpus" >"$log" 2>&1 || rc=$?
  grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)' \
    "$log" | sed "s/^/fuzz: $name: /" || true
  if ((rc != 0)); then
    echo "fuzz: $name FAILED (exit $rc); log: $log" >&2
    grep -E 'ERROR|SUMMARY|property violated|Test unit written' "$log" >&2 || tail -n 40 "$log" >&2
    failed+=("$name")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#fuzzers[@]} fuzzer(s) ran ${seconds}s without a finding"
