#!/usr/bin/env bash
# basip_sip_info against two simulated panels, on the controller and the module path, on every
# firmware family the simulator models: reads only; no secret of the run in the -vvvv output.
set -euo pipefail
# shellcheck source=../setup_simulator/basip_playbook.sh
source ../setup_simulator/basip_playbook.sh basip_sip_info -v "$@"
