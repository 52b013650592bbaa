#!/usr/bin/env bash
# sip_provision_info against a simulated RingCentral account, and its identity fed into a
# simulated BAS-IP panel. The RingCentral credentials come from the environment
# (RINGCENTRAL_*), as the module's fallbacks read them. The playbook runs at -vvvv and its
# whole output is searched for every secret of the run: the client secret, the JWT, every
# access and refresh token issued, and every SIP password.
set -euo pipefail
# shellcheck source=../setup_simulator/simulator.sh
source ../setup_simulator/simulator.sh --panels 1 --ringcentral
output="$(dirname "$SIM_STATE")/output.txt"
SIM_WATCHED+=("$output")  # searched on exit too, with every token the account issued by then

account() {
    # The simulated account's state (it holds the secrets), one field per line as asked.
    "$SIM_PYTHON" - "$SIM_STATE" "$1" <<'PY'
import json, shlex, sys, urllib.request
urls = json.load(open(sys.argv[1]))
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
state = json.load(opener.open(urls['control'] + '/targets/ringcentral/state'))
if sys.argv[2] == 'environment':
    for name in ('client_id', 'client_secret', 'jwt'):
        print('export RINGCENTRAL_%s=%s' % (name.upper(), shlex.quote(state[name])))
    print('export RINGCENTRAL_SERVER_URL=%s' % shlex.quote(urls['targets']['ringcentral']))
else:
    secrets = [state['client_secret'], state['jwt']] + state['issued']['access_tokens']
    secrets += state['issued']['refresh_tokens'] + [d['password'] for d in state['devices'].values()]
    print('\n'.join(secrets))
PY
}

eval "$(account environment)"
ansible-playbook -i localhost, -c local playbook.yml -e "@$SIM_STATE" -vvvv "$@" | tee "$output"

mapfile -t secrets < <(account secrets)
assert_no_secrets "$output" "${secrets[@]}"
