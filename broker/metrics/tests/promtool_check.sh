#!/bin/sh
# ctest metrics_promtool_check: Prometheus' own linter on a real scrape.
# Usage: promtool_check.sh <metrics_dump executable>
# Exits 77 (ctest: skipped) when promtool is not installed: it comes with
# Debian's `prometheus` package (scripts/install-deps.sh --with-tests).
set -eu
if ! command -v promtool >/dev/null 2>&1; then
    echo "SKIPPED: promtool not found (apt-get install prometheus)"
    exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" >"$out"
echo "checking $(grep -c '^# TYPE' "$out") families, $(grep -vc '^#' "$out") samples"
promtool check metrics <"$out"
echo "promtool check metrics: ok"
