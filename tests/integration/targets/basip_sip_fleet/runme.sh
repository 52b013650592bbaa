#!/usr/bin/env bash
# basip_sip_fleet against four simulated panels in one task, on the controller and the module path:
# converge, idempotent run with the registration state, a bad and an unreachable panel, read mode;
# each step checked from the simulator's request log; no secret of the run in the -vvv output.
set -euo pipefail
export BASIP_PANELS=4
# shellcheck source=../setup_simulator/basip_playbook.sh
source ../setup_simulator/basip_playbook.sh basip_sip_fleet "$@"
