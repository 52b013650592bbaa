# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print shell exports of the simulated RingCentral account's credentials (RINGCENTRAL_*), as
the RingCentral modules' environment fallbacks read them:

    eval "$("$SIM_PYTHON" "$SIM_SETUP/ringcentral_env.py" "$SIM_STATE")"
"""

from __future__ import annotations

import json
import shlex
import sys
import urllib.request

urls = json.load(open(sys.argv[1]))
state = json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
    urls['control'] + '/targets/ringcentral/state'))
for name in ('client_id', 'client_secret', 'jwt'):
    print('export RINGCENTRAL_%s=%s' % (name.upper(), shlex.quote(state[name])))
print('export RINGCENTRAL_SERVER_URL=%s' % shlex.quote(urls['targets']['ringcentral']))
