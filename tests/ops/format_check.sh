#!/usr/bin/env bash
# Every tracked C++ source is formatted as .clang-format says (clang-format 14, from
# tools/install-deps): `make format` fixes what this reports. Needs the git checkout.
set -euo pipefail
cd "${BINDERY_SOURCE:?run through ctest}"
command -v clang-format >/dev/null || { echo "FAIL: clang-format not installed (tools/install-deps installs it)"; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
((${#files[@]} > 0)) || { echo "FAIL: no tracked sources found (not a git checkout?)"; exit 1; }
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "FAIL: ${#bad[@]} of ${#files[@]} files are not clang-formatted (make format fixes them):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "all ${#files[@]} sources clang-formatted"
