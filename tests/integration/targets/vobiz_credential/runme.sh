#!/usr/bin/env bash
# vobiz_credential against a simulated Vobiz account. The account's auth token is
# random for the run; the playbook runs at -vvv and its whole output is searched
# for every secret of the run: the token and the credential passwords.
set -euo pipefail
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 0 --vobiz
random() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
password="Vz-$(random)"
new_password="Rot-$(random)"
vobiz_token="tok-$(random)"
output="$(dirname "$SIM_STATE")/output.txt"
ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" -e "password=$password" \
    -e "new_password=$new_password" -e "vobiz_token=$vobiz_token" -vvv "$@" | tee "$output"
assert_no_secrets "$output" "$password" "$new_password" "$vobiz_token"
