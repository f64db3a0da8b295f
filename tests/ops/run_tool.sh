#!/usr/bin/env bash
# run_tool.sh TOOL ARGS...: runs TOOL, or exits 77 (ctest skip) when it is not installed.
tool=$1; shift
if ! command -v "$tool" >/dev/null; then
  echo "SKIP: $tool not installed (tools/install-deps installs it)"; exit 77
fi
exec "$tool" "$@"
