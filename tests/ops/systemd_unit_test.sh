#!/usr/bin/env bash
# conf/systemd/bindery.service: `systemd-analyze verify` finds no error and no warning (unknown
# keys are only warnings to systemd: a typo in a hardening directive would silently disable it),
# the hardening directives are present, and the offline exposure score stays at or below 2.5.
# The unit is verified with ExecStart pointing at the built binary (verify checks executables).
# Fails where systemd-analyze is missing: tools/install-deps installs it (package systemd).
set -euo pipefail
unit_src="$BINDERY_SOURCE/conf/systemd/bindery.service"
if ! command -v systemd-analyze >/dev/null; then
  echo "FAIL: systemd-analyze not installed (tools/install-deps installs systemd)"; exit 1
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/bindery|$BINDERY|g" "$unit_src" > "$work/bindery.service"
if ! out=$(cd "$work" && systemd-analyze verify --man=no "$work/bindery.service" 2>&1); then
  echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1
fi
if [[ -n $out ]]; then
  echo "FAIL: systemd-analyze verify warned:"; echo "$out"; exit 1
fi
for directive in 'User=bindery' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
                 'PrivateTmp=yes' 'StateDirectory=bindery' 'LogsDirectory=bindery' \
                 'CapabilityBoundingSet=$' 'RestrictAddressFamilies=' 'SystemCallFilter=@system-service' \
                 'ExecReload=/bin/kill -HUP \$MAINPID' 'WorkingDirectory=/var/lib/bindery'; do
  grep -Eq "^$directive" "$unit_src" || { echo "FAIL: $directive missing from the unit"; exit 1; }
done
# Offline security assessment (systemd >= 250): exit status non-zero above the threshold.
if systemd-analyze security --help 2>/dev/null | grep -q -- '--threshold'; then
  if ! score=$(systemd-analyze security --offline=yes --threshold=25 --no-pager \
                 "$work/bindery.service" 2>&1); then
    echo "FAIL: exposure above 2.5:"; echo "$score" | tail -5; exit 1
  fi
  echo "$score" | grep 'Overall exposure'
fi
echo "ok"
