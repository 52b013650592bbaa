#!/usr/bin/env bash
# basip_sip against two simulated panels, on the controller and the module path, on every
# firmware family the simulator models; no secret of the run may appear in the -vvvv output
# (leaks.yml makes panels echo requests, with their secrets, in their errors).
set -euo pipefail
# shellcheck source=../setup_simulator/basip_playbook.sh
source ../setup_simulator/basip_playbook.sh basip_sip -v "$@"
