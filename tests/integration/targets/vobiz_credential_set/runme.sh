#!/usr/bin/env bash
# vobiz_credential_set (and vobiz_credential_info) against a simulated Vobiz account; no secret of the run may appear in the -vvv output.
set -euo pipefail
# shellcheck source=../setup_simulator/vobiz_playbook.sh
source ../setup_simulator/vobiz_playbook.sh "$@"
