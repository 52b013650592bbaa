# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on the registrar's own location table (``kamcmd ul.dump``), used by runme.sh.

    python check_registration.py STATE_FILE registered [--not HOST ...]
    python check_registration.py STATE_FILE gaps GAPS_JSON
    python check_registration.py STATE_FILE refused HOST REASON_PART
    python check_registration.py STATE_FILE fresh SINCE_EPOCH

``registered``: waits (at most 20 s) until the AOR of every panel but the ``--not`` ones is in
the location table and those are not; the AOR is ``user@host of proxy`` from the panel's
stored settings. ``gaps``: the longest absence of any panel's AOR during the watch
(``python -m tests.registrar watch``) is shorter than one refresh, and every one is present
at the end. ``refused``: the panel's user agent reports a failure whose reason contains
REASON_PART, its status call says ERROR, and its AOR is not in the table. ``fresh``: every
panel's last registration succeeded after SINCE_EPOCH. Never prints a secret.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.environ['COLLECTION_ROOT'])
from tests.registrar.kamailio import Kamailio  # noqa: E402 pylint: disable=wrong-import-position
from tests.simulator.sip_ua import split_host_port  # noqa: E402 pylint: disable=wrong-import-position

REFRESH = 0.6  # tests/simulator/sip_ua.py: a panel refreshes after this part of its expiry


def fail(message):
    sys.exit('check_registration: ' + message)


def get(url):
    return json.load(urllib.request.urlopen(url, timeout=10))


class Fleet:
    def __init__(self, state_file):
        self.state = json.load(open(state_file))
        self.control = self.state['control']
        self.panels = sorted(name for name in self.state['targets'] if name.startswith('panel-'))
        self.registrar = Kamailio(workdir=os.path.dirname(self.state['registrar']['ctl']))
        self.registrar.ctl = self.state['registrar']['ctl']

    def aor(self, panel):
        settings = get('%s/targets/%s/state' % (self.control, panel))
        host = split_host_port(settings['proxy'])[0]
        return '%s@%s' % (settings['user'], host)

    def table(self):
        return self.registrar.registered()

    def agent(self, panel):
        return get('%s/targets/%s/sip-ua' % (self.control, panel))

    def refresh(self):
        return max(1, round(300 * self.state['registrar']['scale'])) * REFRESH


def registered(fleet, *args):
    absent = set(args[1:]) if args[:1] == ('--not',) else set()
    wanted = dict((panel, fleet.aor(panel)) for panel in fleet.panels)
    deadline = time.monotonic() + 20
    while True:
        table = fleet.table()
        missing = [p for p in fleet.panels if p not in absent and wanted[p] not in table]
        extra = [p for p in absent if wanted[p] in table]
        if not missing and not extra:
            break
        if time.monotonic() > deadline:
            fail('not registered: %s; registered but should not be: %s; the panels say: %s' % (
                ', '.join(missing) or 'none', ', '.join(extra) or 'none',
                '; '.join('%s %s %s' % (p, fleet.agent(p)['state'], fleet.agent(p).get('reason', ''))
                          for p in missing + extra)))
        time.sleep(0.2)
    transports = dict((p, fleet.agent(p).get('transport')) for p in fleet.panels if p not in absent)
    print('%d of %d panels registered in the registrar\'s location table (%s); transports: %s' % (
        len(fleet.panels) - len(absent), len(fleet.panels), fleet.state['registrar']['version'],
        ', '.join('%s %s' % (p, t) for p, t in sorted(transports.items()))))


def gaps(fleet, gaps_file):
    watched = json.load(open(gaps_file))
    aors = dict((fleet.aor(p), p) for p in fleet.panels)
    missing = [aors[a] for a in aors if a not in watched['aors'] or not watched['aors'][a]['present_at_end']]
    if missing:
        fail('not registered at the end of the watch: %s' % ', '.join(missing))
    longest = max((watched['aors'][a]['longest_gap'], aors[a]) for a in aors)
    limit = fleet.refresh()
    print('longest registration gap during the rotation: %.2f s (%s), limit one refresh = %.1f s; '
          '%d samples over %.1f s' % (longest[0], longest[1], limit, watched['samples'], watched['seconds']))
    if longest[0] > limit:
        fail('%s was unregistered for %.2f s, longer than one refresh (%.1f s)' % (longest[1], longest[0], limit))


def refused(fleet, panel, reason):
    agent = fleet.agent(panel)
    status = get('%s/targets/%s/sip' % (fleet.control, panel))
    if agent['state'] != 'failed' or reason not in agent.get('reason', ''):
        fail('%s: the user agent reports %s %r, not a failure with %r' % (panel, agent['state'], agent.get('reason'), reason))
    if status.get('registration') != 'ERROR':
        fail('%s: the status call reports %s, not ERROR' % (panel, status.get('registration')))
    if fleet.aor(panel) in fleet.table():
        fail('%s: registered in the location table despite the wrong mapping' % panel)
    print('%s refused: %s %s; status ERROR; not in the location table' % (panel, agent['code'], agent['reason']))


def fresh(fleet, since):
    deadline = time.monotonic() + fleet.refresh() * 2 + 2
    stale = fleet.panels
    while stale and time.monotonic() < deadline:
        stale = [p for p in fleet.panels if fleet.agent(p)['state'] != 'registered' or fleet.agent(p)['time'] < float(since)]
        time.sleep(0.2)
    if stale:
        fail('no successful registration since the rotation: %s' % ', '.join(stale))
    print('every panel registered again with its new credentials after the rotation')


def main(state_file, command, *args):
    fleet = Fleet(state_file)
    dict(registered=registered, gaps=gaps, refused=refused, fresh=fresh)[command](fleet, *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
