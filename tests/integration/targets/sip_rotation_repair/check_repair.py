# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of the rotation-repair target (runme.sh), from the simulators' state and request log.

    python check_repair.py STATE_FILE holding
    python check_repair.py STATE_FILE record RECORD_FILE [HOST ...]
    python check_repair.py STATE_FILE writes TARGET METHOD PATH_PART COUNT

``holding``: every Vobiz panel holds the password of the credential its user names, and every
RingCentral panel the current identity of its device (its authorization ID is the last one
issued, and its password the device's). ``record``: the rotation record names exactly HOSTs (none: no file, or an empty record).
``writes``: the log of the targets TARGET (a shell pattern) has COUNT requests of METHOD whose path
holds PATH_PART that reached the service (an injected fault answered none of them). Never prints a
secret.
"""

from __future__ import annotations

import fnmatch
import json
import sys
import urllib.request


def fail(message):
    sys.exit('check_repair: ' + message)


def get(url):
    return json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10))


def holding(state):
    control = state['control']
    credentials = dict((c['username'], c) for c in get(control + '/targets/vobiz/state')['credentials'])
    devices = get(control + '/targets/ringcentral/state')['devices']
    wrong, shown = [], []
    for panel in sorted(name for name in state['targets'] if name.startswith('panel-')):
        settings = get('%s/targets/%s/state' % (control, panel))
        if settings['realm'].endswith('.sip.vobiz.ai'):
            credential = credentials.get(settings['user'])
            ok = credential is not None and credential['enabled'] and credential['password'] == settings['password']
            shown.append('%s: credential %s' % (panel, settings['user']))
        else:
            device = [d for d in devices.values() if d.get('authorization_id') == settings['user_id']]
            ok = len(device) == 1 and device[0]['password'] == settings['password']
            shown.append('%s: the current identity of device %s' % (panel, device[0]['id'] if device else '?'))
        if not ok:
            wrong.append(panel)
    if wrong:
        fail('not holding the password of their credential or identity: %s' % ', '.join(wrong))
    print('every panel holds its password: %s' % '; '.join(shown))


def record(state, path, *hosts):
    try:
        with open(path) as handle:
            found = json.load(handle).get('hosts')
    except FileNotFoundError:  # no rotation yet
        found = []
    if found != sorted(hosts):
        fail('the rotation record names %s, not %s' % (found, sorted(hosts)))
    print('the rotation record names: %s' % (', '.join(found) or 'none'))


def writes(state, target, method, part, count):
    log = get(state['control'] + '/log')
    found = [e for e in log if fnmatch.fnmatch(e['target'], target) and e['method'] == method and part in e['path']
             and not e.get('fault')]
    if len(found) != int(count):
        fail('%d %s requests to %s with %r, expected %s: %s' % (
            len(found), method, target, part, count, ', '.join('%s %s' % (e['target'], e['path']) for e in found)))
    print('%s *%s* that reached %s: %d' % (method, part, target, len(found)))


def main(state_file, command, *args):
    with open(state_file) as handle:
        state = json.load(handle)
    dict(holding=holding, record=record, writes=writes)[command](state, *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
