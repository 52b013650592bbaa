#!/usr/bin/env bash
# vobiz_trunk and vobiz_trunk_info against a simulated Vobiz account (every documented
# variant), and the credential defects of the trunk issue; no secret of the run may appear
# in the -vvv output.
set -euo pipefail
# shellcheck source=../setup_simulator/vobiz_playbook.sh
source ../setup_simulator/vobiz_playbook.sh "$@"
