#!/usr/bin/env bash
# Sourced by the fleet targets after simulator.sh, with LOGS set to a directory:
#   call METHOD PATH [JSON]                  a request to the simulators' control API (no proxy)
#   playbook WANT NAME ansible-playbook-args  runs ansible-playbook, its output in $LOGS/NAME.log,
#                                            and fails (showing the output) unless it exits WANT
SIM_CONTROL="$("$SIM_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["control"])' "$SIM_STATE")"
call() {
    "$SIM_PYTHON" - "$1" "$SIM_CONTROL$2" "${3:-}" <<'PY'
import sys, urllib.request
data = sys.argv[3].encode() if sys.argv[3] else None
urllib.request.build_opener(urllib.request.ProxyHandler({})).open(urllib.request.Request(
    sys.argv[2], data=data, method=sys.argv[1], headers={'Content-Type': 'application/json'})).read()
PY
}
playbook() {
    local want="$1" name="$2" rc=0 started="$SECONDS"
    shift 2
    ansible-playbook "$@" > "$LOGS/$name.log" 2>&1 || rc=$?
    [ "$rc" = "$want" ] || { cat "$LOGS/$name.log"; echo "ansible-playbook ($name) exited $rc, expected $want" >&2; exit 1; }
    echo "$name: exit $rc as expected ($((SECONDS - started)) s)"
}
