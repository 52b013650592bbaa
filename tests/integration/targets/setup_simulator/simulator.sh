#!/usr/bin/env bash
# Sourced by the runme.sh of each target: starts the simulators on loopback for the
# target's run, writes their URLs to $SIM_STATE (JSON) and stops them on exit.
# Arguments: those of `python -m tests.simulator` (for example --panels 2).
# ansible-test runs a copy of the targets below the collection's tests/output/:
# the collection root is the nearest ancestor that holds the simulator.
COLLECTION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
while [ ! -f "$COLLECTION_ROOT/tests/simulator/fleet.py" ]; do
    [ "$COLLECTION_ROOT" != / ] || { echo "tests/simulator not found above $PWD" >&2; exit 1; }
    COLLECTION_ROOT="$(dirname "$COLLECTION_ROOT")"
done
SIM_STATE="$(mktemp -d)/simulator.json"
SIM_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
SIM_SETUP="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIM_WEB_PASSWORD=123456
_sim_args=("$@")
for _i in "${!_sim_args[@]}"; do
    [ "${_sim_args[$_i]}" != --web-password ] || SIM_WEB_PASSWORD="${_sim_args[$((_i + 1))]}"
    # the real registrar (Kamailio) is installed when missing
    [ "${_sim_args[$_i]}" != --registrar ] || bash "$COLLECTION_ROOT/tests/registrar/install.sh"
done
# Searched for secrets when the target's script exits, whether it passed or failed:
# SIM_WATCHED lists files and directories (outputs, drift reports), SIM_EXTRA_SECRETS the
# secrets of the run the simulator does not know (auth tokens handed to the modules).
SIM_WATCHED=()
SIM_EXTRA_SECRETS=()
(cd "$COLLECTION_ROOT" && exec "$SIM_PYTHON" -m tests.simulator --state-file "$SIM_STATE" "$@") &
SIM_PID=$!
_sim_exit() {
    local rc=$? path
    for path in "${SIM_WATCHED[@]}"; do
        if [ -e "$path" ] && ! assert_no_secrets "$path" "${SIM_EXTRA_SECRETS[@]}"; then
            rc=1
        fi
    done
    kill "$SIM_PID" 2>/dev/null
    wait "$SIM_PID" 2>/dev/null
    rm -rf "$(dirname "$SIM_STATE")"
    exit "$rc"
}
trap _sim_exit EXIT
for _ in $(seq 100); do
    [ -s "$SIM_STATE" ] && break
    sleep 0.1
done
[ -s "$SIM_STATE" ] || { echo "the simulator did not start" >&2; exit 1; }
export SIM_STATE

# assert_no_secrets PATH SECRET...: fail when any SECRET, or any secret the simulator knows
# (run_secrets.py: web password and its MD5, SIP passwords, RingCentral tokens issued so far),
# appears in PATH (a file, or every file below a directory). Never prints a secret.
assert_no_secrets() {
    local path="$1" list found
    shift
    list="$(dirname "$SIM_STATE")/secrets.$$"
    { "$SIM_PYTHON" "$SIM_SETUP/run_secrets.py" "$SIM_STATE" "$SIM_WEB_PASSWORD" && printf '%s\n' "$@"; } \
        | grep -v '^$' | sort -u > "$list" || { echo "could not read the simulator's secrets" >&2; rm -f "$list"; return 1; }
    found="$(grep -rlF -f "$list" -- "$path" || true)"
    if [ -n "$found" ]; then
        echo "a secret of the run appears in: $(echo "$found" | xargs -n1 basename | sort -u | tr '\n' ' ')" >&2
        rm -f "$list"
        return 1
    fi
    echo "no secret in $(find "$path" -type f | wc -l) file(s) of $(basename "$path"), $(find "$path" -type f -exec cat {} + | wc -l) lines ($(wc -l < "$list") secrets checked)"
    rm -f "$list"
}
