#!/usr/bin/env bash
# The fleet playbooks (site, drift, rotate_passwords) against 6 simulated panels
# (4 on a Vobiz trunk, 2 from RingCentral identities), asserting the simulators' state.
set -euo pipefail
web_password="Web-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 6 --vobiz --ringcentral --web-password "$web_password"
WORK="$(dirname "$SIM_STATE")"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
CHECK=(python "$PWD/check_fleet.py" "$SIM_STATE" "$WORK/inventory")
python "$COLLECTION_ROOT/scripts/demo_inventory.py" "$SIM_STATE" "$WORK/inventory" "$web_password"
# Every run's output and the drift reports, searched for every secret of the run on exit
# (simulator.sh: web password and its MD5, SIP and credential passwords, RingCentral tokens),
# also when a step fails.
mkdir "$WORK/logs"
SIM_WATCHED+=("$WORK/logs" "$WORK/drift")
mapfile -t SIM_EXTRA_SECRETS < <(python -c 'import json, sys
group_vars = json.load(open(sys.argv[1]))
print("\n".join(list(group_vars["demo_trunk_passwords"].values()) + [group_vars["sip_fleet_vobiz_auth_token"]]))' \
    "$WORK/inventory/group_vars/panels.yml")
control="$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["control"])' "$SIM_STATE")"
post() { python - "$control$1" "$2" <<'PY'
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST',
                                              headers={'Content-Type': 'application/json'})).read()
PY
}
# One credential outside the fleet's scope (must survive purge), one stale inside it (must go).
post /targets/vobiz/credentials '{"username": "othersite1", "password": "other-pass-1"}'
post /targets/vobiz/credentials '{"username": "demostale1", "password": "stale-pass-1"}'
runs=0
drift_failed=0
playbook() {
    runs=$((runs + 1))
    ansible-playbook -i "$WORK/inventory" "$@" > "$WORK/logs/run-$runs.log" || { cat "$WORK/logs/run-$runs.log"; exit 1; }
    cp "$WORK/logs/run-$runs.log" "$WORK/last.log"
}
clear_log() { python -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/log", method="DELETE"))' "$control"; }

echo "== site.yml provisions the fleet from an account without a trunk"
clear_log
playbook "$PLAYBOOKS/site.yml" -vvv
"${CHECK[@]}" recap "$WORK/last.log" panel-001 panel-002 panel-003 panel-004 panel-005 panel-006
"${CHECK[@]}" converged
# the four Vobiz panels' credentials created (a description is set by a PUT: the create takes a user
# name and password only), one trunk, the stale credential in scope deleted
"${CHECK[@]}" vobiz-requests 'POST /credentials=4' 'POST /trunks=1' 'DELETE /credentials/ID=1'
"${CHECK[@]}" panel-writes panel-001=1 panel-002=1 panel-003=1 panel-004=1 panel-005=1 panel-006=1

echo "== site.yml again changes nothing and only reads"
clear_log
playbook "$PLAYBOOKS/site.yml"
"${CHECK[@]}" recap "$WORK/last.log"
"${CHECK[@]}" no-writes

echo "== drift.yml reports exactly the two panels changed out of band"
python - "$control" <<'PY'
import json, sys, urllib.request
for name, change in (('panel-002', {'proxy': 'sip:rogue.example.net'}), ('panel-006', {'realm': 'pbx.example.com'})):
    urllib.request.urlopen(urllib.request.Request('%s/targets/%s/state' % (sys.argv[1], name), method='PATCH',
                           data=json.dumps(change).encode(), headers={'Content-Type': 'application/json'})).read()
PY
clear_log
SIPFLEET_DRIFT_REPORT_DIR="$WORK/drift" ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report \
    playbook "$PLAYBOOKS/drift.yml" --check --diff
# A wrong drift report fails the target at its end: the steps below still run and assert.
"${CHECK[@]}" drift "$WORK/drift/drift.json" panel-002 panel-006 || drift_failed=1
"${CHECK[@]}" no-writes
playbook "$PLAYBOOKS/site.yml"
"${CHECK[@]}" recap "$WORK/last.log" panel-002 panel-006
"${CHECK[@]}" converged

echo "== rotate_passwords.yml: one panel, then all"
python - "$WORK/inventory/group_vars/panels.yml" "$WORK/new-passwords.json" <<'PY'
import json, secrets, sys
old = json.load(open(sys.argv[1]))['demo_trunk_passwords']
json.dump({'demo_trunk_passwords': dict((h, 'New-' + secrets.token_hex(6)) for h in old)}, open(sys.argv[2], 'w'))
PY
mapfile -t -O "${#SIM_EXTRA_SECRETS[@]}" SIM_EXTRA_SECRETS < <(python -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["demo_trunk_passwords"].values()))' "$WORK/new-passwords.json")
jq_one="$WORK/new-one.json"
python - "$WORK/inventory/group_vars/panels.yml" "$WORK/new-passwords.json" "$jq_one" <<'PY'
import json, sys
passwords = json.load(open(sys.argv[1]))['demo_trunk_passwords']
passwords['panel-001'] = json.load(open(sys.argv[2]))['demo_trunk_passwords']['panel-001']
json.dump({'demo_trunk_passwords': passwords}, open(sys.argv[3], 'w'))
PY
playbook "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panel-001 -e "@$jq_one"
"${CHECK[@]}" recap "$WORK/last.log" panel-001
"${CHECK[@]}" converged "$jq_one"
grep -q '"credentials rotated: demopanel001"' "$WORK/last.log" \
    || python -c 'import sys; sys.exit("the rotation report does not name demopanel001 alone")'
grep -q '"panels rotated: panel-001"' "$WORK/last.log" \
    || python -c 'import sys; sys.exit("the rotation report does not name panel-001 alone")'
playbook "$PLAYBOOKS/rotate_passwords.yml" -e "@$WORK/new-passwords.json"
"${CHECK[@]}" recap "$WORK/last.log" panel-001 panel-002 panel-003 panel-004 panel-005 panel-006
"${CHECK[@]}" converged "$WORK/new-passwords.json"

echo "== rotate_passwords.yml with no gap: panel-001 moves to a new credential, the trunk with it"
mkdir -p "$WORK/inventory/host_vars"
echo '{"sip_fleet_credential_generation": 1}' > "$WORK/inventory/host_vars/panel-001.json"
python - "$WORK/inventory/group_vars/panels.yml" "$WORK/new-passwords.json" "$WORK/gen1.json" <<'PY'
import json, sys
group_vars = json.load(open(sys.argv[1]))
passwords = json.load(open(sys.argv[2]))['demo_trunk_passwords']
passwords['panel-001'] = 'Gen1-' + passwords['panel-001']
trunk = dict(group_vars['sip_fleet_vobiz_trunk'], credential='demopanel001-g1')
json.dump({'demo_trunk_passwords': passwords, 'sip_fleet_vobiz_trunk': trunk}, open(sys.argv[3], 'w'))
PY
mapfile -t -O "${#SIM_EXTRA_SECRETS[@]}" SIM_EXTRA_SECRETS < <(python -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["demo_trunk_passwords"].values()))' "$WORK/gen1.json")
clear_log
playbook "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panel-001 -e sip_fleet_rotate_mode=new_credential -e "@$WORK/gen1.json"
"${CHECK[@]}" recap "$WORK/last.log" panel-001
python - "$control" "$WORK/gen1.json" <<'PY'
import json, sys, urllib.request
control, passwords = sys.argv[1], json.load(open(sys.argv[2]))['demo_trunk_passwords']
vobiz = json.load(urllib.request.urlopen(control + '/targets/vobiz/state'))
panel = json.load(urllib.request.urlopen(control + '/targets/panel-001/state'))
log = [e for e in json.load(urllib.request.urlopen(control + '/log')) if e['target'] in ('vobiz', 'panel-001')
       and e['method'] in ('POST', 'PUT', 'DELETE') and not e['path'].endswith('/login')]
credentials = dict((c['username'], c) for c in vobiz['credentials'])
new = credentials.get('demopanel001-g1')
assert new and new['password'] == passwords['panel-001'], 'no new credential with the new password'
assert 'demopanel001' not in credentials, 'the old credential was not deleted'
assert vobiz['trunks'][0]['credential_uuid'] == new['id'], 'the trunk does not hold the new credential'
assert panel['user'] == 'demopanel001-g1' and panel['password'] == passwords['panel-001'], 'panel not moved'
order = ['%s %s' % (e['method'], e['target'] if e['target'] != 'vobiz' else e['path'].split('/MA_SIMUL001')[-1][:12])
         for e in log]
steps = [next(i for i, o in enumerate(order) if o.startswith(step))
         for step in ('POST /credential', 'PUT /trunks/', 'POST panel-001', 'DELETE /credential')]
assert steps == sorted(steps) and steps[-1] == len(order) - 1, order
print('no-gap rotation: create, attach, move the panel, delete the old credential: %s' % ', '.join(order))
PY
clear_log
playbook "$PLAYBOOKS/site.yml" -e "@$WORK/gen1.json"
"${CHECK[@]}" recap "$WORK/last.log"
"${CHECK[@]}" no-writes

echo "== no secret of the run in any output (site.yml at -vvv) or drift report"
for path in "${SIM_WATCHED[@]}"; do
    assert_no_secrets "$path" "${SIM_EXTRA_SECRETS[@]}"
done
[ "$drift_failed" = 0 ] || { echo "the drift report did not name exactly panel-002 and panel-006 (above)" >&2; exit 1; }
