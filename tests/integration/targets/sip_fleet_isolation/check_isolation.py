# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of the sip_fleet_isolation target that the other targets' checks do not make.

    python check_isolation.py slice PRIVATE_DATA_DIR IDENT NUMBER RETRIES
        the job events of slice NUMBER (ansible-runner run IDENT): slice 1 ensured the trunk and
        did not wait for it; every other slice did not write it and read it after waiting
        (between 1 and RETRIES retries of the read)
    python check_isolation.py trunks STATE_FILE NAME COUNT
        the Vobiz account holds COUNT trunks named NAME
    python check_isolation.py failed LOG HOST TEXT...
        HOST's failure in LOG (ansible-playbook output) names HOST and says every TEXT

Prints what it checked; exits non-zero with the first difference. Never prints a secret.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request

TRUNK_TASK = "Ensure the fleet's trunk and attach its credential"
READ_TASK = "Read the fleet's trunk (ensured by the account part, or by the first job slice)"


def fail(message):
    sys.exit('check_isolation: ' + message)


def events_of(pdd, ident):
    directory = os.path.join(pdd, 'artifacts', ident, 'job_events')
    found = []
    for name in os.listdir(directory):
        with open(os.path.join(directory, name)) as handle:
            found.append(json.load(handle))
    return found


def slice_events(pdd, ident, number, retries):
    number, retries = int(number), int(retries)
    events = events_of(pdd, ident)

    def of(task, *kinds):
        return [e for e in events if e.get('event') in kinds
                and str(e.get('event_data', {}).get('task', '')).endswith(task)]

    wrote = [e for e in of(TRUNK_TASK, 'runner_on_ok') if e['event_data']['res'].get('changed')]
    skipped_write = of(TRUNK_TASK, 'runner_on_skipped')
    read = of(READ_TASK, 'runner_on_ok')
    waits = of(READ_TASK, 'runner_retry')
    if of(TRUNK_TASK, 'runner_on_failed') or of(READ_TASK, 'runner_on_failed'):
        fail('slice %d: the trunk task or the trunk read failed' % number)
    if number == 1:
        if len(wrote) != 1 or read:
            fail('slice 1: %d changed trunk task result(s) and %d trunk read(s), expected 1 and 0' % (len(wrote), len(read)))
        print('slice 1: ensured the trunk (created it), did not wait for it')
        return
    if wrote or len(skipped_write) != 1 or len(read) != 1:
        fail('slice %d: trunk written %d time(s), write skipped %d, read %d; expected 0, 1, 1'
             % (number, len(wrote), len(skipped_write), len(read)))
    if not 1 <= len(waits) <= retries:
        fail('slice %d: %d retries of the trunk read, expected 1 to %d (it ran while slice 1 created the trunk)'
             % (number, len(waits), retries))
    print('slice %d: wrote no trunk, read it after %d retries' % (number, len(waits)))


def trunks(state_file, name, count):
    with open(state_file) as handle:
        control = json.load(handle)['control']
    state = json.load(urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
        control + '/targets/vobiz/state'))
    found = [t for t in state['trunks'] if t['name'] == name]
    if len(found) != int(count):
        fail('%d trunks named %s, expected %s' % (len(found), name, count))
    print('trunks named %s: %d' % (name, len(found)))


def failed(log_file, host, *texts):
    with open(log_file) as handle:
        lines = [line for line in handle.read().splitlines() if line.startswith('fatal: [%s]' % host)]
    if len(lines) != 1:
        fail('%d failure lines of %s, expected one' % (len(lines), host))
    message = lines[0]
    for text in (host + ':',) + texts:
        if text not in message:
            fail('the failure of %s does not say %r' % (host, text))
    others = sorted(set(re.findall(r'\bpanel-\d+\b', message)) - {host})
    if others:
        fail('the failure of %s names other panels too: %s' % (host, others))
    print('%s failed alone, saying: %s' % (host, ', '.join(repr(t) for t in (host + ':',) + texts)))


def main(check, *args):
    {'slice': slice_events, 'trunks': trunks, 'failed': failed}[check](*args)


if __name__ == '__main__':
    main(*sys.argv[1:])
