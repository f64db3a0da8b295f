#!/usr/bin/env bash
# Interop with node-smpp 0.5.1 (the npm package `smpp`, an independent SMPP stack), both directions.
# Registered in ctest (label interop) by tests/interop/interop.cmake:
#   run.sh setup  BUILD_DIR   checks that tools/install-deps installed smpp@0.5.1 into
#                             tools/node/node_modules (the fixture; nothing is downloaded here)
#   run.sh client BUILD_DIR   node-smpp ESME -> bindery-smsc-sim (SmppServer, SMSC role):
#                             bind_transceiver, submit_sm, submit_sm_resp id, deliver_sm receipt
#   run.sh server BUILD_DIR   bindery-smpp-load (BindPool/ClientBind, ESME role) -> node-smpp SMSC:
#                             bind, 200 submits over 2 binds, 200 receipts answered, unbind
# Every wait is bounded; exit 0 only on success.
set -euo pipefail
MODE=${1:?usage: run.sh setup|client|server BUILD_DIR}
BUILD=$(cd "${2:?usage: run.sh MODE BUILD_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
export NODE_PATH="$HERE/../../tools/node/node_modules"

if [[ $MODE == setup ]]; then
  command -v node >/dev/null || { echo "FAIL: node missing (tools/install-deps installs it)"; exit 1; }
  if [[ -f $NODE_PATH/smpp/package.json ]] && grep -q '"version": "0.5.1"' "$NODE_PATH/smpp/package.json"; then
    echo "node-smpp 0.5.1 is installed in $NODE_PATH"; exit 0
  fi
  echo "FAIL: node-smpp 0.5.1 is not in $NODE_PATH (tools/install-deps installs it)"; exit 1
fi

SIM="$BUILD/tools/smsc-sim/bindery-smsc-sim"
LOAD="$BUILD/tools/smsc-sim/bindery-smpp-load"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

wait_file() {  # wait_file PATH: up to 20 s for a non-empty file
  for _ in $(seq 200); do [[ -s $1 ]] && return 0; sleep 0.1; done
  echo "FAIL: $1 never written"; return 1
}

case $MODE in
client)
  "$SIM" --listen 127.0.0.1:0 --port-file "$WORK/port" --dlr-delay 10 > "$WORK/sim.json" 2> "$WORK/sim.err" &
  SIMPID=$!; PIDS+=("$SIMPID")
  wait_file "$WORK/port"
  timeout 30 node "$HERE/node_client.js" "$(cat "$WORK/port")"
  kill -TERM "$SIMPID"; wait "$SIMPID"
  cat "$WORK/sim.json"
  grep -q '"submits":1,' "$WORK/sim.json" || { echo "FAIL: simulator saw no submit"; exit 1; }
  grep -q '"receipts_delivered":1' "$WORK/sim.json" || { echo "FAIL: receipt not acknowledged"; exit 1; }
  ;;
server)
  node "$HERE/node_server.js" "$WORK/port" > "$WORK/node.json" 2> "$WORK/node.err" &
  NODEPID=$!; PIDS+=("$NODEPID")
  wait_file "$WORK/port"
  timeout 60 "$LOAD" --connect "127.0.0.1:$(cat "$WORK/port")" --binds 2 --window 10 --count 200 \
    --receipt-every 1 --wait-receipts 1 | tee "$WORK/load.json"
  grep -q '"ok":200,"failed":0' "$WORK/load.json" || { echo "FAIL: submits"; exit 1; }
  grep -q '"receipts":200,' "$WORK/load.json" || { echo "FAIL: receipts"; exit 1; }
  kill -TERM "$NODEPID"
  for _ in $(seq 100); do [[ -s $WORK/node.json ]] && break; sleep 0.1; done
  cat "$WORK/node.json" "$WORK/node.err"
  # node-smpp's own view: both binds, every submit, every receipt answered by Bindery, both unbinds.
  grep -q '"binds":2,"submits":200,"receipts_acked":200,"unbinds":2' "$WORK/node.json" \
    || { echo "FAIL: node-smpp server counters"; exit 1; }
  ;;
*)
  echo "usage: run.sh setup|client|server BUILD_DIR"; exit 2 ;;
esac
echo "interop $MODE OK"
