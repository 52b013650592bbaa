#!/usr/bin/env bash
# The main job of sipfleet.provision on the built-in simulators, from nothing:
# creates a virtualenv, installs the collection, starts a simulated fleet, provisions
# it, shows that the second run changes nothing, drifts two panels out of band and
# reports exactly those two.
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
started=$(date +%s)

step "Virtualenv $VENV"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install --disable-pip-version-check -q 'ansible-core>=2.16,<2.20' -r "$ROOT/requirements.txt" 2>&1 \
    | { grep -v "^WARNING: Location 'file:" || true; }
export PATH="$VENV/bin:$PATH"

step "Install the collection"
ansible-galaxy collection build "$ROOT" --output-path "$WORK" --force >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections"
ansible-galaxy collection install "$WORK"/sipfleet-provision-*.tar.gz -p "$WORK/collections" --force >/dev/null
COLLECTION="$WORK/collections/ansible_collections/sipfleet/provision"
echo "installed sipfleet.provision into $ANSIBLE_COLLECTIONS_PATH"

step "Start $PANELS simulated panels (loopback only)"
(cd "$ROOT" && exec python -m tests.simulator --panels "$PANELS" --state-file "$WORK/fleet.json") &
SIM_PID=$!
for _ in $(seq 100); do [ -s "$WORK/fleet.json" ] && break; sleep 0.1; done
python - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
fleet = json.load(open(work + '/fleet.json'))
lines = ['[panels]']
for number, (name, url) in enumerate(sorted(fleet['targets'].items()), start=1):
    lines.append('%s basip_api_url=%s basip_sip_user=%d basip_sip_password=Demo-Sip-%04d' % (name, url, 1000 + number, number))
lines += ['', '[panels:vars]', 'ansible_connection=local', 'ansible_python_interpreter="{{ ansible_playbook_python }}"',
          'basip_api_password=123456', 'basip_sip_proxy=sip:pbx.example.com', 'basip_sip_realm=pbx.example.com',
          'basip_sip_transport=udp', "basip_sip_stun={'ip': 'stun.example.com', 'port': 3478}",
          'basip_sip_registration_interval=300']
open(work + '/inventory.ini', 'w').write('\n'.join(lines) + '\n')
print('%d panels, control API at %s' % (len(fleet['targets']), fleet['control']))
PY
export ANSIBLE_FORKS="${ANSIBLE_FORKS:-20}" ANSIBLE_NOCOLOR=1

run() {  # run NAME PLAYBOOK [args]: the play recap goes to $WORK/NAME.log
    local name=$1; shift
    local t0; t0=$(date +%s.%N)
    ansible-playbook -i "$WORK/inventory.ini" "$@" > "$WORK/$name.log"
    local changed
    changed=$(grep -cE '^panel-[0-9]+ .*changed=[1-9]' "$WORK/$name.log" || true)
    printf '%-22s %4d of %d panels changed   %6.1f s\n' "$name" "$changed" "$PANELS" "$(echo "$(date +%s.%N) - $t0" | bc)"
    eval "${name//-/_}_changed=$changed"
}

step "Provision the fleet (playbooks/site.yml)"
run first-run "$COLLECTION/playbooks/site.yml"
step "Run it again: nothing to do"
run second-run "$COLLECTION/playbooks/site.yml"

step "Change two panels behind Ansible's back"
python - "$WORK" <<'PY'
import json, sys, urllib.request
fleet = json.load(open(sys.argv[1] + '/fleet.json'))
for name, change in (('panel-002', {'proxy': 'sip:rogue.example.net'}), ('panel-004', {'stun': {'port': 3479}})):
    request = urllib.request.Request('%s/targets/%s/state' % (fleet['control'], name), method='PATCH',
                                     data=json.dumps(change).encode(), headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request).read()
    print('%s: %s' % (name, change))
PY

step "Drift report (playbooks/drift.yml, check mode, --diff)"
run drift "$COLLECTION/playbooks/drift.yml" --diff
python - "$WORK/drift.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for host, body in re.findall(r'changed: \[(panel-\d+) -> localhost\]\n(.*?)(?=\n(?:ok|changed|TASK|PLAY)|\Z)', text, re.S):
    print('%s would change:' % host)
for block in re.findall(r'^--- before.*?(?=^(?:changed|ok):)', text, re.S | re.M):
    print('  ' + '\n  '.join(line for line in block.splitlines() if line[:1] in '+-@' and not line.startswith(('---', '+++'))))
PY

step "Summary"
echo "first run changed $first_run_changed panels, second run $second_run_changed, drift found on $drift_changed"
echo "total time $(( $(date +%s) - started )) s"
[ "$first_run_changed" -eq "$PANELS" ] && [ "$second_run_changed" -eq 0 ] && [ "$drift_changed" -eq 2 ]
