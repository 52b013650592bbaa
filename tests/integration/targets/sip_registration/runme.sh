#!/usr/bin/env bash
# Panels that really register: 6 simulated panels (4 on a Vobiz trunk, 2 from RingCentral
# identities; UDP and TCP) with a SIP user agent each, against a real registrar (Kamailio
# on loopback, tests/registrar). Everything is asserted from the registrar's own location
# table: site.yml registers every panel; rotate_passwords.yml leaves none unregistered for
# longer than one refresh; a wrong realm is refused.
set -euo pipefail
started=$(date +%s)
# registration_interval 300 s (demo inventory) x 0.05: the panels register for 15 s, refresh every 9 s
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 6 --vobiz --ringcentral --registrar --registrar-scale 0.05
WORK="$(dirname "$SIM_STATE")"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
export COLLECTION_ROOT
CHECK=(python "$PWD/check_registration.py" "$SIM_STATE")
python "$COLLECTION_ROOT/scripts/demo_inventory.py" "$SIM_STATE" "$WORK/inventory"
ctl="$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["registrar"]["ctl"])' "$SIM_STATE")"
mkdir -p "$WORK/inventory/host_vars"
echo '{"sip_fleet_transport": "tcp"}' > "$WORK/inventory/host_vars/panel-002.yml"
echo '{"sip_fleet_ringcentral_transport": "TCP"}' > "$WORK/inventory/host_vars/panel-006.yml"
playbook() { ansible-playbook -i "$WORK/inventory" "$@" > "$WORK/last.log" || { cat "$WORK/last.log"; exit 1; }; }

echo "== site.yml: every panel registered"
playbook "$PLAYBOOKS/site.yml"
"${CHECK[@]}" registered
playbook "$PWD/registration_seen.yml"
echo "basip_sip_info reads every panel as registered"

echo "== rotate_passwords.yml on the group panels, the registrar watched"
python - "$WORK/inventory/group_vars/panels.yml" "$WORK/new-passwords.json" <<'PY'
import json, secrets, sys
old = json.load(open(sys.argv[1]))['demo_trunk_passwords']
json.dump({'demo_trunk_passwords': dict((h, 'New-' + secrets.token_hex(6)) for h in old)}, open(sys.argv[2], 'w'))
PY
# bounded by --seconds should this script stop early
(cd "$COLLECTION_ROOT" && exec python -m tests.registrar watch --ctl "$ctl" --out "$WORK/gaps.json" --interval 0.1 --seconds 120) &
WATCH_PID=$!
playbook "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panels -e "@$WORK/new-passwords.json"
"${CHECK[@]}" fresh "$(python -c 'import time; print(time.time())')"  # the old passwords are void by now
sleep 1
kill "$WATCH_PID"
wait "$WATCH_PID" || true
"${CHECK[@]}" gaps "$WORK/gaps.json"

echo "== a wrong realm (the trunk domain's bare suffix) is refused by the registrar"
playbook "$PLAYBOOKS/site.yml" --limit panel-001 -e sip_fleet_vobiz_realm=sip.vobiz.ai -e "@$WORK/new-passwords.json"
"${CHECK[@]}" registered --not panel-001
"${CHECK[@]}" refused panel-001 "is not the configured realm sip.vobiz.ai"
playbook "$PWD/registration_seen.yml" -e '{"refused": ["panel-001"]}'
echo "basip_sip_info reads panel-001 as not registered, the others as registered"
playbook "$PLAYBOOKS/site.yml" --limit panel-001 -e "@$WORK/new-passwords.json"
"${CHECK[@]}" registered

echo "sip_registration: $(( $(date +%s) - started )) s"
