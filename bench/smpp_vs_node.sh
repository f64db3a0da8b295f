#!/usr/bin/env bash
# One SMPP bind against bindery-smsc-sim on loopback, window 1, 10, 100, 500: Bindery's client
# (bindery-smpp-load: BindPool/ClientBind) and node-smpp 0.5.1's client against the same simulator
# with the same window, one after the other; prints submit_sm/s, latency p50/p99 and the ratio.
#   bench/smpp_vs_node.sh BUILD_DIR [COUNT]      (a Release build; node-smpp from tools/install-deps)
set -euo pipefail
BUILD=$(cd "${1:?usage: smpp_vs_node.sh BUILD_DIR [COUNT]}" && pwd)
COUNT=${2:-200000}
HERE=$(cd "$(dirname "$0")" && pwd)
SIM="$BUILD/tools/smsc-sim/bindery-smsc-sim"
LOAD="$BUILD/tools/smsc-sim/bindery-smpp-load"
OUT=${BENCH_OUT:-$BUILD/bench-results}
mkdir -p "$OUT"
"$HERE/../tests/interop/run.sh" setup "$BUILD" >/dev/null
export NODE_PATH="$HERE/../tools/node/node_modules"
WORK=$(mktemp -d)
"$SIM" --listen 127.0.0.1:0 --port-file "$WORK/port" --dlr-delay 100 > "$OUT/smsc-sim.json" 2>/dev/null &
SIMPID=$!
trap 'kill $SIMPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")
field() { sed -E "s/.*\"$2\":([0-9.]+).*/\\1/" <<<"$1"; }
printf '%-7s | %-33s | %-33s | %s\n' window "Bindery: submit/s  p50 us  p99 us" "node-smpp: submit/s  p50 us  p99 us" "ratio"
for w in 1 10 100 500; do
  n=$COUNT; [[ $w == 1 ]] && n=$((COUNT / 10))   # window 1 is latency-bound: fewer messages
  b=$(timeout 300 "$LOAD" --connect "127.0.0.1:$PORT" --binds 1 --window "$w" --count "$n")
  nd=$(timeout 300 node "$HERE/node_smpp_load.js" "$PORT" "$w" "$n")
  echo "$b" > "$OUT/smpp-bindery-window-$w.json"; echo "$nd" > "$OUT/smpp-node-window-$w.json"
  bs=$(field "$b" submits_per_second); ns=$(field "$nd" submits_per_second)
  printf '%-7s | %18s %7s %7s | %20s %7s %7s | %.1fx\n' "$w" "$bs" "$(field "$b" p50)" "$(field "$b" p99)" \
    "$ns" "$(field "$nd" p50)" "$(field "$nd" p99)" "$(awk -v a="$bs" -v b="$ns" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
