#!/usr/bin/env bash
# Issue 30's done-when on 30 simulated panels: one panel (panel-017) trickles its answer to the
# settings read, one byte every half second, first its body, then in a second run its status line
# and headers too. Each run is one play of 30 hosts, a basip_sip task per panel with timeout 3 and
# no retry: the trickling panel fails within timeout + 2 s (the simulator's log) with the deadline
# message naming the timeout option, the 29 others converge (their settings written, read back from
# the simulator), and the whole run ends within 60 s. Every output is searched for every secret of
# the run (simulator.sh), also on failure.
set -euo pipefail
rand() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
web_password="Web-$(rand)"
sip_password="Sip-$(rand)"
trickle_panel=panel-017
timeout=3
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 30 --web-password "$web_password"
WORK="$(dirname "$SIM_STATE")"
LOGS="$WORK/logs"
python="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
mkdir "$LOGS"
SIM_WATCHED+=("$LOGS")
SIM_EXTRA_SECRETS+=("$sip_password")
# shellcheck source=../setup_simulator/fleet_run.sh
source ../setup_simulator/fleet_run.sh
printf '[panels]\npanel-[001:030]\n' > "$WORK/hosts"
# the run's secrets in a file, not on the command line (-vvv prints the extra vars given there)
printf '{"web_password": "%s", "sip_password": "%s"}\n' "$web_password" "$sip_password" > "$WORK/secrets.json"

trickle_run() {  # NAME USER_PREFIX FAULT_OPTIONS: one play of the 30 panels, panel-017 trickling
    local name="$1" prefix="$2" started ended
    call DELETE /faults
    call DELETE /log
    call POST /faults "{\"target\": \"$trickle_panel\", \"kind\": \"trickle\", \"delay\": 0.5, \"method\": \"GET\", \"path\": \"/api/v1/device/sip/settings\"$3}"
    echo "== $name: $trickle_panel trickles its settings read, 29 panels to converge"
    started="$(date +%s.%N)"
    # exit 2: a host failed (the trickling panel); the play of the results asserts each panel's
    playbook 2 "$name" -i "$WORK/hosts" playbook.yml -e "@$SIM_STATE" -e "@$WORK/secrets.json" \
        -e "trickle_panel=$trickle_panel sip_user_prefix=$prefix" -vvv
    ended="$(date +%s.%N)"
    grep -E "^$trickle_panel +: ok=0 +changed=0 +unreachable=0 +failed=1 " "$LOGS/$name.log" \
        || { echo "$name: $trickle_panel is not the one failed host of the recap" >&2; exit 1; }
    [ "$(grep -cE '^panel-[0-9]{3} +: ok=1 +changed=1 +unreachable=0 +failed=0 ' "$LOGS/$name.log")" = 29 ] \
        || { echo "$name: the recap does not show 29 panels changed" >&2; exit 1; }
    grep -q 'All assertions passed' "$LOGS/$name.log"
    "$python" check_trickle.py "$SIM_STATE" "$trickle_panel" "$prefix" "$timeout"
    "$python" - "$started" "$ended" "$name" <<'PY'
import sys
seconds = float(sys.argv[2]) - float(sys.argv[1])
print('%s: the play of 30 panels took %.1f s' % (sys.argv[3], seconds))
sys.exit(0 if seconds < 60 else 'the run took %.1f s, more than 60 s' % seconds)
PY
}

trickle_run body 7 ''
trickle_run headers 8 ', "headers": true'
