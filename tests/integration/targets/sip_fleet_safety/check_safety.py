# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on the simulators after a run of the fleet playbooks (used by runme.sh).

    python check_safety.py STATE_FILE credentials PRESENT... [-- ABSENT...]
    python check_safety.py STATE_FILE requests TARGET METHOD PATH_PART COUNT   (* for any target or method)
    python check_safety.py STATE_FILE no-writes
    python check_safety.py STATE_FILE recap LOG HOST=STATUS...   (ok, changed, failed)
    python check_safety.py STATE_FILE panel HOST KEY VALUE
    python check_safety.py STATE_FILE task LOG TASK_NAME HOST=RESULT...   (ok, changed, fatal, skipping)
    python check_safety.py STATE_FILE ringcentral-issued COUNT   (authorization ids issued so far)

Prints what it checked; exits non-zero with the first difference. Never prints a secret.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url):
    return json.load(_OPENER.open(url))


def fail(message):
    sys.exit('check_safety: ' + message)


def credentials(fleet, *names):
    present = list(names[:names.index('--')] if '--' in names else names)
    absent = list(names[names.index('--') + 1:] if '--' in names else [])
    have = set(c['username'] for c in get(fleet['control'] + '/targets/vobiz/state')['credentials'])
    missing = sorted(set(present) - have)
    kept = sorted(set(absent) & have)
    if missing or kept:
        fail('credentials missing %s, present but expected gone %s' % (missing, kept))
    print('credentials: %s present, %s absent' % (present, absent))


def requests(fleet, target, method, path_part, count):
    log = get(fleet['control'] + '/log')
    found = [e for e in log if target in ('*', e['target']) and method in ('*', e['method']) and path_part in e['path']]
    if len(found) != int(count):
        fail('%d %s %s *%s* request(s), expected %s' % (len(found), target, method, path_part, count))
    print('requests: %d %s %s *%s*' % (len(found), target, method, path_part))


def no_writes(fleet):
    log = get(fleet['control'] + '/log')
    writes = ['%s %s %s' % (e['target'], e['method'], e['path']) for e in log if e['method'] in WRITES
              and not e['path'].startswith('/restapi/oauth/')]
    if writes:
        fail('expected no writes, got %s' % writes[:5])
    print('no writes: %d requests, all reads (or tokens)' % len(log))


def recap(fleet, log_file, *expected):
    text = open(log_file).read()
    status = {}
    for host, counts in re.findall(r'^(\S+)\s+: (ok=.*)$', text, re.M):
        numbers = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', counts))
        status[host] = ('failed' if numbers['failed'] or numbers['unreachable'] else
                        'changed' if numbers['changed'] else 'ok')
    wanted = dict(item.split('=', 1) for item in expected)
    if status != wanted:
        fail('recap %s, expected %s' % (sorted(status.items()), sorted(wanted.items())))
    print('recap: %s' % ', '.join('%s=%s' % item for item in sorted(status.items())))


def panel(fleet, host, key, value):
    state = get('%s/targets/%s/state' % (fleet['control'], host))
    if str(state.get(key)) != value:
        fail('%s: %s is %r, expected %r' % (host, key, state.get(key), value))
    print('panel %s: %s is %s' % (host, key, value))


def task(fleet, log_file, name, *expected):
    """The result line of each HOST in the output section of the task named NAME."""
    text = open(log_file).read()
    sections = re.findall(r'^TASK \[(?:[^\]]* : )?%s\] \**\n(.*?)(?=^TASK \[|^PLAY RECAP)' % re.escape(name), text, re.M | re.S)
    if not sections:
        fail('no task %r in %s' % (name, log_file))
    for item in expected:
        host, result = item.split('=', 1)
        if not re.search(r'^%s: \[%s( -> [^\]]+)?\]' % (re.escape(result), re.escape(host)), sections[-1], re.M):
            fail('task %r: no "%s: [%s]"' % (name, result, host))
    print('task %r: %s' % (name, ', '.join(expected)))


def ringcentral_issued(fleet, count):
    issued = get(fleet['control'] + '/targets/ringcentral/state')['issued']['authorization_ids']
    if len(issued) != int(count):
        fail('RingCentral issued %d authorization ids, expected %s' % (len(issued), count))
    print('RingCentral issued %d authorization ids' % len(issued))


def main(state_file, check, *args):
    with open(state_file) as handle:
        fleet = json.load(handle)
    {'credentials': credentials, 'requests': requests, 'no-writes': no_writes, 'recap': recap,
     'panel': panel, 'task': task, 'ringcentral-issued': ringcentral_issued}[check](fleet, *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
