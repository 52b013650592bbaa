#!/usr/bin/env bash
# Sourced by the runme.sh of the BAS-IP targets with the module's name first: runs the
# target's playbook.yml against two simulated panels (BASIP_PANELS to change) twice, once on the controller path
# (the action plugin runs the logic inside the controller, the default for local tasks)
# and once on the module path (SIPFLEET_FORCE_MODULE=1), each against a fresh simulator.
# Both runs make the same assertions, so both paths behave the same. Each playbook runs at
# -vvv and its whole output is searched for every secret of the run: the SIP passwords and
# the MD5 digest of the panels' web password (also when the playbook fails: simulator.sh
# searches SIM_WATCHED on exit).
module="$1"
shift

run_path() {
    local path="$1" force="$2"
    shift 2
    (
        # shellcheck source=./simulator.sh
        source "$(dirname "${BASH_SOURCE[0]}")/simulator.sh" --panels "${BASIP_PANELS:-2}"
        sip_password="Sip-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        new_sip_password="Rot-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        output="$(dirname "$SIM_STATE")/output.txt"
        SIM_WATCHED+=("$output")
        SIM_EXTRA_SECRETS+=("$sip_password" "$new_sip_password")
        echo "=== $module on the $path path"
        # the run's secrets in a file, not on the command line (-vvvv prints the extra vars given there)
        printf '{"sip_password": "%s", "new_sip_password": "%s"}\n' "$sip_password" "$new_sip_password" \
            > "$(dirname "$SIM_STATE")/run_secrets.json"
        SIPFLEET_FORCE_MODULE="$force" ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" \
            -e "@$(dirname "$SIM_STATE")/run_secrets.json" -vvv "$@" | tee "$output"
        assert_no_secrets "$output" "${SIM_EXTRA_SECRETS[@]}"
        # The path taken shows at -vvv: the action plugin says so, the module path transfers the module.
        in_controller="$(grep -c "running sipfleet.provision.$module in the controller" "$output" || true)"
        as_module="$(grep -c "AnsiballZ_$module.py" "$output" || true)"
        if [ "$path" = controller ] && { [ "$in_controller" -eq 0 ] || [ "$as_module" -ne 0 ]; }; then
            echo "$module did not run in the controller ($in_controller, $as_module)" >&2
            exit 1
        fi
        if [ "$path" = module ] && { [ "$in_controller" -ne 0 ] || [ "$as_module" -eq 0 ]; }; then
            echo "$module did not run as a module ($in_controller, $as_module)" >&2
            exit 1
        fi
    )
}

run_path controller 0 "$@"
run_path module 1 "$@"
