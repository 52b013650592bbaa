# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions on the simulators' state after the fleet playbooks (used by runme.sh).

    python check_fleet.py STATE_FILE INVENTORY_DIR converged [PASSWORDS_FILE]
    python check_fleet.py STATE_FILE INVENTORY_DIR no-writes
    python check_fleet.py STATE_FILE INVENTORY_DIR vobiz-requests ['METHOD PATH=COUNT'...]
    python check_fleet.py STATE_FILE INVENTORY_DIR panel-writes HOST=COUNT...
    python check_fleet.py STATE_FILE INVENTORY_DIR recap LOG CHANGED_HOSTS...
    python check_fleet.py STATE_FILE INVENTORY_DIR drift REPORT_JSON HOSTS...

Prints what it checked; exits non-zero with the first difference. Never prints a secret.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


def get(url):
    return json.load(urllib.request.urlopen(url))


def fail(message):
    sys.exit('check_fleet: ' + message)


def hosts(inventory):
    with open(inventory + '/hosts') as handle:
        return dict(re.findall(r'^(panel-\d+) (.*)$', handle.read(), re.M))


def converged(fleet, inventory, passwords_file=None):
    group_vars = json.load(open(inventory + '/group_vars/panels.yml'))
    passwords = group_vars['demo_trunk_passwords']
    if passwords_file:
        passwords.update(json.load(open(passwords_file))['demo_trunk_passwords'])
    control = fleet['control']
    vobiz = get(control + '/targets/vobiz/state')
    credentials = dict((c['username'], c) for c in vobiz['credentials'])
    ringcentral = get(control + '/targets/ringcentral/state')
    prefix = group_vars['sip_fleet_username_prefix']
    declared = group_vars['sip_fleet_vobiz_trunk']
    trunks = [t for t in vobiz['trunks'] if t['name'] == declared['name']]
    if len(trunks) != 1:
        fail('%d trunks named %r, expected one' % (len(trunks), declared['name']))
    trunk = trunks[0]
    attached = credentials.get(declared['credential'], {}).get('id')
    if not attached or trunk['credential_uuid'] != attached:
        fail('trunk %r does not hold credential %s' % (declared['name'], declared['credential']))
    if trunk['concurrent_calls_limit'] != declared['concurrent_calls_limit']:
        fail('trunk %r: concurrent_calls_limit is %r' % (declared['name'], trunk['concurrent_calls_limit']))
    domain = '%s.sip.vobiz.ai' % trunk['trunk_id']
    wanted_usernames = set()
    for host, variables in sorted(hosts(inventory).items()):
        panel = get('%s/targets/%s/state' % (control, host))
        device = re.search(r'sip_fleet_ringcentral_device_id=(\d+)', variables)
        if device:
            identity = ringcentral['devices'][device.group(1)]
            expect = dict(realm='sip.ringcentral.com', user=identity['username'], transport='udp')
            secret = identity['password']
            if panel.get('user_id') != ringcentral['issued']['authorization_ids'][-1] and \
                    panel.get('user_id') not in ringcentral['issued']['authorization_ids']:
                fail('%s: user_id is not an authorization id RingCentral issued' % host)
        else:
            username = prefix + host.replace('-', '')
            wanted_usernames.add(username)
            expect = dict(proxy='sip:' + domain, realm='MA_SIMUL001.sip.vobiz.ai', user=username,
                          user_id=username, transport='udp', registration_interval=300,
                          stun={'ip': 'stun.example.com', 'port': 3478})
            secret = passwords[host]
            credential = credentials.get(username)
            if credential is None:
                fail('%s: no Vobiz credential %s' % (host, username))
            if credential['password'] != secret:
                fail('%s: credential %s does not hold the declared password' % (host, username))
        for key, value in expect.items():
            if panel.get(key) != value:
                fail('%s: %s is %r, expected %r' % (host, key, panel.get(key), value))
        if panel['password'] != secret:
            fail('%s: the panel does not hold the password of its identity' % host)
    in_scope = set(u for u in credentials if u.startswith(prefix))
    if in_scope != wanted_usernames:
        fail('credentials in scope %s: %s, expected %s' % (prefix, sorted(in_scope), sorted(wanted_usernames)))
    print('converged: %d panels hold their identity; %d credentials in scope %r, %d outside it kept; '
          'trunk %r holds %s, panels register to its domain'
          % (len(hosts(inventory)), len(in_scope), prefix, len(credentials) - len(in_scope), declared['name'],
             declared['credential']))


def no_writes(fleet, inventory):
    log = get(fleet['control'] + '/log')
    # A RingCentral token and its revocation open and close the run's session (a drift run reads
    # sip-info with it); they write nothing the fleet declares. sip-provision would.
    writes = ['%s %s %s' % (e['target'], e['method'], e['path']) for e in log
              if e['method'] in WRITES and not e['path'].startswith('/restapi/oauth/')]
    if writes:
        fail('expected no writes, got %s' % writes[:5])
    vobiz = [e['method'] + ' ' + e['path'].split('/MA_SIMUL001')[-1] for e in log if e['target'] == 'vobiz']
    print('no writes: %d requests, all reads (Vobiz: %s)' % (len(log), ', '.join(vobiz)))


def panel_writes(fleet, inventory, *expected):
    """Each EXPECTED ``HOST=COUNT``: the writes (POST, PUT, PATCH, DELETE) the panel was sent since the
    log was cleared; every other panel of the log was sent none."""
    log = get(fleet['control'] + '/log')
    wanted = dict((host, int(count)) for host, count in (item.split('=', 1) for item in expected))
    writes = {}
    for entry in log:
        if entry['target'].startswith('panel-') and entry['method'] in WRITES:
            writes.setdefault(entry['target'], []).append('%s %s' % (entry['method'], entry['path']))
    for host in sorted(set(wanted) | set(writes)):
        if len(writes.get(host, [])) != wanted.get(host, 0):
            fail('%s was sent %s, expected %d write(s)' % (host, writes.get(host, []), wanted.get(host, 0)))
    print('panel writes: %s' % (', '.join('%s %s' % (host, ' + '.join(sorted(set(paths))))
                                          for host, paths in sorted(writes.items())) or 'none'))


def vobiz_requests(fleet, inventory, *expected):
    """The Vobiz requests since the log was cleared, by method and path; each EXPECTED
    ``METHOD PATH=COUNT`` (PATH below the account, an object's id as ID) must match."""
    log = [e for e in get(fleet['control'] + '/log') if e['target'] == 'vobiz']
    counts = {}
    for entry in log:
        key = '%s %s' % (entry['method'], re.sub('/[0-9a-f-]{36}$', '/ID', entry['path'].split('/MA_SIMUL001')[-1]))
        counts[key] = counts.get(key, 0) + 1
    print('vobiz requests: %d (%s)' % (len(log), ', '.join('%s x%d' % item for item in sorted(counts.items()))))
    for item in expected:
        key, count = item.rsplit('=', 1)
        if counts.get(key, 0) != int(count):
            fail('%d requests %s to Vobiz, expected %s' % (counts.get(key, 0), key, count))


def recap(fleet, inventory, log_file, *changed_hosts):
    text = open(log_file).read()
    changed = sorted(host for host, count in re.findall(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)', text, re.M)
                     if count != '0')
    if changed != sorted(changed_hosts):
        fail('changed hosts %s, expected %s' % (changed, sorted(changed_hosts)))
    print('recap: changed hosts %s' % (changed or 'none'))


def drift(fleet, inventory, report_file, *drifted_hosts):
    report = json.load(open(report_file))
    drifted = sorted(h for h, entry in report['hosts'].items() if entry['status'] == 'drift')
    if drifted != sorted(drifted_hosts):
        fail('drifted hosts %s, expected %s' % (drifted, sorted(drifted_hosts)))
    print('drift report: %s' % report['summary'])


def main(state_file, inventory, check, *args):
    fleet = json.load(open(state_file))
    {'converged': converged, 'no-writes': no_writes, 'recap': recap, 'drift': drift,
     'vobiz-requests': vobiz_requests, 'panel-writes': panel_writes}[check](fleet, inventory, *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
