#!/usr/bin/env bash
# Long fuzzing runs (`make fuzz`): each target in TARGETS (default: every fuzz/<name>_fuzz.cpp) runs
# for SECONDS with JOBS libFuzzer workers, one target after another, in BUILD (the `fuzz` preset:
# clang 14 -O2 + ASan + UBSan). Each target's corpus grows in BUILD/work/<name>/corpus, seeded from
# the checked-in fuzz/corpus/<name>/ and kept between runs, so a second run carries on where the
# first stopped. A crash stops the run with exit 1 and leaves the input in
# BUILD/work/<name>/artifacts/; copy it into fuzz/corpus/<name>/ once fixed, so the replay test
# keeps it fixed.
#   fuzz/run-long.sh BUILD SECONDS JOBS [TARGET ...]
set -euo pipefail
BUILD=$(cd "${1:?usage: run-long.sh BUILD SECONDS JOBS [TARGET ...]}" && pwd)
SECONDS_PER=${2:?seconds per target}
JOBS=${3:?jobs}
shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$HERE"/*_fuzz.cpp; do n=$(basename "$f"); targets+=("${n%_fuzz.cpp}"); done
fi
for name in "${targets[@]}"; do
  bin="$BUILD/fuzz/fuzz_$name"
  [[ -x $bin ]] || { echo "no fuzz target '$name' ($bin)"; exit 2; }
  work="$BUILD/work/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -n "$HERE/corpus/$name/"* "$work/corpus/" 2>/dev/null || true
  echo "== fuzz_$name: ${SECONDS_PER}s, $JOBS job(s), corpus $work/corpus ($(ls "$work/corpus" | wc -l) files)"
  # -jobs runs workers in the background and writes fuzz-<n>.log; wait for all of them.
  rc=0
  if ((JOBS > 1)); then
    (cd "$work" && "$bin" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 \
      -jobs="$JOBS" -workers="$JOBS" -artifact_prefix="$work/artifacts/" "$work/corpus") || rc=$?
  else
    "$bin" -max_total_time="$SECONDS_PER" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/" "$work/corpus" || rc=$?
  fi
  if ((rc != 0)) || compgen -G "$work/artifacts/*" >/dev/null; then
    echo "fuzz_$name failed (exit $rc); input(s) in $work/artifacts: $(ls "$work/artifacts")"; exit 1
  fi
done
echo "fuzzing done: ${targets[*]}"
