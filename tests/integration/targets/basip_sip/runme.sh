#!/usr/bin/env bash
# basip_sip against two simulated panels. The playbook runs at -vvv and its whole
# output is searched for every secret of the run: the SIP passwords and the MD5
# digest of the panels' web password.
set -euo pipefail
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 2
sip_password="Sip-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
new_sip_password="Rot-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
output="$(dirname "$SIM_STATE")/output.txt"
ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" \
    -e "sip_password=$sip_password" -e "new_sip_password=$new_sip_password" -vvv "$@" | tee "$output"
web_md5="$(printf '%s' 123456 | md5sum | cut -d' ' -f1)"
for secret in "$sip_password" "$new_sip_password" "$web_md5"; do
    if grep -qF -- "$secret" "$output"; then
        echo "a secret of the run appears in the output" >&2
        exit 1
    fi
done
echo "no secret in $(wc -l < "$output") lines of -vvv output"
