#!/usr/bin/env bash
# The peer half of the single-bind benchmark (called by bench/run after bindery-smpp-load):
# node-smpp 0.5.1's client, one bind, window 1/10/100/500, the same message count, against its
# own bindery-smsc-sim started the same way; writes OUT/node-smpp-window-<w>.json
# ({"submits_per_second", "latency_us": {p50, p99}}), which bench/report.py sets beside Bindery's.
#   bench/node_smpp.sh BUILD_DIR OUT_DIR [COUNT]
set -euo pipefail
BUILD=$(cd "${1:?usage: node_smpp.sh BUILD_DIR OUT_DIR [COUNT]}" && pwd)
OUT=${2:?usage: node_smpp.sh BUILD_DIR OUT_DIR [COUNT]}
COUNT=${3:-100000}
HERE=$(cd "$(dirname "$0")" && pwd)
"$HERE/../tests/interop/run.sh" setup "$BUILD" >/dev/null
export NODE_PATH="$HERE/../tools/node/node_modules"
WORK=$(mktemp -d)
"$BUILD/tools/smsc-sim/bindery-smsc-sim" --listen 127.0.0.1:0 --port-file "$WORK/port" > "$OUT/smsc-sim-node.log" 2>/dev/null &
SIMPID=$!
trap 'kill $SIMPID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
for w in 1 10 100 500; do
  echo "== node-smpp one bind, window $w"
  timeout 300 node "$HERE/node_smpp_load.js" "$(cat "$WORK/port")" "$w" "$COUNT" | tee "$OUT/node-smpp-window-$w.json"
done
