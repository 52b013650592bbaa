#!/usr/bin/env bash
# What the fleet playbooks must never do, on 4 simulated panels (2 on a Vobiz trunk, 2 from
# RingCentral identities): purge only deletes credentials that no Vobiz panel of the
# inventory owns, and only when the play holds all of them with nothing failed; booleans
# given as strings (-e key=value, surveys) mean what they say; drift.yml never asks
# RingCentral for an identity, even without --check; a bad RingCentral device id fails
# before any request; a Vobiz 401 stops the Vobiz panels only; the example inventory works
# for its RingCentral panel. Every output and drift report file is searched for every secret
# of the run (simulator.sh), whether the script passes or fails.
set -euo pipefail
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
web_password="Web-$(rand)"
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 4 --vobiz --ringcentral --web-password "$web_password"
WORK="$(dirname "$SIM_STATE")"
LOGS="$WORK/logs"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
INVENTORY="$WORK/inventory"
mkdir "$LOGS"
bad_token="Bad-$(rand)"
SIM_WATCHED+=("$LOGS" "$WORK/drift")
SIM_EXTRA_SECRETS+=(sim-token "$bad_token")
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
check() { "$python" check_safety.py "$SIM_STATE" "$@"; }
"$python" "$COLLECTION_ROOT/scripts/demo_inventory.py" "$SIM_STATE" "$INVENTORY" "$web_password"
mapfile -t trunk_passwords < <("$python" -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["demo_trunk_passwords"].values()))' "$INVENTORY/group_vars/panels.yml")
SIM_EXTRA_SECRETS+=("${trunk_passwords[@]}")
# shellcheck source=../setup_simulator/fleet_run.sh
source ../setup_simulator/fleet_run.sh
control="$SIM_CONTROL"
site() { playbook "$1" "$2" -i "$INVENTORY" "$PLAYBOOKS/site.yml" "${@:3}"; }
vobiz_panels_ok=(panel-001=ok panel-002=ok)
ringcentral_ok=(panel-003=ok panel-004=ok)

echo "== the example inventory provisions its RingCentral panel garage-1 (no vault entry for it)"
"$python" - "$SIM_STATE" "$web_password" "$WORK/example.json" <<'PY'
import json, sys, urllib.request
fleet = json.load(open(sys.argv[1]))
rc = json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
    fleet['control'] + '/targets/ringcentral/state'))
targets = fleet['targets']
json.dump({'sip_fleet_panel_api_url': targets['panel-003'], 'vault_panel_web_password': sys.argv[2],
           'sip_fleet_vobiz_api_url': targets['vobiz'], 'sip_fleet_ringcentral_server_url': targets['ringcentral'],
           'vault_ringcentral_client_id': rc['client_id'], 'vault_ringcentral_client_secret': rc['client_secret'],
           'vault_ringcentral_jwt': rc['jwt']}, open(sys.argv[3], 'w'))
PY
playbook 0 example -i "$PLAYBOOKS/inventories/example" "$PLAYBOOKS/site.yml" --limit garage-1 -e "@$WORK/example.json"
check recap "$LOGS/example.log" garage-1=changed
check panel panel-003 realm sip.ringcentral.com
check requests vobiz '*' / 0

echo "== site.yml provisions the fleet; purge deletes a stale credential in scope only"
call POST /targets/vobiz/credentials '{"username": "othersite1", "password": "Other-pass-1"}'
call POST /targets/vobiz/credentials '{"username": "demostale0", "password": "Stale-pass-0"}'
site 0 site  # panel-003 holds its identity from the example run
check recap "$LOGS/site.log" panel-001=changed panel-002=changed panel-003=ok panel-004=changed
check credentials demopanel001 demopanel002 othersite1 -- demostale0

echo "== booleans given as strings (-e key=value, surveys): false means false"
call POST /targets/vobiz/credentials '{"username": "demostale1", "password": "Stale-pass-1"}'
call DELETE /log
site 0 false-strings -e sip_fleet_vobiz_purge=false -e sip_fleet_rotate=false -e sip_fleet_ringcentral_refresh=false
check recap "$LOGS/false-strings.log" "${vobiz_panels_ok[@]}" "${ringcentral_ok[@]}"
check credentials demopanel001 demopanel002 demostale1
check no-writes
check requests ringcentral POST sip-provision 0

echo "== a panel that fails before its credential task: nothing is purged, its credential stays"
"$python" - "$INVENTORY/group_vars/panels.yml" "$WORK/no-panel-002.json" <<'PY'
import json, sys
passwords = json.load(open(sys.argv[1]))['demo_trunk_passwords']
del passwords['panel-002']
json.dump({'demo_trunk_passwords': passwords}, open(sys.argv[2], 'w'))
PY
call DELETE /log
site 2 missing-vault-entry -e "@$WORK/no-panel-002.json"
check recap "$LOGS/missing-vault-entry.log" panel-001=ok panel-002=failed "${ringcentral_ok[@]}"
check credentials demopanel001 demopanel002 demostale1
check no-writes
check requests panel-002 '*' / 0
grep -q 'nothing is purged: hosts that failed their checks: panel-002' "$LOGS/missing-vault-entry.log" \
    || { echo "no message saying why purge was skipped" >&2; exit 1; }
grep -qE "^fatal: \[panel-002\]: FAILED! .*panel-002: sip_fleet_trunk_password cannot be evaluated" \
    "$LOGS/missing-vault-entry.log" || { echo "panel-002's error does not name it and its variable" >&2; exit 1; }

echo "== a play that leaves a Vobiz panel of the inventory out (host pattern, no --limit) purges nothing"
playbook 0 one-panel -i "$INVENTORY" one_panel.yml
check recap "$LOGS/one-panel.log" panel-001=ok "${ringcentral_ok[@]}"
check credentials demopanel001 demopanel002 demostale1
grep -q 'without their credential in this play: panel-002' "$LOGS/one-panel.log" \
    || { echo "no message saying why purge was skipped" >&2; exit 1; }

echo "== an inventory of RingCentral panels only purges nothing and sends Vobiz nothing"
mkdir -p "$WORK/rc-only/group_vars"
cp "$INVENTORY/group_vars/panels.yml" "$WORK/rc-only/group_vars/"
grep -v '^panel-00[12] ' "$INVENTORY/hosts" > "$WORK/rc-only/hosts"
call DELETE /log
playbook 0 rc-only -i "$WORK/rc-only" "$PLAYBOOKS/site.yml"
check recap "$LOGS/rc-only.log" "${ringcentral_ok[@]}"
check requests vobiz '*' / 0
check credentials demopanel001 demopanel002 demostale1

echo "== AWX job slicing: two slices of half the inventory each delete nothing"
for slice in 1 2; do
    mkdir -p "$WORK/slice$slice/group_vars"
    cp "$INVENTORY/group_vars/panels.yml" "$WORK/slice$slice/group_vars/"
    { echo '[panels]'; grep -E "^panel-00($slice|$((slice + 2))) " "$INVENTORY/hosts"; } > "$WORK/slice$slice/hosts"
    playbook 0 "slice$slice" -i "$WORK/slice$slice" "$PLAYBOOKS/site.yml" \
        -e awx_job_slice_number=$slice -e awx_job_slice_count=2
    grep -q "nothing is purged: this play is job slice $slice of 2" "$LOGS/slice$slice.log" \
        || { echo "slice $slice: no message saying why purge was refused" >&2; exit 1; }
    check credentials demopanel001 demopanel002 othersite1 demostale1
done
check requests vobiz DELETE / 0

echo "== the whole inventory, nothing failed: purge deletes the stale credential"
site 0 purge
check recap "$LOGS/purge.log" panel-001=changed panel-002=ok "${ringcentral_ok[@]}"  # the run-once task's host
check credentials demopanel001 demopanel002 othersite1 -- demostale1

echo "== drift.yml without --check, on a RingCentral panel changed out of band: no sip-provision"
call PATCH /targets/panel-004/state '{"realm": "pbx.example.com"}'
call PATCH /targets/ringcentral/options '{"rotate_password": true}'
issued="$("$python" -c 'import json,sys,urllib.request
print(len(json.load(urllib.request.urlopen(sys.argv[1] + "/targets/ringcentral/state"))["issued"]["authorization_ids"]))' "$control")"
call DELETE /log
SIPFLEET_DRIFT_REPORT_DIR="$WORK/drift" ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report \
    playbook 0 drift -i "$INVENTORY" "$PLAYBOOKS/drift.yml" --diff
check requests ringcentral POST sip-provision 0
check no-writes
check ringcentral-issued "$issued"
check panel panel-004 realm pbx.example.com
playbook 2 drift-enforce -i "$INVENTORY" "$PLAYBOOKS/drift.yml" -e sip_fleet_mode=enforce -e sip_fleet_ringcentral_refresh=true
check requests ringcentral POST sip-provision 0
check no-writes

echo "== -e sip_fleet_ringcentral_refresh=true: a fresh identity for each RingCentral panel"
call DELETE /log
site 0 refresh -e sip_fleet_ringcentral_refresh=true -vvv
check recap "$LOGS/refresh.log" "${vobiz_panels_ok[@]}" panel-003=changed panel-004=changed
check requests ringcentral POST sip-provision 2
check panel panel-004 realm sip.ringcentral.com

echo "== a Vobiz 401 in the credentials task stops the Vobiz panels only"
site 2 vobiz-401 -e "sip_fleet_vobiz_auth_token=$bad_token" -vvv
check recap "$LOGS/vobiz-401.log" panel-001=failed panel-002=failed "${ringcentral_ok[@]}"
check task "$LOGS/vobiz-401.log" "The panel's SIP settings" panel-001=fatal panel-002=fatal panel-003=ok panel-004=ok
grep -qE '"msg": ".*panel-001: the trunk credentials or the trunk could not be ensured: .*HTTP 401' \
    "$LOGS/vobiz-401.log" || { echo "panel-001's error does not give the Vobiz reason" >&2; exit 1; }

echo "== bad RingCentral device ids fail before any request"
"$python" - "$INVENTORY/group_vars/panels.yml" "$SIM_STATE" "$WORK/bad-ids.yml" <<'PY'
import json, sys
group_vars = json.load(open(sys.argv[1]))
del group_vars['sip_fleet_trunk_password']  # RingCentral panels have none
url = json.load(open(sys.argv[2]))['targets']['panel-003']
ids = {'bad-empty': '', 'bad-letters': 'abc', 'bad-path': '../..', 'bad-newline': '802398804016\n',
       'bad-space': ' 802398804016', 'bad-long': '9' * 100000, 'bad-number': 8.5}
hosts = dict((name, {'sip_fleet_ringcentral_device_id': value}) for name, value in ids.items())
hosts['bad-missing'] = {}
for host in hosts.values():
    host.update(sip_fleet_source='ringcentral', sip_fleet_panel_api_url=url)
json.dump({'all': {'children': {'panels': {'vars': group_vars, 'hosts': hosts}}}}, open(sys.argv[3], 'w'))
PY
call DELETE /log
playbook 2 bad-ids -i "$WORK/bad-ids.yml" "$PLAYBOOKS/site.yml"
check recap "$LOGS/bad-ids.log" bad-empty=failed bad-letters=failed bad-path=failed bad-newline=failed \
    bad-space=failed bad-long=failed bad-number=failed bad-missing=failed
check requests '*' '*' / 0
for host in bad-empty bad-letters bad-path bad-newline bad-space bad-long bad-number bad-missing; do
    grep -E "^fatal: \[$host\]: FAILED! .*sip_fleet_ringcentral_device_id" "$LOGS/bad-ids.log" > /dev/null \
        || { echo "$host: the error does not name sip_fleet_ringcentral_device_id" >&2; exit 1; }
done
echo "every bad device id refused, naming sip_fleet_ringcentral_device_id, before any request"

# On exit (simulator.sh), every output and drift report is searched for every secret of the run.
