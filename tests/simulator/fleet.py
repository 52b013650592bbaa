# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start a simulated fleet in this process, or from the command line:

    python -m tests.simulator --panels 50 --state-file /tmp/fleet.json

The state file (JSON) names the control API's URL and every target's URL. The process
serves until it receives SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .basip import Panel
from .registration import start_registration
from .server import ControlApp, Simulator


def panel_name(index):
    return 'panel-%03d' % index


def start_fleet(panels=0, host='127.0.0.1', web_password='123456', vobiz=False, ringcentral=False,
                rc_window=60, rc_devices=None):
    """A running simulator with ``panels`` panels, optionally a Vobiz and a RingCentral account,
    and its control API; returns (simulator, urls).

    ``rc_window``: the RingCentral rate-limit window and penalty in seconds (RingCentral's is 60;
    a shorter one keeps tests of real-size fleets fast with the real limits). ``rc_devices``: that
    many numbered devices (ringcentral.numbered_devices) instead of the two default ones."""
    simulator = Simulator(host)
    control = simulator.add('control', ControlApp(simulator))
    for index in range(1, panels + 1):
        simulator.add(panel_name(index), Panel(web_password=web_password))
    if vobiz:
        from .vobiz import VobizAccount
        simulator.add('vobiz', VobizAccount())
    if ringcentral:
        from .ringcentral import RingCentralAccount, numbered_devices
        devices = None if rc_devices is None else numbered_devices(rc_devices)
        simulator.add('ringcentral', RingCentralAccount(devices=devices, window=rc_window))
    simulator.start()
    urls = simulator.urls()
    urls.pop('control')
    return simulator, dict(control=control, targets=urls)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.simulator', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--panels', type=int, default=3, help='number of BAS-IP panels (default 3)')
    parser.add_argument('--host', default='127.0.0.1', help='loopback address to listen on')
    parser.add_argument('--web-password', default='123456', help="the panels' web password")
    parser.add_argument('--registrar', action='store_true',
                        help='start a Kamailio registrar on loopback and a SIP user agent per panel '
                             '(needs kamailio: tests/registrar/install.sh; docs/registrar.md)')
    parser.add_argument('--registrar-scale', type=float, default=0.1,
                        help="the panels register for registration_interval times this (default 0.1)")
    parser.add_argument('--vobiz', action='store_true', help='add a Vobiz account (target "vobiz")')
    parser.add_argument('--ringcentral', action='store_true',
                        help='add a RingCentral account (target "ringcentral")')
    parser.add_argument('--rc-window', type=float, default=60,
                        help='RingCentral rate-limit window and penalty in seconds (default 60, as RingCentral)')
    parser.add_argument('--rc-devices', type=int,
                        help='RingCentral devices 802398800001... (default: the two example devices)')
    parser.add_argument('--state-file', help='write the URLs here (JSON) once listening')
    args = parser.parse_args(argv)
    if args.rc_window <= 0:
        parser.error('--rc-window must be positive')
    simulator, urls = start_fleet(args.panels, args.host, args.web_password, args.vobiz, args.ringcentral,
                                  args.rc_window, args.rc_devices)
    if args.registrar:
        urls['registrar'] = start_registration(simulator, args.registrar_scale)
    text = json.dumps(urls, indent=1, sort_keys=True)
    if args.state_file:
        tmp = args.state_file + '.tmp'
        with open(tmp, 'w') as handle:
            handle.write(text)
        os.replace(tmp, args.state_file)
    else:
        print(text, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    simulator.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
