#!/usr/bin/env bash
# No panel left unable to register: 4 simulated panels (2 on a Vobiz trunk, 2 from RingCentral
# identities, RingCentral rotating the SIP password with every identity) with a SIP user agent
# each, against a real registrar (Kamailio on loopback, tests/registrar). rotate_passwords.yml is
# interrupted four ways - SIGINT (Ctrl-C) to ansible-playbook and SIGKILL to its process group at
# the first panel write (a
# simulator fault, so the moment is exact: every credential and identity is new, no panel has
# it), every panel refusing its write, RingCentral's token endpoint down - and each time a plain
# site.yml must leave every panel registered (the registrar's location table) and holding its
# credential's password or its device's current identity, with the rotation record emptied.
# The longest time any panel was absent from the location table is printed per scenario. Then
# bad input fails before any write, naming the host and the variable.
set -euo pipefail
started=$SECONDS
# registration_interval 300 s (demo inventory) x 0.05: the panels register for 15 s, refresh every 9 s
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 4 --vobiz --ringcentral --registrar --registrar-scale 0.05 --rc-window 1
WORK="$(dirname "$SIM_STATE")"
LOGS="$WORK/logs"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
INVENTORY="$WORK/inventory"
RECORD="$INVENTORY/.sip_fleet_rotation.json"
mkdir "$LOGS"
SIM_WATCHED+=("$LOGS")
export COLLECTION_ROOT
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
check() { "$python" check_repair.py "$SIM_STATE" "$@"; }
registrar() { "$python" ../sip_registration/check_registration.py "$SIM_STATE" "$@"; }
"$python" "$COLLECTION_ROOT/scripts/demo_inventory.py" "$SIM_STATE" "$INVENTORY"
mapfile -t trunk_passwords < <("$python" -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["demo_trunk_passwords"].values()))' "$INVENTORY/group_vars/panels.yml")
SIM_EXTRA_SECRETS+=("${trunk_passwords[@]}")
# shellcheck source=../setup_simulator/fleet_run.sh
source ../setup_simulator/fleet_run.sh
ctl="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["registrar"]["ctl"])' "$SIM_STATE")"
panels='["panel-001", "panel-002", "panel-003", "panel-004"]'
call PATCH /targets/ringcentral/options '{"rotate_password": true}'

echo "== site.yml: every panel registered"
playbook 0 site -i "$INVENTORY" "$PLAYBOOKS/site.yml"
registrar registered
check holding
check record "$RECORD"

# new_passwords N: the vault's next trunk passwords, in $WORK/passwords-N.json
new_passwords() {
    "$python" - "$INVENTORY/group_vars/panels.yml" "$WORK/passwords-$1.json" <<'PY'
import json, secrets, sys
old = json.load(open(sys.argv[1]))['demo_trunk_passwords']
json.dump({'demo_trunk_passwords': dict((h, 'New-' + secrets.token_hex(6)) for h in old)}, open(sys.argv[2], 'w'))
PY
    mapfile -t -O "${#SIM_EXTRA_SECRETS[@]}" SIM_EXTRA_SECRETS < <("$python" -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["demo_trunk_passwords"].values()))' "$WORK/passwords-$1.json")
}

# scenario NAME WANT WRITTEN LEFT FAULT...: rotate with the faults injected (its exit status WANT, a
# regular expression,
# WRITTEN panel writes that reached a panel, the panels LEFT in the rotation record), then a plain
# site.yml; the registrar watched from before the rotation to the end.
scenario() {
    local name="$1" want="$2" written="$3" left="$4" fault pid_file="$WORK/$1.pid" rc=0 watch_pid
    shift 4
    echo "== rotation interrupted: $name; then a plain site.yml"
    new_passwords "$name"
    call DELETE /log
    for fault in "$@"; do
        call POST /faults "${fault//@PID@/$pid_file}"
    done
    # bounded by --seconds should this script stop early
    (cd "$COLLECTION_ROOT" && exec "$python" -m tests.registrar watch --ctl "$ctl" --out "$WORK/gaps-$name.json" \
        --interval 0.1 --seconds 120) &
    watch_pid=$!
    # ansible-playbook in a process group of its own, its id in the pid file, for the signal fault
    rotated=$SECONDS
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout 100 setsid bash -c 'echo $$ > "$0"; exec ansible-playbook "$@"' "$pid_file" -i "$INVENTORY" \
        "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panels -e "@$WORK/passwords-$name.json" \
        > "$LOGS/rotate-$name.log" 2>&1 || rc=$?
    [[ "$rc" =~ ^($want)$ ]] || { cat "$LOGS/rotate-$name.log"; echo "rotate ($name) exited $rc, expected $want" >&2; exit 1; }
    echo "rotate ($name): exit $rc as expected ($((SECONDS - rotated)) s)"
    call DELETE /faults
    check writes 'panel-*' POST /device/sip/settings "$written"
    # shellcheck disable=SC2086 # a list of host names
    check record "$RECORD" $left
    playbook 0 "site-after-$name" -i "$INVENTORY" "$PLAYBOOKS/site.yml" -e "@$WORK/passwords-$name.json"
    registrar registered
    check holding
    check record "$RECORD"
    playbook 0 "site-again-$name" -i "$INVENTORY" "$PLAYBOOKS/site.yml" -e "@$WORK/passwords-$name.json"
    if ! grep -q 'changed=0' "$LOGS/site-again-$name.log" || grep -Eq 'changed=[1-9]' "$LOGS/site-again-$name.log"; then
        cat "$LOGS/site-again-$name.log"
        echo "a converged fleet reported a change" >&2
        exit 1
    fi
    registrar registered > /dev/null  # every panel in the table before the watch ends
    kill "$watch_pid"
    wait "$watch_pid" || true
    registrar gaps "$WORK/gaps-$name.json" | sed "s/^/$name: /"
    cp "$INVENTORY/group_vars/panels.yml" "$WORK/panels.json"
    "$python" - "$WORK/panels.json" "$WORK/passwords-$name.json" "$INVENTORY/group_vars/panels.yml" <<'PY'
import json, sys
merged = dict(json.load(open(sys.argv[1])), **json.load(open(sys.argv[2])))
json.dump(merged, open(sys.argv[3], 'w'), indent=1)
PY
}

on_panels() {  # on_panels JSON-LIST FAULT-JSON-TAIL: the fault on each panel of the list
    echo "{\"target\": $1, $2}"
}
all='panel-001 panel-002 panel-003 panel-004'
write='"method": "POST", "path": "/api/v1/device/sip/settings"'
# Interrupted, ansible-playbook exits 99; 1 when a worker was interrupted before it could report;
# 250 when ansible-core's own SIGINT handler meets a worker it has just closed ("process object is
# closed", task_queue_manager._signal_handler): how it stops is ansible-core's, what is tested is
# that a plain site.yml repairs what the interrupted rotation left.
scenario sigint '99|1|250' 0 "$all" "$(on_panels "$panels" "\"kind\": \"signal\", \"signum\": 2, \"pid_file\": \"@PID@\", $write")"
scenario sigkill 137 0 "$all" \
    "$(on_panels "$panels" "\"kind\": \"signal\", \"signum\": 9, \"group\": true, \"pid_file\": \"@PID@\", $write")"
scenario refused 2 0 "$all" "$(on_panels "$panels" "\"kind\": \"status\", \"status\": 400, \"body\": {\"error\": \"Wrong JSON body\"}, $write")"
scenario ringcentral-down 2 2 "panel-003 panel-004" \
    "$(on_panels '"ringcentral"' '"kind": "status", "status": 503, "count": 20, "path": "/restapi/oauth/token"')"

echo "== two runs at once, each with a new identity for the slow RingCentral panel panel-003"
# Run A's write to panel-003 is held 6 s (a slow panel); run B starts once A has its identity,
# so B's identity supersedes A's and B's write lands first: A's write would leave panel-003 a
# superseded identity, and A's check after its writes must give it the device's current one.
call DELETE /log
call POST /faults '{"target": "panel-003", "kind": "delay", "delay": 6, "method": "POST", "path": "/api/v1/device/sip/settings"}'
ansible-playbook -i "$INVENTORY" "$PLAYBOOKS/site.yml" --limit panel-003 -e sip_fleet_ringcentral_refresh=true \
    > "$LOGS/concurrent-a.log" 2>&1 &
run_a=$!
for _ in $(seq 100); do  # at most 20 s
    [ "$(check writes ringcentral POST /sip-provision 1 2> /dev/null)" ] && break
    sleep 0.2
done
check writes ringcentral POST /sip-provision 1
playbook 0 concurrent-b -i "$INVENTORY" "$PLAYBOOKS/site.yml" --limit panel-003 -e sip_fleet_ringcentral_refresh=true
wait "$run_a" || { cat "$LOGS/concurrent-a.log"; exit 1; }
grep -A2 'Give those panels the current identity' "$LOGS/concurrent-a.log" | grep -q '^changed: ' \
    || { cat "$LOGS/concurrent-a.log"; echo "run A did not give panel-003 the current identity" >&2; exit 1; }
# after its write, run A read again (a second round) and found nothing left to give
[ "$(grep -A1 'TASK .*Read the identity each panel holds' "$LOGS/concurrent-a.log" | grep -c '^ok: ')" = 2 ] \
    || { cat "$LOGS/concurrent-a.log"; echo "run A did not read panel-003 again after its write" >&2; exit 1; }
registrar registered
check holding
echo "concurrent runs: the slower run found panel-003 superseded and gave it its device's current identity"

echo "== the check cannot read RingCentral's device SIP info (no ReadAccounts): no panel fails for it"
call POST /faults '{"target": "ringcentral", "kind": "status", "status": 403, "count": 5, "method": "GET", "path": "/restapi/v1.0/account/~/device/"}'
playbook 0 no-read-accounts -i "$INVENTORY" "$PLAYBOOKS/site.yml" -e sip_fleet_ringcentral_refresh=true
call DELETE /faults
grep -Eq 'panel-003 +: ok=[0-9]+ +changed=1 +unreachable=0 +failed=0' "$LOGS/no-read-accounts.log" \
    || { cat "$LOGS/no-read-accounts.log"; exit 1; }
check holding

echo "== the control: with no rotation record, the same SIGINT leaves Vobiz panels that a plain site.yml does not repair"
new_passwords control
call POST /faults "$(on_panels "$panels" "\"kind\": \"signal\", \"signum\": 2, \"pid_file\": \"$WORK/control.pid\", $write")"
rc=0
# shellcheck disable=SC2016 # expanded by the inner shell
timeout 100 setsid bash -c 'echo $$ > "$0"; exec ansible-playbook "$@"' "$WORK/control.pid" -i "$INVENTORY" \
    "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panels -e "@$WORK/passwords-control.json" -e sip_fleet_rotation_record= \
    > "$LOGS/rotate-control.log" 2>&1 || rc=$?
[[ "$rc" =~ ^(99|1|250)$ ]] || { cat "$LOGS/rotate-control.log"; echo "rotate (control) exited $rc, expected 99, 1 or 250" >&2; exit 1; }
call DELETE /faults
playbook 0 site-control -i "$INVENTORY" "$PLAYBOOKS/site.yml" -e "@$WORK/passwords-control.json" -e sip_fleet_rotation_record=
grep -Eq 'panel-001 +: ok=[0-9]+ +changed=0' "$LOGS/site-control.log" || { cat "$LOGS/site-control.log"; exit 1; }
if check holding 2> "$WORK/control.err"; then
    echo "the control did not leave a panel without its password: the scenarios above prove nothing" >&2
    exit 1
fi
echo "control: site.yml reported panel-001 unchanged, and $(sed 's/^check_repair: //' "$WORK/control.err")"
playbook 0 rotate-control-again -i "$INVENTORY" "$PLAYBOOKS/rotate_passwords.yml" -e rotate=panels -e "@$WORK/passwords-control.json"
check holding

# bad_input NAME PLAYBOOK HOST_VARS_JSON EXPECTED... : ansible-playbook with each host's variables
# from HOST_VARS_JSON (host -> variables) fails (exit 2) before any write to any service, and its
# output holds every EXPECTED text (the host and the variable to fix).
bad_input() {
    local name="$1" play="$2" host text
    shift 2
    "$python" - "$INVENTORY/host_vars" "$1" <<'PY'
import json, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
for host, variables in json.loads(sys.argv[2]).items():
    json.dump(variables, open(os.path.join(sys.argv[1], host + '.json'), 'w'))
PY
    shift
    call DELETE /log
    playbook 2 "$name" -i "$INVENTORY" "$PLAYBOOKS/$play" "${BAD_ARGS[@]}"
    rm -f "$INVENTORY"/host_vars/*.json
    for text in "$@"; do
        grep -qF -- "$text" "$LOGS/$name.log" || { cat "$LOGS/$name.log"; echo "not in the output: $text" >&2; exit 1; }
    done
    for host in vobiz ringcentral 'panel-*'; do
        for method in POST PUT DELETE; do
            [ "$host $method" = "ringcentral POST" ] || check writes "$host" "$method" / 0 > /dev/null
        done
    done
    check writes ringcentral POST /sip-provision 0
    echo "$name: every panel failed before any write to any service, naming the host and the variable"
}

echo "== bad input fails before any write"
long=$(printf 'x%.0s' $(seq 32))
BAD_ARGS=(-e rotate=panels)
bad_input bad-rotation rotate_passwords.yml "{\"panel-001\": {\"sip_fleet_trunk_password\": \"$long\"},
    \"panel-002\": {\"sip_fleet_trunk_password\": \"Pässword-123\"},
    \"panel-003\": {\"sip_fleet_panel_api_password\": \"\"},
    \"panel-004\": {\"sip_fleet_panel_api_url\": \"http://127.0.0.1:99999\"}}" \
    'panel-001: the panel would refuse its settings: password must be 6 to 31 characters' \
    'panel-002: the panel would refuse its settings: password must be 6 to 31 characters' \
    '(check sip_fleet_trunk_password)' \
    "panel-003: the panel would refuse its settings: api_password is empty: the panel's web login needs it (check sip_fleet_panel_api_password)" \
    "panel-004: the panel would refuse its settings: api_url has the port '99999': a port is a number from 1 to 65535 (check sip_fleet_panel_api_url)"
BAD_ARGS=()
url3="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["targets"]["panel-003"])' "$SIM_STATE")"
bad_input bad-collisions site.yml "{\"panel-001\": {\"sip_fleet_username\": \"DemoPanel002\"},
    \"panel-004\": {\"sip_fleet_panel_api_url\": \"$url3\"}}" \
    'panel-001: has the same Vobiz user name (sip_fleet_username) as panel-002' \
    'panel-002: has the same Vobiz user name (sip_fleet_username) as panel-001' \
    'panel-003: reaches the same panel (sip_fleet_panel_api_url) as panel-004' \
    'panel-004: reaches the same panel (sip_fleet_panel_api_url) as panel-003'
BAD_ARGS=(-e sip_fleet_vobiz_realm=MA_SIMUL001.sip.vobiz.ai:0 --limit panel-001:panel-002)
bad_input bad-ports site.yml '{"panel-002": {"sip_fleet_stun": {"ip": "stun.example.com", "port": 70000}}}' \
    'panel-001: the panel would refuse its settings: realm must be an IPv4 address or DNS name, with an optional ":port" (1 to 65535) (check sip_fleet_vobiz_realm)' \
    'panel-002: the panel would refuse its settings: realm must be' \
    'stun.port must be an integer from 1 to 65535' \
    '(check sip_fleet_stun, sip_fleet_vobiz_realm)'

echo "sip_rotation_repair: $((SECONDS - started)) s"
