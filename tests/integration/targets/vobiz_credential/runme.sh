#!/usr/bin/env bash
# vobiz_credential against a simulated Vobiz account; no secret of the run may appear in the
# -vvvv output, in any form (echo.yml makes the account echo a request in its error).
set -euo pipefail
# shellcheck source=../setup_simulator/vobiz_playbook.sh
source ../setup_simulator/vobiz_playbook.sh -v "$@"
# the echo step's password in each form (vars/echo_forms.yml), never printed; $output is the
# playbook's output file, set by vobiz_playbook.sh
# shellcheck disable=SC2154
"$SIM_PYTHON" - "$output" vars/echo_forms.yml <<'PY'
import sys
import yaml
text = open(sys.argv[1], encoding='utf-8').read()
forms = yaml.safe_load(open(sys.argv[2], encoding='utf-8'))['echo_forms']
found = [index for index, form in enumerate(forms) if form in text]
print('echo forms found in the output: %s' % (found or 'none'))
sys.exit(1 if found else 0)
PY
