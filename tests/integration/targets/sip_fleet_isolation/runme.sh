#!/usr/bin/env bash
# One panel's trouble stays that panel's, and each kind of run writes only what it owns, on 6
# simulated panels (panel-001 to panel-004 on a Vobiz trunk, panel-005 and panel-006 from
# RingCentral identities), asserted from the simulators' request logs and states:
# - two AWX job slices at the same time (ansible-runner, each with its part of the inventory and
#   awx_job_slice_number/awx_job_slice_count) on a fresh Vobiz account create one trunk and
#   converge every panel; the whole job after them changes nothing and only reads;
# - --limit one panel writes that panel only; --check writes nothing anywhere;
# - the workflow split: sip_fleet_part=account sends nothing to any panel, sip_fleet_part=panels
#   writes nothing to the account and converges the fleet;
# - a panel with a null trunk password fails alone, naming itself and the variable: no Vobiz
#   credential and no request for it, every other panel converges;
# - RingCentral's token endpoint answering 503: the Vobiz panels converge, the RingCentral panels
#   that needed an identity fail with the reason and are sent no write.
# Every output and artifact is searched for every secret of the run (simulator.sh), also on failure.
set -euo pipefail
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
web_password="Web-$(rand)"
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 6 --vobiz --ringcentral --web-password "$web_password"
WORK="$(dirname "$SIM_STATE")"
LOGS="$WORK/logs"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
INVENTORY="$WORK/inventory"
pdd="$WORK/runner"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
mkdir "$LOGS"
"$python" -c 'import ansible_runner' 2>/dev/null \
    || { echo "ansible-runner is not installed for $python (tests/integration/requirements.txt)" >&2; exit 1; }
check() { "$python" ../sip_fleet_safety/check_safety.py "$SIM_STATE" "$@"; }
fleet() { "$python" ../sip_fleet/check_fleet.py "$SIM_STATE" "$@"; }
isolation() { "$python" check_isolation.py "$@"; }
# shellcheck source=../setup_simulator/fleet_run.sh
source ../setup_simulator/fleet_run.sh
site() { playbook "$1" "$2" -i "$INVENTORY" "$PLAYBOOKS/site.yml" "${@:3}"; }
inventory_without() {  # DIRECTORY HOST...: the inventory without the HOSTs (for the checks of the others)
    local directory="$1" pattern
    shift
    mkdir -p "$directory/group_vars"
    cp "$INVENTORY/group_vars/panels.yml" "$directory/group_vars/"
    pattern="$(printf '^%s |' "$@")"
    grep -vE "${pattern%|}" "$INVENTORY/hosts" > "$directory/hosts"
}

# The job as AWX hands it to ansible-runner (../ansible_runner), then its two slices.
"$python" ../ansible_runner/private_data_dir.py "$SIM_STATE" "$COLLECTION_ROOT" "$web_password" "$pdd" "$WORK/secrets.json"
marker="marker-$(rand)"
"$python" - "$pdd/env/envvars" "$marker" <<'PY'
import json, sys
envvars = json.load(open(sys.argv[1]))
envvars['SIPFLEET_RUNNER_MARKER'] = sys.argv[2]
json.dump(envvars, open(sys.argv[1], 'w'))
PY
wait_retries=20
"$python" slice_jobs.py "$pdd" 2 "$INVENTORY" \
    "{\"sip_fleet_slice_wait_delay\": 1, \"sip_fleet_slice_wait_retries\": $wait_retries}"
# shellcheck disable=SC2034  # read by simulator.sh on exit
mapfile -t SIM_EXTRA_SECRETS < <("$python" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$WORK/secrets.json")
SIM_WATCHED+=("$LOGS" "$pdd/artifacts" "$pdd-slice1/artifacts" "$pdd-slice2/artifacts")
runner() {  # DIRECTORY IDENT: ansible-runner runs site.yml; its output in $LOGS/IDENT.out
    "$python" -m ansible_runner run "$1" -p site.yml --ident "$2" > "$LOGS/$2.out" 2>&1
}
artifacts() { "$python" ../ansible_runner/check_artifacts.py "$@"; }

echo "== two AWX job slices at the same time on a fresh Vobiz account: one trunk, every panel converged"
# slice 1 creates the trunk slowly (4 s): slice 2 reaches its read of the trunk before it exists
call POST /faults '{"target": "vobiz", "kind": "delay", "delay": 4, "method": "POST", "path": "/api/v1/Account/MA_SIMUL001/trunks", "count": 1}'
call DELETE /log
started=$SECONDS
runner "$pdd-slice1" slice1 & slice1=$!
runner "$pdd-slice2" slice2 & slice2=$!
rc1=0 rc2=0
wait "$slice1" || rc1=$?
wait "$slice2" || rc2=$?
echo "slices: exit $rc1 and $rc2 ($((SECONDS - started)) s)"
[ "$rc1$rc2" = 00 ] || { tail -30 "$LOGS/slice1.out" "$LOGS/slice2.out"; exit 1; }
call DELETE /faults
artifacts "$pdd-slice1" slice1 "$SIM_STATE" "$WORK/secrets.json" "$marker" panel-001 panel-003 panel-005
artifacts "$pdd-slice2" slice2 "$SIM_STATE" "$WORK/secrets.json" "$marker" panel-002 panel-004 panel-006
isolation slice "$pdd-slice1" slice1 1 "$wait_retries"
isolation slice "$pdd-slice2" slice2 2 "$wait_retries"
isolation trunks "$SIM_STATE" demo-panels 1
fleet "$INVENTORY" vobiz-requests 'POST /trunks=1' 'POST /credentials=4' 'DELETE /credentials/ID=0'
fleet "$INVENTORY" converged

echo "== the whole job after the slices changes nothing and only reads"
call DELETE /log
runner "$pdd" whole || { tail -30 "$LOGS/whole.out"; exit 1; }
artifacts "$pdd" whole "$SIM_STATE" "$WORK/secrets.json" "$marker"
check no-writes
fleet "$INVENTORY" converged

echo "== --limit panel-002 writes panel-002 only"
call PATCH /targets/panel-001/state '{"proxy": "sip:rogue.example.net"}'
call PATCH /targets/panel-002/state '{"proxy": "sip:rogue.example.net"}'
call DELETE /log
site 0 limit --limit panel-002
check recap "$LOGS/limit.log" panel-002=changed
fleet "$INVENTORY" panel-writes panel-002=1
for method in POST PUT PATCH DELETE; do check requests vobiz "$method" / 0; done
check requests ringcentral '*' / 0
check panel panel-001 proxy sip:rogue.example.net

echo "== --check on a fresh Vobiz account writes nothing anywhere"
call DELETE /targets/vobiz/state
call DELETE /log
site 0 check --check
check no-writes

echo "== the workflow split on a fresh Vobiz account: the account part sends the panels nothing"
call DELETE /log
site 0 account -e sip_fleet_part=account
for panel in panel-001 panel-002 panel-003 panel-004 panel-005 panel-006; do check requests "$panel" '*' / 0; done
check requests ringcentral '*' / 0
fleet "$INVENTORY" vobiz-requests 'POST /trunks=1' 'POST /credentials=4'
isolation trunks "$SIM_STATE" demo-panels 1
echo "== then the panels part writes the panels only and converges the fleet"
call DELETE /log
site 0 panels -e sip_fleet_part=panels
check recap "$LOGS/panels.log" panel-001=changed panel-002=changed panel-003=changed panel-004=changed \
    panel-005=ok panel-006=ok
fleet "$INVENTORY" panel-writes panel-001=1 panel-002=1 panel-003=1 panel-004=1
for method in POST PUT PATCH DELETE; do check requests vobiz "$method" / 0; done
check requests ringcentral '*' / 0
fleet "$INVENTORY" converged

echo "== a null trunk password fails its panel alone, on a fresh Vobiz account"
call DELETE /targets/vobiz/state
mkdir -p "$INVENTORY/host_vars"
echo 'sip_fleet_trunk_password: null' > "$INVENTORY/host_vars/panel-002.yml"
call DELETE /log
site 2 null-password
check recap "$LOGS/null-password.log" panel-001=changed panel-002=failed panel-003=changed panel-004=changed \
    panel-005=ok panel-006=ok
isolation failed "$LOGS/null-password.log" panel-002 sip_fleet_trunk_password
check requests panel-002 '*' / 0
check credentials demopanel001 demopanel003 demopanel004 -- demopanel002
fleet "$INVENTORY" vobiz-requests 'POST /credentials=3' 'POST /trunks=1'
fleet "$INVENTORY" panel-writes panel-001=1 panel-003=1 panel-004=1
inventory_without "$WORK/without-002" panel-002
fleet "$WORK/without-002" converged
rm "$INVENTORY/host_vars/panel-002.yml"

echo "== RingCentral's token endpoint answers 503: the Vobiz panels converge, the RingCentral panels fail"
call PATCH /targets/panel-003/state '{"proxy": "sip:rogue.example.net"}'
call PATCH /targets/panel-005/state '{"realm": "pbx.example.com"}'
call PATCH /targets/panel-006/state '{"realm": "pbx.example.com"}'
call POST /faults '{"target": "ringcentral", "kind": "status", "status": 503, "method": "POST", "path": "/restapi/oauth/token", "count": 10}'
call DELETE /log
site 2 token-503
call DELETE /faults
check recap "$LOGS/token-503.log" panel-001=changed panel-002=changed panel-003=changed panel-004=ok \
    panel-005=failed panel-006=failed
isolation failed "$LOGS/token-503.log" panel-005 RingCentral 503
isolation failed "$LOGS/token-503.log" panel-006 RingCentral 503
check requests ringcentral POST sip-provision 0
check requests ringcentral POST /restapi/oauth/revoke 0  # no token was had
fleet "$INVENTORY" panel-writes panel-002=1 panel-003=1
inventory_without "$WORK/vobiz-only" panel-005 panel-006
fleet "$WORK/vobiz-only" converged
check panel panel-005 realm pbx.example.com
echo "== RingCentral answers again: the RingCentral panels converge, nothing else changes"
call DELETE /log
site 0 token-back
check recap "$LOGS/token-back.log" panel-001=ok panel-002=ok panel-003=ok panel-004=ok panel-005=changed panel-006=changed
check requests ringcentral POST sip-provision 2
fleet "$INVENTORY" panel-writes panel-005=1 panel-006=1
fleet "$INVENTORY" converged

# On exit (simulator.sh), every output, log and artifact is searched for every secret of the run.
