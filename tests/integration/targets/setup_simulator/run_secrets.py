# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every secret the running simulator knows, one a line (used by simulator.sh).

    python run_secrets.py STATE_FILE WEB_PASSWORD

The panels' web password and its MD5 hex digest (what a panel accepts at login), each panel's
SIP password, every Vobiz credential password, and the RingCentral account's client secret,
JWT, device SIP passwords and every access and refresh token it issued. Reads the control
API only (loopback, no proxy); prints secrets, so its output goes to a file, never a log.
Values shorter than 8 characters (the factory defaults 123456) would match unrelated text;
they are left out, and their number is said on stderr.
"""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.request

MIN_LENGTH = 8
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _state(control, name):
    return json.load(_OPENER.open('%s/targets/%s/state' % (control, name)))


def run_secrets(fleet, web_password):
    found = [web_password, hashlib.md5(web_password.encode('utf-8')).hexdigest()]
    for name in sorted(fleet['targets']):
        state = _state(fleet['control'], name)
        if name == 'vobiz':
            found += [c['password'] for c in state['credentials']]
        elif name == 'ringcentral':
            found += [state['client_secret'], state['jwt']] + [d['password'] for d in state['devices'].values()]
            found += state['issued']['access_tokens'] + state['issued']['refresh_tokens']
        else:
            found.append(state['password'])
    return sorted(set(s for s in found if s))


if __name__ == '__main__':
    with open(sys.argv[1]) as handle:
        every = run_secrets(json.load(handle), sys.argv[2])
    searched = [s for s in every if len(s) >= MIN_LENGTH]
    if len(searched) < len(every):
        sys.stderr.write('(%d secret(s) shorter than %d characters not searched)\n' % (len(every) - len(searched), MIN_LENGTH))
    print('\n'.join(searched))
