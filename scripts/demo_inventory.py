# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the demo's inventory for a running simulator (see scripts/demo.sh).

Every panel but the last two registers to a Vobiz trunk; the last two take their SIP
identity from RingCentral. Passwords are the demo's own, generated here: in real use
they live in a vault. The panels' web password is the simulator's (123456 unless given).

    python scripts/demo_inventory.py STATE_FILE DIRECTORY [WEB_PASSWORD]
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.request


def main(state_file, directory, web_password='123456'):
    fleet = json.load(open(state_file))
    targets = fleet['targets']
    panels = sorted(name for name in targets if name.startswith('panel-'))
    rc_account = json.load(urllib.request.urlopen('%s/targets/ringcentral/state' % fleet['control']))
    devices = sorted(rc_account['devices'])
    rc_panels = dict(zip(panels[-len(devices):], devices)) if len(panels) > len(devices) else {}
    os.makedirs(os.path.join(directory, 'group_vars'), exist_ok=True)
    lines = ['[panels]']
    for name in panels:
        extra = (' sip_fleet_source=ringcentral sip_fleet_ringcentral_device_id=%s' % rc_panels[name]
                 if name in rc_panels else '')
        lines.append('%s sip_fleet_panel_api_url=%s%s' % (name, targets[name], extra))
    with open(os.path.join(directory, 'hosts'), 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    group_vars = {
        'ansible_connection': 'local',
        'ansible_python_interpreter': '{{ ansible_playbook_python }}',
        'sip_fleet_panel_api_password': web_password,
        'sip_fleet_stun': {'ip': 'stun.example.com', 'port': 3478},
        'sip_fleet_registration_interval': 300,
        'sip_fleet_vobiz_api_url': targets['vobiz'],
        'sip_fleet_vobiz_auth_id': 'MA_SIMUL001',
        'sip_fleet_vobiz_auth_token': 'sim-token',
        'sip_fleet_vobiz_trunk': {'name': 'demo-panels', 'concurrent_calls_limit': 20,
                                  'credential': 'demo' + panels[0].replace('-', '')},
        'sip_fleet_username_prefix': 'demo',
        'sip_fleet_vobiz_purge': True,
        'sip_fleet_trunk_password': '{{ demo_trunk_passwords[inventory_hostname] }}',
        'demo_trunk_passwords': dict((name, 'Trunk-' + secrets.token_hex(6)) for name in panels),
        'sip_fleet_ringcentral_server_url': targets['ringcentral'],
        'sip_fleet_ringcentral_client_id': rc_account['client_id'],
        'sip_fleet_ringcentral_client_secret': rc_account['client_secret'],
        'sip_fleet_ringcentral_jwt': rc_account['jwt'],
    }
    with open(os.path.join(directory, 'group_vars', 'panels.yml'), 'w') as handle:
        json.dump(group_vars, handle, indent=1)
    print('%d panels (%d from RingCentral), control API at %s' % (len(panels), len(rc_panels), fleet['control']))


if __name__ == '__main__':
    main(*sys.argv[1:4])
