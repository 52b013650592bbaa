#!/usr/bin/env bash
# ringcentral_token against a simulated RingCentral account (credentials from the RINGCENTRAL_* environment,
# as the module's fallbacks read them); the -vvvv output is searched for every secret of the run.
set -euo pipefail
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 0 --ringcentral --rc-devices 3
output="$(dirname "$SIM_STATE")/output.txt"
SIM_WATCHED+=("$output")
eval "$("$SIM_PYTHON" "$SIM_SETUP/ringcentral_env.py" "$SIM_STATE")"
ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" -vvvv "$@" > "$output" || { tail -60 "$output"; exit 1; }
