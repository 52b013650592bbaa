# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Assertions of the ringcentral_fleet target on the simulator's request log.

    python check_rc.py STATE_FILE inventory DIRECTORY PANELS     write the inventory
    python check_rc.py STATE_FILE first PANELS WINDOW            the first provisioning run
    python check_rc.py STATE_FILE no-requests                    no request to RingCentral (converged)
    python check_rc.py STATE_FILE drift REPORT_JSON HOST         the drift run (reads only)
    python check_rc.py STATE_FILE clear                          empty the request log
"""

from __future__ import annotations

import json
import math
import os
import sys
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PROVISION = '/restapi/v1.0/client-info/sip-provision'


def call(url, method='GET', body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    return json.load(OPENER.open(request)) if method == 'GET' else OPENER.open(request).read()


def fail(message):
    sys.exit('ringcentral_fleet: ' + message)


def rc_log(fleet):
    return call('%s/log?target=ringcentral' % fleet['control'])


def inventory(fleet, directory, panels):
    """panel-NNN takes device NNN: by id, the last three by serial, the two before by name."""
    account = call('%s/targets/ringcentral/state' % fleet['control'])
    count = int(panels)
    lines = ['[panels]']
    for index in range(1, count + 1):
        device = account['devices']['80239880%04d' % index]
        if index > count - 3:
            naming = 'sip_fleet_ringcentral_device_serial=%s' % device['serial']
        elif index > count - 5:
            naming = "sip_fleet_ringcentral_device_name='%s'" % device['name']
        else:
            naming = 'sip_fleet_ringcentral_device_id=%s' % device['id']
        lines.append('panel-%03d sip_fleet_panel_api_url=%s %s' % (index, fleet['targets']['panel-%03d' % index], naming))
    os.makedirs(os.path.join(directory, 'group_vars'), exist_ok=True)
    with open(os.path.join(directory, 'hosts'), 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    group_vars = dict(
        ansible_connection='local', ansible_python_interpreter='{{ ansible_playbook_python }}',
        sip_fleet_source='ringcentral', sip_fleet_panel_api_password='123456',
        sip_fleet_ringcentral_server_url=fleet['targets']['ringcentral'],
        sip_fleet_ringcentral_client_id=account['client_id'],
        sip_fleet_ringcentral_client_secret=account['client_secret'], sip_fleet_ringcentral_jwt=account['jwt'])
    with open(os.path.join(directory, 'group_vars', 'panels.yml'), 'w') as handle:
        json.dump(group_vars, handle, indent=1)


def counts(entries):
    found = {}
    for entry in entries:
        key = '%s %s %s' % (entry['method'], entry['path'], entry['status'])
        found[key] = found.get(key, 0) + 1
    return found


def first(fleet, panels, window):
    entries, panels, window = rc_log(fleet), int(panels), float(window)
    summary = counts(entries)
    print('RingCentral requests of the first run: %s' % json.dumps(summary, sort_keys=True))
    if any(e['status'] == 429 for e in entries):
        fail('429 answers in the first run')
    tokens = [e for e in entries if e['path'] == '/restapi/oauth/token']
    revokes = [e for e in entries if e['path'] == '/restapi/oauth/revoke']
    if len(tokens) != 1 or len(revokes) != 1:
        fail('%d token requests and %d revocations, expected one each' % (len(tokens), len(revokes)))
    heavy = sorted(e['time'] for e in entries if e['path'] == PROVISION)
    if len(heavy) != panels or any(e['status'] != 200 for e in entries if e['path'] == PROVISION):
        fail('%d sip-provision calls for %d panels' % (len(heavy), panels))
    busiest = max(sum(1 for t in heavy if start <= t < start + window) for start in heavy)
    windows = math.ceil(panels / 10)
    span = heavy[-1] - heavy[0]
    print('sip-provision: %d calls over %.1fs, at most %d in any %gs window (%d windows)'
          % (len(heavy), span, busiest, window, windows))
    if busiest > 10 or span < (windows - 1) * window:
        fail('the Heavy calls are not spread over %d windows of %gs' % (windows, window))
    if tokens[0]['time'] > heavy[0] or revokes[0]['time'] < heavy[-1]:
        fail('the token must come first and its revocation last')


def no_requests(fleet):
    """A converged run: every panel holds its identity, so RingCentral is not asked for anything
    (no token, no sip-provision)."""
    entries = rc_log(fleet)
    if entries:
        fail('%d requests to RingCentral, expected none: %s' % (len(entries), json.dumps(counts(entries), sort_keys=True)))
    panels = call(fleet['control'] + '/log')
    writes = sorted(set('%s %s' % (e['method'], e['path']) for e in panels if e['method'] != 'GET'))
    if writes:
        fail('the panels were sent %s, expected reads (GET) only' % writes)
    print('RingCentral requests: none; the panels: %d requests, all GET' % len(panels))


def drift(fleet, report_file, host):
    entries = rc_log(fleet)
    print('RingCentral requests of the drift run: %s' % json.dumps(counts(entries), sort_keys=True))
    if any(e['path'] == PROVISION for e in entries):
        fail('the drift run called sip-provision')
    if any(e['status'] == 429 for e in entries):
        fail('429 answers in the drift run')
    oauth = [e['path'].rsplit('/', 1)[-1] for e in entries if '/oauth/' in e['path']]
    if oauth not in ([], ['token', 'revoke']):
        fail('the drift run must get no token, or one token and revoke it, not %s' % oauth)
    writes = ['%s %s' % (e['method'], e['path']) for e in entries if e['method'] != 'GET' and '/oauth/' not in e['path']]
    if writes:
        fail('the drift run sent RingCentral %s, expected reads only' % writes)
    report = json.load(open(report_file))
    drifted = sorted(h for h, entry in report['hosts'].items() if entry['status'] == 'drift')
    expected = [] if host == '-' else [host]  # '-': none
    if drifted != expected:
        fail('drifted hosts %s, expected %s' % (drifted, expected))


def main(state_file, check, *args):
    fleet = json.load(open(state_file))
    if check == 'clear':
        return call(fleet['control'] + '/log', method='DELETE')
    return {'inventory': inventory, 'first': first, 'no-requests': no_requests, 'drift': drift}[check](fleet, *args)


if __name__ == '__main__':
    main(*sys.argv[1:])
