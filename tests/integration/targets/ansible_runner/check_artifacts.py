# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on the artifacts of an ansible-runner run of playbooks/site.yml (used by runme.sh).

    python check_artifacts.py PRIVATE_DATA_DIR IDENT STATE_FILE SECRETS_FILE MARKER [CHANGED_HOST...]

The run succeeded; its final stats (from the job events) name exactly CHANGED_HOSTS as
changed and no host as failed or unreachable; every host has its own result of the role's
per-host task (basip_sip, "The panel's SIP settings"); the RingCentral identity task's results
are censored (no_log); and no secret of the run (those handed to it,
SECRETS_FILE, and those the simulators issued during it: client secret, JWT, SIP passwords,
access tokens) appears in any file below the private data directory's artifacts/ (job events,
stdout, command, status, fact cache...). MARKER, a value handed to the run through
env/envvars, must appear in the artifacts: it proves the scan reads them, and that
environment variables given to ansible-runner are written into them (never hand it secrets
that way). Never prints a secret.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')
PANEL_TASK = "The panel's SIP settings"


def fail(message):
    sys.exit('check_artifacts: ' + message)


def get(url):
    return json.load(urllib.request.urlopen(url))


def run_secrets(fleet, secrets_file):
    with open(secrets_file) as handle:
        found = json.load(handle)
    rc = get(fleet['control'] + '/targets/ringcentral/state')
    found += [rc['client_secret'], rc['jwt']] + [d['password'] for d in rc['devices'].values()]
    found += rc['issued']['access_tokens']
    vobiz = get(fleet['control'] + '/targets/vobiz/state')
    found += [c['password'] for c in vobiz['credentials'] if c.get('password')]
    return sorted(set(s for s in found if s))


def main(pdd, ident, state_file, secrets_file, marker, *changed_hosts):
    with open(state_file) as handle:
        fleet = json.load(handle)
    artifacts = os.path.join(pdd, 'artifacts', ident)
    with open(os.path.join(artifacts, 'status')) as handle:
        status = handle.read().strip()
    with open(os.path.join(artifacts, 'rc')) as handle:
        rc = handle.read().strip()
    if (status, rc) != ('successful', '0'):
        fail('run %s: status %s, rc %s' % (ident, status, rc))

    events = []
    events_dir = os.path.join(artifacts, 'job_events')
    for name in os.listdir(events_dir):
        with open(os.path.join(events_dir, name)) as handle:
            events.append(json.load(handle))
    stats = [e['event_data'] for e in events if e.get('event') == 'playbook_on_stats']
    if len(stats) != 1:
        fail('run %s: %d playbook_on_stats events' % (ident, len(stats)))
    changed = sorted(h for h, count in stats[0].get('changed', {}).items() if count)
    if changed != sorted(changed_hosts):
        fail('run %s: changed hosts %s, expected %s' % (ident, changed, sorted(changed_hosts)))
    for key in ('failures', 'dark'):
        if stats[0].get(key):
            fail('run %s: %s %s' % (ident, key, sorted(stats[0][key])))
    ok = [e['event_data'] for e in events if e.get('event') == 'runner_on_ok']
    # each panel's own task: an ok event of basip_sip per host, on the panel's name (not delegated)
    panels = sorted(e['host'] for e in ok if e.get('task') == PANEL_TASK
                    and (e.get('resolved_action') or e.get('task_action')) in ('sipfleet.provision.basip_sip', 'basip_sip'))
    if not panels or panels != sorted(stats[0].get('processed', {})):
        fail('run %s: the hosts with a result of %r: %s, expected every host %s'
             % (ident, PANEL_TASK, panels, sorted(stats[0].get('processed', {}))))
    identity = [e for e in ok if e.get('task_action', '').endswith('sip_provision_info')]
    if any(not e['res'].get('censored') for e in identity):
        fail('run %s: a RingCentral identity result is not censored' % ident)

    secrets = run_secrets(fleet, secrets_file)
    scanned = files = 0
    marker_seen = False
    leaks = []
    for directory, _dirs, names in os.walk(os.path.join(pdd, 'artifacts')):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, 'rb') as handle:
                data = handle.read()
            files += 1
            scanned += len(data)
            marker_seen = marker_seen or marker.encode() in data
            for secret in secrets:
                for form in set((secret, json.dumps(secret)[1:-1])):
                    if form.encode() in data:
                        leaks.append(os.path.relpath(path, pdd))
    if leaks:
        fail('run %s: a secret of the run appears in %s' % (ident, sorted(set(leaks))))
    if not marker_seen:
        fail('run %s: the env/envvars marker is in no artifact: the scan did not read them' % ident)

    log = get(fleet['control'] + '/log')
    writes = [e for e in log if e['method'] in WRITES]
    print('run %s: %s, %d job events, changed %s, %d requests (%d writes); no secret in %d artifact files '
          '(%d bytes, %d secrets checked)' % (ident, status, len(events), changed or 'none', len(log), len(writes),
                                              files, scanned, len(secrets)))
    if not changed_hosts and writes:
        fail('run %s changed nothing but wrote %s' % (ident, ['%s %s' % (e['method'], e['path']) for e in writes][:5]))


if __name__ == '__main__':
    main(*sys.argv[1:])
