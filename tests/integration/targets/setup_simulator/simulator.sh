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
(cd "$COLLECTION_ROOT" && exec "$SIM_PYTHON" -m tests.simulator --state-file "$SIM_STATE" "$@") &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; rm -rf "$(dirname "$SIM_STATE")"' EXIT
for _ in $(seq 100); do
    [ -s "$SIM_STATE" ] && break
    sleep 0.1
done
[ -s "$SIM_STATE" ] || { echo "the simulator did not start" >&2; exit 1; }
export SIM_STATE

# assert_no_secrets FILE SECRET...: fail when any SECRET appears in FILE (never printing it).
assert_no_secrets() {
    local file="$1" secret
    shift
    for secret in "$@"; do
        if grep -qF -- "$secret" "$file"; then
            echo "a secret of the run appears in $(basename "$file")" >&2
            return 1
        fi
    done
    echo "no secret in $(wc -l < "$file") lines of output ($# secrets checked)"
}
