#!/usr/bin/env bash
# The drift_report callback and the drift gate against four simulated panels and one that
# does not answer: converge the fleet, check a converged fleet (empty report, gate 0), change
# two panels out of band and check again (exact reports in JSON, Markdown and JUnit; gate 3
# with the failed panel, 2 without it), with every task reported, including tasks that show
# secrets in their diff. No secret of the run may appear in any report file.
set -euo pipefail
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
web_password="Web-$(rand)"
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 4 --web-password "$web_password"
work="$(dirname "$SIM_STATE")"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
check() { "$python" check_reports.py "$@"; }
gate() {  # expected exit code, then the gate's arguments
    local want="$1" rc=0
    shift
    "$python" "$COLLECTION_ROOT/tools/drift_gate.py" "$@" || rc=$?
    [ "$rc" = "$want" ] || { echo "drift gate $*: exit $rc, expected $want" >&2; exit 1; }
}

sip_password="Sip-$(rand)"
note_seed="$(rand)"
site_code="Site-$(rand)"
vault_password="Vault-$(rand)"
printf '%s' "$vault_password" > "$work/vault-password"
ansible-vault encrypt_string --vault-password-file "$work/vault-password" --name site_code -- "$site_code" \
    > "$work/vault.yml"
export BASIP_API_PASSWORD="$web_password" LEAK_DIR="$work/leaks"
# The reports and summaries are searched on exit too (simulator.sh), even after a failure,
# for these and every secret the simulator knows (the web password's MD5, SIP passwords).
SIM_WATCHED+=("$work/clean" "$work/drift" "$work/leaks-report" "$work/clean.summary" "$work/drift.summary"
              "$work/leaks-report.summary")
SIM_EXTRA_SECRETS+=("$sip_password" "Note-$note_seed" "$site_code" "$vault_password")
mkdir "$LEAK_DIR"
run=(ansible-playbook -i inventory.yml drift.yml -e "@$SIM_STATE" -e "@$work/vault.yml"
     --vault-password-file "$work/vault-password" -e "sip_password=$sip_password"
     -e "note_seed=$note_seed" -e "leak_dir=$LEAK_DIR")
playbook() {  # expected exit code, name of the run, then ansible-playbook arguments
    local want="$1" name="$2" rc=0
    shift 2
    "${run[@]}" "$@" > "$work/$name.out" 2>&1 || rc=$?
    cat "$work/$name.out"
    [ "$rc" = "$want" ] || { echo "ansible-playbook exited $rc, expected $want" >&2; exit 1; }
    sed -n '/^DRIFT REPORT/,$p' "$work/$name.out" > "$work/$name.summary"
    if [ "$name" != converge ] && ! grep -q '^reports: ' "$work/$name.summary"; then
        echo "no drift report summary at the end of the run" >&2
        exit 1
    fi
}

echo "== converge the fleet (no report)"
playbook 0 converge --limit panels --skip-tags leaks
"$python" -c 'import urllib.request, json, sys; urllib.request.urlopen(urllib.request.Request(json.load(open(sys.argv[1]))["control"] + "/log", method="DELETE"))' "$SIM_STATE"

export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}sipfleet.provision.drift_report"
echo "== a converged fleet: empty drift report, gate passes (report directory from ansible.cfg)"
cat > "$work/ansible.cfg" <<CFG
[callback_drift_report]
output_dir = clean
CFG
ANSIBLE_CONFIG="$work/ansible.cfg" playbook 0 clean --limit panels --check --diff
check requests panel-001 panel-002 panel-003 panel-004
check report clean "$work/clean"
gate 0 "$work/clean/drift.json"

echo "== drift on two panels, one panel unreachable"
check inject panel-002 '{"proxy": "sip:rogue.example.com"}'
check inject panel-004 '{"stun": {"port": 19302}, "transport": "tcp"}'
SIPFLEET_DRIFT_REPORT_DIR="$work/drift" playbook 4 drift --check --diff  # 4: a host was unreachable
check requests panel-001 panel-002 panel-003 panel-004
check report drift "$work/drift"
gate 3 "$work/drift/drift.json"

echo "== every task reported, tasks that show secrets in their diff"
SIPFLEET_DRIFT_REPORT_DIR="$work/leaks-report" SIPFLEET_DRIFT_REPORT_ALL_TASKS=true \
    playbook 0 leaks-report --limit panel-001,panel-002 --check --diff
check requests panel-001 panel-002
check report leaks "$work/leaks-report"
gate 2 "$work/leaks-report/drift.json"
gate 3 --ansible-rc 2 "$work/leaks-report/drift.json"
gate 2 --quiet "$work/leaks-report/drift.json"

echo "== a missing or broken report"
gate 4 "$work/none/drift.json"
printf '{"schema_version": 1' > "$work/broken.json"
gate 4 "$work/broken.json"
printf '{"schema_version": 99, "summary": {}, "hosts": {}}' > "$work/future.json"
gate 4 "$work/future.json"

echo "== no secret of the run in any report or summary"
web_md5="$(printf '%s' "$web_password" | md5sum | cut -d' ' -f1)"
DRIFT_SECRETS="$(printf '%s\n' "$web_password" "$web_md5" "$sip_password" "Note-$note_seed" "$site_code" "$vault_password")" \
    check secrets "$work/clean" "$work/drift" "$work/leaks-report" "$work/clean.summary" "$work/drift.summary" \
    "$work/leaks-report.summary"
