# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on the simulator after a fleet_trickle run (used by runme.sh).

    python check_trickle.py STATE_FILE TRICKLE_PANEL USER_PREFIX TIMEOUT

From the request log and each panel's state: the trickling panel was sent its login, the settings
read and its logout, nothing else, and the read ended (the logout came) within TIMEOUT + 2 s of the
login; every other panel holds the settings of the run, written once. Prints the figures; exits
non-zero with the first difference. Never prints a secret.
"""

from __future__ import annotations

import collections
import json
import sys
import urllib.request

SETTINGS = '/api/v1/device/sip/settings'
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url):
    return json.load(_OPENER.open(url))


def fail(message):
    sys.exit('check_trickle: ' + message)


def check_trickled(entries, timeout):
    calls = ['%s %s' % (e['method'], e['path']) for e in entries]
    expected = ['GET /api/v1/login', 'GET ' + SETTINGS, 'GET /api/v1/logout']
    if calls != expected:
        fail('the trickling panel was sent %s, expected %s' % (calls, expected))
    login, read, logout = (e['time'] for e in entries)
    if not timeout - 0.2 <= logout - read <= timeout + 2 or logout - login > timeout + 2:
        fail('the trickled read ended %.2f s after it came (%.2f s after the login), outside [%g, %g] s'
             % (logout - read, logout - login, timeout, timeout + 2))
    print('trickling panel: read cut after %.2f s, login to logout %.2f s (timeout %g s)'
          % (logout - read, logout - login, timeout))


def check_converged(control, name, entries, user):
    writes = [e for e in entries if e['method'] == 'POST' and e['path'] == SETTINGS]
    if len(writes) != 1:
        fail('%s: %d writes of its settings, expected 1' % (name, len(writes)))
    state = get('%s/targets/%s/state' % (control, name))
    wanted = dict(proxy='sip:pbx-trickle.example.com', realm='pbx-trickle.example.com', user=user)
    differs = sorted(key for key, value in wanted.items() if state.get(key) != value)
    if differs:
        fail('%s: %s not as the run set them' % (name, ', '.join(differs)))


def main(state_file, trickle_panel, prefix, timeout):
    fleet = json.load(open(state_file))
    log = get(fleet['control'] + '/log')
    by_panel = collections.defaultdict(list)
    for entry in log:
        by_panel[entry['target']].append(entry)
    check_trickled(by_panel[trickle_panel], float(timeout))
    others = sorted(set(fleet['targets']) - {trickle_panel})
    for name in others:
        check_converged(fleet['control'], name, by_panel[name], prefix + name[-3:])
    times = [e['time'] for e in log]
    print('%d other panels converged, each written once; %d requests in %.2f s (%s)' % (
        len(others), len(log), max(times) - min(times),
        ', '.join('%s %d' % item for item in sorted(collections.Counter(
            '%s %s' % (e['method'], e['path']) for e in log).items()))))


if __name__ == '__main__':
    main(*sys.argv[1:])
