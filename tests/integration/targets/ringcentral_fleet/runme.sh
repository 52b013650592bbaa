#!/usr/bin/env bash
# RingCentral at fleet scale: 40 panels, RingCentral's real limits (Auth 5, Heavy 10, Light 50)
# in a 6 s window. site.yml provisions them with one token, no 429 and the sip-provision calls
# spread over ceil(40/10) windows; a second run sends RingCentral nothing (every panel holds its
# identity) and changes nothing; drift.yml --check only reads (no sip-provision) and reports the
# panel whose transport was changed out of band, exactly the panel site.yml then changes back;
# drift.yml then reports nothing.
set -euo pipefail
PANELS=40
export ANSIBLE_FORKS=20  # the play waits on HTTP, not on CPU
WINDOW=6
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels "$PANELS" --ringcentral --rc-window "$WINDOW" --rc-devices "$PANELS"
WORK="$(dirname "$SIM_STATE")"
PLAYBOOKS="$COLLECTION_ROOT/playbooks"
CHECK=(python "$PWD/check_rc.py" "$SIM_STATE")
SIM_WATCHED+=("$WORK/site-vvv.log" "$WORK/drift")
"${CHECK[@]}" inventory "$WORK/inventory" "$PANELS"
playbook() { ansible-playbook -i "$WORK/inventory" "$@" > "$WORK/last.log" || { tail -80 "$WORK/last.log"; exit 1; }; }

echo "== site.yml provisions $PANELS RingCentral panels from scratch"
"${CHECK[@]}" clear
started=$SECONDS
playbook "$PLAYBOOKS/site.yml" -v
cp "$WORK/last.log" "$WORK/site-vvv.log"
echo "site.yml: $((SECONDS - started))s"
"${CHECK[@]}" first "$PANELS" "$WINDOW"
grep -q 'waited .* RingCentral heavy rate-limit window' "$WORK/last.log" \
    || { echo "the pacing waits are not reported at -v" >&2; exit 1; }

echo "== site.yml again sends RingCentral nothing and changes nothing"
"${CHECK[@]}" clear
started=$SECONDS
playbook "$PLAYBOOKS/site.yml"
echo "site.yml again: $((SECONDS - started))s"
grep -q "changed=0" "$WORK/last.log"
if grep -E "changed=[1-9]" "$WORK/last.log"; then echo "site.yml again changed a host" >&2; exit 1; fi
"${CHECK[@]}" no-requests

echo "== drift.yml --check reports the panel whose transport changed out of band"
python - "$SIM_STATE" <<'PY'
import json, sys, urllib.request
control = json.load(open(sys.argv[1]))['control']
urllib.request.build_opener(urllib.request.ProxyHandler({})).open(urllib.request.Request(
    control + '/targets/panel-007/state', method='PATCH', data=json.dumps({'transport': 'tcp'}).encode(),
    headers={'Content-Type': 'application/json'})).read()
PY
"${CHECK[@]}" clear
started=$SECONDS
SIPFLEET_DRIFT_REPORT_DIR="$WORK/drift" ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report \
    playbook "$PLAYBOOKS/drift.yml" --check --diff
echo "drift.yml: $((SECONDS - started))s"
"${CHECK[@]}" drift "$WORK/drift/drift.json" panel-007

echo "== site.yml changes back exactly the panel drift.yml reported; drift.yml then reports none"
playbook "$PLAYBOOKS/site.yml"
changed="$(grep -oE '^panel-[0-9]+ +: ok=[0-9]+ +changed=[1-9]' "$WORK/last.log" | cut -d' ' -f1 | tr '\n' ' ')"
[ "$changed" = "panel-007 " ] || { echo "site.yml changed '$changed', expected panel-007 alone" >&2; exit 1; }
"${CHECK[@]}" clear
SIPFLEET_DRIFT_REPORT_DIR="$WORK/drift" ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report \
    playbook "$PLAYBOOKS/drift.yml" --check --diff
"${CHECK[@]}" drift "$WORK/drift/drift.json" -
