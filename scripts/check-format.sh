#!/usr/bin/env bash
# Fails when a tracked C++ file differs from .clang-format (STYLE.md:
# "checked in CI"). Fix with: clang-format -i <file>.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(git ls-files '*.cc' '*.h')
if ((${#bad[@]})); then
  printf 'clang-format would change:\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  printf 'Run: clang-format -i %s\n' "${bad[*]}" >&2
  exit 1
fi
echo "format: all $(git ls-files '*.cc' '*.h' | wc -l) C++ files match .clang-format"
