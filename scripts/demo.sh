#!/usr/bin/env bash
# The main job of sipfleet.provision on the built-in simulators, from nothing:
# creates a virtualenv, installs the collection, starts a simulated fleet, provisions
# it end to end (Vobiz trunk credentials, panels, two panels from RingCentral identities),
# shows that the second run changes nothing, drifts two panels out of band and reports
# exactly those two.
#
#   bash scripts/demo.sh            # 50 panels
#   PANELS=200 bash scripts/demo.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SIPFLEET_DEMO_VENV:-$ROOT/.venv-demo}"
PANELS="${PANELS:-50}"
WORK="$(mktemp -d)"
SIM_PID=
cleanup() {
    [ -z "$SIM_PID" ] || kill "$SIM_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ansible_version() { "$1" -c 'from ansible.release import __version__; print("ansible-core " + __version__)'; }
started=$(date +%s)

find_python() {  # the newest stable ansible-core runs on Python 3.12 or later
    local candidate candidates=(python3.12 python3.13 python3.14 "$HOME"/.pyenv/versions/3.1[234].*/bin/python)
    [ -z "${PYTHON:-}" ] || candidates=("$PYTHON")
    for candidate in "${candidates[@]}"; do
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
            && { "$candidate" -c 'import sys; print(sys.executable)'; return; }
    done
    echo "demo.sh: no Python 3.12 or later (looked for ${PYTHON:-python3.12 to 3.14 on PATH and in ~/.pyenv/versions}; set PYTHON=/path/to/python)" >&2
    return 1
}
step "Virtualenv $VENV"
if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    rm -rf "$VENV"  # made by an older demo on Python 3.11, which has no current ansible-core
fi
[ -x "$VENV/bin/python" ] || "$(find_python)" -m venv "$VENV"
# ansible-core as meta/runtime.yml requires it (pip takes the newest stable release this Python
# runs), and cryptography before 51: ansible-core (2.19 to 2.22) imports cryptography's DSA
# classes for its ssh-agent support, which cryptography 51 deprecated, so that every ansible
# command would print "CryptographyDeprecationWarning: DSA is deprecated"
# (https://github.com/pyca/cryptography/pull/15597). ansible-core accepts any cryptography.
"$VENV/bin/python" -m pip install --disable-pip-version-check -q 'ansible-core>=2.19' 'cryptography<51' \
    -r "$ROOT/requirements.txt" 2>&1 | { grep -v "^WARNING: Location 'file:" || true; }
echo "$(ansible_version "$VENV/bin/python"), Python $("$VENV/bin/python" -c 'import platform; print(platform.python_version())')"
export PATH="$VENV/bin:$PATH"

step "Install the collection"
ansible-galaxy collection build "$ROOT" --output-path "$WORK" --force >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
ansible-galaxy collection install "$WORK"/sipfleet-provision-*.tar.gz -p "$WORK/collections" --force >/dev/null
COLLECTION="$WORK/collections/ansible_collections/sipfleet/provision"
echo "installed sipfleet.provision into $ANSIBLE_COLLECTIONS_PATH"

REGISTRAR=()
if command -v kamailio >/dev/null 2>&1 || [ -x /usr/sbin/kamailio ]; then
    REGISTRAR=(--registrar)
    registrar_note="and a real SIP registrar (Kamailio): every panel runs a SIP user agent that registers to it"
else
    registrar_note="without a SIP registrar (Kamailio is not installed; sudo bash tests/registrar/install.sh adds it)"
fi
step "Start the simulators: $PANELS panels, a Vobiz account, a RingCentral account (loopback only)"
echo "$registrar_note"
(cd "$ROOT" && exec python -m tests.simulator --panels "$PANELS" --vobiz --ringcentral "${REGISTRAR[@]}" \
    --state-file "$WORK/fleet.json") &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$WORK/fleet.json" ] && break; sleep 0.1; done
python "$ROOT/scripts/demo_inventory.py" "$WORK/fleet.json" "$WORK/inventory"
export ANSIBLE_FORKS="${ANSIBLE_FORKS:-20}" ANSIBLE_NOCOLOR=1
export SIPFLEET_DRIFT_REPORT_DIR="$WORK/drift-report"

changed=0
run() {  # run NAME PLAYBOOK [args]: output in $WORK/NAME.log, one line of figures here; sets $changed
    local name=$1; shift
    local t0; t0=$(date +%s%N)
    ansible-playbook -i "$WORK/inventory" "$@" > "$WORK/$name.log" || { tail -40 "$WORK/$name.log"; return 1; }
    changed=$(grep -cE '^panel-[0-9]+ .*changed=[1-9]' "$WORK/$name.log" || true)
    printf '%-12s %4d of %d panels changed   %5.1f s\n' "$name" "$changed" "$PANELS" "$(( ($(date +%s%N) - t0) / 1000000 ))e-3"
}

step "Provision the fleet (playbooks/site.yml)"
run first-run "$COLLECTION/playbooks/site.yml"
first_run_changed=$changed
registered=-
if [ ${#REGISTRAR[@]} -gt 0 ]; then
    step "Registration, from the registrar's own location table (kamcmd ul.dump)"
    ctl="$(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["registrar"]["ctl"])' "$WORK/fleet.json")"
    for _ in $(seq 40); do  # the panels register within a second of their settings; wait at most 10 s
        registered=$(cd "$ROOT" && python -m tests.registrar dump --ctl "$ctl" | python -c 'import json,sys; print(len(json.load(sys.stdin)))')
        [ "$registered" -ge "$PANELS" ] && break
        sleep 0.25
    done
    echo "$registered of $PANELS panels registered ($(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["registrar"]["version"])' "$WORK/fleet.json"))"
fi
step "Run it again: nothing to do"
run second-run "$COLLECTION/playbooks/site.yml"
second_run_changed=$changed

step "Change two panels behind Ansible's back"
python - "$WORK/fleet.json" <<'PY'
import json, sys, urllib.request
fleet = json.load(open(sys.argv[1]))
for name, change in (('panel-002', {'proxy': 'sip:rogue.example.net'}), ('panel-004', {'stun': {'port': 3479}})):
    request = urllib.request.Request('%s/targets/%s/state' % (fleet['control'], name), method='PATCH',
                                     data=json.dumps(change).encode(), headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request).read()
    print('%s: %s' % (name, change))
PY

step "Drift report (playbooks/drift.yml: check mode, --diff, drift_report callback)"
ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report run drift "$COLLECTION/playbooks/drift.yml" --check --diff
drift_changed=$changed
echo "(drift.md, drift.json and drift.xml are in $SIPFLEET_DRIFT_REPORT_DIR; clean hosts left out below)"
grep -v '| clean |' "$SIPFLEET_DRIFT_REPORT_DIR/drift.md"
set +e
python "$COLLECTION/tools/drift_gate.py" "$SIPFLEET_DRIFT_REPORT_DIR/drift.json"
gate=$?
set -e
echo "drift gate exit code: $gate (0 clean, 2 drift, 3 run failed)"

step "Summary"
echo "first run changed $first_run_changed of $PANELS panels; second run $second_run_changed; drift found on $drift_changed (gate exit $gate)"
[ ${#REGISTRAR[@]} -eq 0 ] || echo "registered to the SIP registrar after the first run: $registered of $PANELS panels"
echo "total time $(( $(date +%s) - started )) s"
[ ${#REGISTRAR[@]} -eq 0 ] || [ "$registered" -eq "$PANELS" ]
[ "$first_run_changed" -eq "$PANELS" ] && [ "$second_run_changed" -eq 0 ] && [ "$drift_changed" -eq 2 ] && [ "$gate" -eq 2 ]
