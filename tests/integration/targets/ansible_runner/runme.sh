#!/usr/bin/env bash
# playbooks/site.yml through ansible-runner, the engine of AWX, against 4 simulated panels
# (2 on a Vobiz trunk, 2 from RingCentral identities). The private data directory is laid
# out as AWX lays it out (project, inventory with vault-encrypted group_vars, extra vars,
# vault password answered through env/passwords). First run provisions every panel, second
# run changes nothing and only reads; no secret of the run in any artifact file.
set -euo pipefail
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
web_password="Web-$(rand)"
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 4 --vobiz --ringcentral --web-password "$web_password"
work="$(dirname "$SIM_STATE")"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
"$python" -c 'import ansible_runner' 2>/dev/null \
    || { echo "ansible-runner is not installed for $python (tests/requirements.txt)" >&2; exit 1; }
pdd="$work/runner"
marker="marker-$(rand)"
"$python" private_data_dir.py "$SIM_STATE" "$COLLECTION_ROOT" "$web_password" "$pdd" "$work/secrets.json"
"$python" - "$pdd/env/envvars" "$marker" <<'PY'
import json, sys
envvars = json.load(open(sys.argv[1]))
envvars['SIPFLEET_RUNNER_MARKER'] = sys.argv[2]
json.dump(envvars, open(sys.argv[1], 'w'))
PY
# Every artifact and output is also searched on exit (simulator.sh), even after a failure.
SIM_WATCHED+=("$pdd/artifacts" "$work/first.out" "$work/second.out")
mapfile -t SIM_EXTRA_SECRETS < <("$python" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))))' "$work/secrets.json")
control="$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["control"])' "$SIM_STATE")"
clear_log() { "$python" -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/log", method="DELETE"))' "$control"; }
runner() {  # ident, then ansible-runner arguments
    local ident="$1" rc=0
    shift
    "$python" -m ansible_runner run "$pdd" -p site.yml --ident "$ident" "$@" > "$work/$ident.out" 2>&1 || rc=$?
    [ "$rc" = 0 ] || { tail -40 "$work/$ident.out"; echo "ansible-runner run $ident: exit $rc" >&2; exit 1; }
}

echo "== first run (-vvv) provisions every panel"
runner first -vvv
"$python" check_artifacts.py "$pdd" first "$SIM_STATE" "$work/secrets.json" "$marker" panel-001 panel-002 panel-003 panel-004

echo "== second run changes nothing and only reads"
clear_log
runner second
"$python" check_artifacts.py "$pdd" second "$SIM_STATE" "$work/secrets.json" "$marker"
