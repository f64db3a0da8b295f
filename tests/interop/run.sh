#!/usr/bin/env bash
# Interop with node-smpp 0.5.1 (a real third-party SMPP stack), both directions:
#   1. node-smpp ESME  -> bindery-smsc-sim (Bindery's SmppServer/Session, SMSC role)
#   2. bindery-smpp-load (BindPool/ClientBind, ESME role) -> node-smpp SMSC
# usage: tests/interop/run.sh BUILD_DIR     (needs node + npm; installs smpp@0.5.1 into a temp dir)
# Not part of ctest. Part 1 was run against this tree; part 2 (node-smpp server) is unverified.
set -euo pipefail
BUILD=${1:?usage: run.sh BUILD_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$WORK" && npm install --silent --no-audit --no-fund smpp@0.5.1 >/dev/null)
export NODE_PATH="$WORK/node_modules"

# 1. node-smpp client against the simulator.
"$BUILD/tools/smsc-sim/bindery-smsc-sim" --listen 127.0.0.1:0 --port-file "$WORK/port" --dlr-delay 10 \
  > "$WORK/sim.json" 2> "$WORK/sim.err" &
SIM=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
node "$HERE/node_client.js" "$(cat "$WORK/port")"
kill -TERM $SIM; wait $SIM
grep -q '"receipts_delivered":1' "$WORK/sim.json" || { echo "FAIL: simulator counters: $(cat "$WORK/sim.json")"; exit 1; }
echo "OK simulator counters: $(cat "$WORK/sim.json")"

# 2. Bindery's client side against a node-smpp server.
coproc NODESRV { node "$HERE/node_server.js"; }
read -r -t 10 PORT <&"${NODESRV[0]}"
"$BUILD/tools/smsc-sim/bindery-smpp-load" --connect "127.0.0.1:$PORT" --binds 2 --window 10 --count 200 \
  --receipt-every 1 | tee "$WORK/load.json"
grep -q '"ok":200,"failed":0' "$WORK/load.json" || { echo "FAIL: load"; exit 1; }
kill -TERM "$NODESRV_PID"
read -r -t 10 COUNTS <&"${NODESRV[0]}" || true
echo "OK node-smpp server counters: $COUNTS"
echo "interop OK"
