# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test registrar by hand (docs/registrar.md):

    python -m tests.registrar start [--port 5060] [--workdir DIR] [--domain DOMAIN=REALM ...]
    python -m tests.registrar add-user --ctl CTL REALM AUTH_USER [AOR_USER]   (password asked)
    python -m tests.registrar dump --ctl CTL
    python -m tests.registrar watch --ctl CTL --out FILE [--interval 0.1] [--seconds 300]

``dump`` prints the location table (JSON: AOR -> remaining seconds of each contact). ``watch``
samples it until SIGTERM/SIGINT or ``--seconds``, then writes per AOR the longest time it was
absent (``longest_gap``: from the last sample that had it to the next that has it again; 0 when
no sample missed it), whether the last sample had it, and the number of samples.
"""

from __future__ import annotations

import argparse
import getpass
import json
import signal
import sys
import threading
import time

from .kamailio import Kamailio, parse_ul_dump, version


def _attached(ctl):
    registrar = Kamailio(workdir='/nonexistent')
    registrar.ctl = ctl
    return registrar


def start(args):
    registrar = Kamailio(workdir=args.workdir, port=args.port, qop=not args.no_qop).start()
    for item in args.domain:
        domain, realm = item.partition('=')[::2]
        registrar.set_domain(domain, realm or domain)
    print(json.dumps(dict(version=version(), host=registrar.host, port=registrar.port, ctl=registrar.ctl,
                          log=registrar.log)), flush=True)
    _wait_for_signal()
    registrar.stop()


def add_user(args):
    password = getpass.getpass('SIP password of %s in %s: ' % (args.auth_user, args.realm))
    _attached(args.ctl).set_user(args.realm, args.auth_user, password, args.aor_user)


def dump(args):
    print(json.dumps(_attached(args.ctl).registered(), indent=1, sort_keys=True))


def watch(args):
    registrar, stop = _attached(args.ctl), threading.Event()
    seen, gaps, samples, previous = {}, {}, 0, set()
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set() and time.monotonic() - started < args.seconds:
        now = time.monotonic()
        present = set(parse_ul_dump(registrar.rpc('ul.dump').stdout))
        samples += 1
        for aor in present - previous:  # back after one or more samples without it
            if aor in seen:
                gaps[aor] = max(gaps.get(aor, 0.0), now - seen[aor])
        for aor in present:
            seen[aor] = now
        previous = present
        stop.wait(args.interval)
    end = time.monotonic()
    for aor in set(seen) - previous:  # absent at the end: gone since its last sample
        gaps[aor] = max(gaps.get(aor, 0.0), end - seen[aor])
    result = dict(samples=samples, seconds=round(end - started, 2), interval=args.interval,
                  aors=dict((aor, dict(longest_gap=round(gaps.get(aor, 0.0), 2), present_at_end=aor in previous))
                            for aor in seen))
    with open(args.out, 'w') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)


def _wait_for_signal():
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.registrar', description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    one = commands.add_parser('start', help='start Kamailio on loopback and wait for SIGTERM')
    one.add_argument('--port', type=int, help='UDP and TCP port (default: a free one)')
    one.add_argument('--workdir', help='configuration, control socket and log (default: a temporary one)')
    one.add_argument('--domain', action='append', default=[], help='DOMAIN=REALM served (repeatable)')
    one.add_argument('--no-qop', action='store_true', help='challenge without qop (RFC 2069 form)')
    one.set_defaults(run=start)
    one = commands.add_parser('add-user', help='add a user (asks for the password; stores its HA1)')
    one.add_argument('--ctl', required=True)
    one.add_argument('realm')
    one.add_argument('auth_user')
    one.add_argument('aor_user', nargs='?')
    one.set_defaults(run=add_user)
    one = commands.add_parser('dump', help='print the location table (JSON)')
    one.add_argument('--ctl', required=True)
    one.set_defaults(run=dump)
    one = commands.add_parser('watch', help='sample the location table; write the longest gap per AOR')
    one.add_argument('--ctl', required=True)
    one.add_argument('--out', required=True)
    one.add_argument('--interval', type=float, default=0.1)
    one.add_argument('--seconds', type=float, default=300)
    one.set_defaults(run=watch)
    args = parser.parse_args(argv)
    args.run(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
