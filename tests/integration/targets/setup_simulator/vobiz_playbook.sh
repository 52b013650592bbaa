#!/usr/bin/env bash
# Sourced by the runme.sh of the Vobiz targets: runs the target's playbook.yml against a
# simulated Vobiz account at -vvv, with a password, a new password and an auth token made
# for the run, then searches the whole output for those three secrets.
# shellcheck source=./simulator.sh
source "$(dirname "${BASH_SOURCE[0]}")/simulator.sh" --panels 0 --vobiz
random() { od -An -N6 -tx1 /dev/urandom | tr -d ' \n'; }
password="Vz-$(random)"
new_password="Rot-$(random)"
vobiz_token="tok-$(random)"
output="$(dirname "$SIM_STATE")/output.txt"
SIM_WATCHED+=("$output")  # searched on exit too, even when the playbook fails
SIM_EXTRA_SECRETS+=("$password" "$new_password" "$vobiz_token")
# the run's secrets in a file, not on the command line (-vvvv prints the extra vars given there)
printf '{"password": "%s", "new_password": "%s", "vobiz_token": "%s"}\n' "$password" "$new_password" "$vobiz_token" \
    > "$(dirname "$SIM_STATE")/run_secrets.json"
ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" -e "@$(dirname "$SIM_STATE")/run_secrets.json" \
    -vvv "$@" | tee "$output"
assert_no_secrets "$output" "${SIM_EXTRA_SECRETS[@]}"
