#!/usr/bin/env bash
# `make install` into a DESTDIR with a non-default PREFIX: the conventional layout, paths in the
# installed unit rewritten to the PREFIX (never to DESTDIR), an operator's edited configuration
# kept on reinstall, and the installed binary able to check the installed configuration.
set -euo pipefail
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dest="$work/root"
fail() { echo "FAIL: $*"; exit 1; }
run_install() {
  make -s -C "$BINDERY_SOURCE" install DESTDIR="$dest" PREFIX=/opt/bindery BINDERY_BIN="$BINDERY" \
    > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "make install"; }
}
run_install
[[ -x $dest/opt/bindery/bin/bindery ]] || fail "bin/bindery"
cmp -s "$BINDERY" "$dest/opt/bindery/bin/bindery" || fail "bin/bindery differs from the build"
[[ -f $dest/etc/bindery/bindery.yaml ]] || fail "/etc/bindery/bindery.yaml"
[[ $(stat -c %a "$dest/etc/bindery/bindery.yaml") == 640 ]] || fail "bindery.yaml mode"
[[ -d $dest/var/lib/bindery ]] || fail "/var/lib/bindery"
[[ -d $dest/var/log/bindery ]] || fail "/var/log/bindery"
unit="$dest/opt/bindery/lib/systemd/system/bindery.service"
[[ -f $unit ]] || fail "systemd unit"
grep -q '^ExecStart=/opt/bindery/bin/bindery serve --config /etc/bindery/bindery.yaml$' "$unit" \
  || fail "ExecStart not rewritten to the PREFIX: $(grep ^ExecStart "$unit")"
! grep -q "$dest" "$unit" || fail "DESTDIR leaked into the unit"
! grep -v '^#' "$unit" | grep -q /usr/local || fail "/usr/local left in the unit"
[[ -f $dest/opt/bindery/lib/sysusers.d/bindery.conf ]] || fail "sysusers.d"
[[ -f $dest/etc/logrotate.d/bindery ]] || fail "logrotate"
for f in prometheus.yml alertmanager.yml rules/bindery-alerts.yml rules/bindery-slo.yml grafana/bindery.json; do
  [[ -f $dest/opt/bindery/share/bindery/monitoring/$f ]] || fail "monitoring/$f"
done
[[ -f $dest/opt/bindery/share/doc/bindery/operations.md ]] || fail "doc/operations.md"
# The installed configuration is valid (secrets are the site's, not checked here).
"$dest/opt/bindery/bin/bindery" check-config --no-secrets "$dest/etc/bindery/bindery.yaml" \
  || fail "installed configuration does not check"
# Reinstall keeps the operator's configuration; the new one lands next to it.
echo "# edited by the operator" >> "$dest/etc/bindery/bindery.yaml"
run_install
grep -q 'edited by the operator' "$dest/etc/bindery/bindery.yaml" || fail "configuration overwritten"
[[ -f $dest/etc/bindery/bindery.yaml.new ]] || fail "bindery.yaml.new"
echo ok
