#!/usr/bin/env bash
# run_tool.sh TOOL ARGS...: runs TOOL; fails when it is not installed (tools/install-deps, which
# `make test` runs first, installs every tool these tests use, so a missing one is a failed setup).
tool=$1; shift
if ! command -v "$tool" >/dev/null; then
  echo "FAIL: $tool not installed (tools/install-deps installs it)"; exit 1
fi
exec "$tool" "$@"
