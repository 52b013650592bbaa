# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real SIP registrar for the tests: Kamailio (Debian's ``kamailio`` package) on loopback.

``Kamailio(workdir).start()`` writes ``kamailio.cfg`` from ``kamailio.cfg.in`` (one UDP and one
TCP listener on a free port of 127.0.0.1, nothing else), starts ``kamailio`` in the foreground
and waits for its control socket. Domains and users are set at run time through that socket
(``kamcmd htable.sets``): the auth backend is three in-memory ``htable`` tables, which need no
database and change without a restart:

- ``domains``: To domain -> digest realm (e.g. ``{trunk_id}.sip.vobiz.ai`` -> ``{auth_id}.sip.vobiz.ai``);
- ``users``: ``realm:auth user`` -> HA1 = MD5(auth user:realm:password) (the password itself
  is never stored or passed on a command line);
- ``aors``: ``realm:auth user`` -> the user part of the AOR these credentials may register.

``registered()`` reads the registrar's own location table (``kamcmd ul.dump``). See
docs/registrar.md for starting it by hand.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'kamailio.cfg.in')
MODULES = ('/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/local/lib64/kamailio/modules')
START_TIMEOUT = 10.0


class RegistrarError(Exception):
    pass


def installed():
    """True when the kamailio and kamcmd programs are on PATH (or in /usr/sbin)."""
    return all(_program(name) for name in ('kamailio', 'kamcmd'))


def _program(name):
    return shutil.which(name) or shutil.which(name, path='/usr/sbin:/usr/local/sbin')


def version():
    """``kamailio 5.6.3`` (the first line of ``kamailio -v``)."""
    out = subprocess.run([_program('kamailio'), '-v'], capture_output=True, text=True, timeout=10, check=True).stdout
    return re.sub(r'^version:\s*', '', out.splitlines()[0]).split(' (')[0]


def ha1(user, realm, password):
    return hashlib.md5(('%s:%s:%s' % (user, realm, password)).encode('utf-8')).hexdigest()


def free_port(host):
    """A port free for both UDP and TCP on ``host``."""
    for attempt in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((host, 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((host, port))
                except OSError:
                    continue
            return port
    raise RegistrarError('no port free for both UDP and TCP on %s' % host)


def parse_ul_dump(text):
    """``kamcmd ul.dump`` -> {AOR: [remaining seconds of each live contact]}."""
    found, aor = {}, None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('AoR:'):
            aor = line[4:].strip()
            found.setdefault(aor, [])
        elif line.startswith('Expires:') and aor is not None:
            value = line[8:].strip()
            if value.isdigit() and int(value) > 0:
                found[aor].append(int(value))
            elif value == 'permanent':
                found[aor].append(float('inf'))
    return dict((aor, contacts) for aor, contacts in found.items() if contacts)


class Kamailio:
    """One Kamailio registrar process (see the module's docs)."""

    def __init__(self, workdir=None, host='127.0.0.1', port=None, qop=True, debug=2):
        if not host.startswith('127.'):
            raise RegistrarError('the test registrar listens on loopback only, not %s' % host)
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix='kamailio-')
        self.host, self.port, self.qop, self.debug = host, port, qop, debug
        self.ctl = os.path.join(self.workdir, 'kamailio.ctl')
        self.config = os.path.join(self.workdir, 'kamailio.cfg')
        self.log = os.path.join(self.workdir, 'kamailio.log')
        self.process = None

    @property
    def address(self):
        return (self.host, self.port)

    def write_config(self):
        modules = next((path for path in MODULES if os.path.isdir(path)), None)
        if modules is None:
            raise RegistrarError('no Kamailio module directory among %s' % ', '.join(MODULES))
        self.port = self.port or free_port(self.host)
        with open(TEMPLATE) as handle:
            text = handle.read()
        values = dict(HOST=self.host, PORT=str(self.port), MPATH=modules + '/', CTL=self.ctl,
                      QOP_FLAG='1' if self.qop else '0', DEBUG=str(self.debug))
        for key, value in values.items():
            text = text.replace('@%s@' % key, value)
        with open(self.config, 'w') as handle:
            handle.write(text)
        return self.config

    def start(self):
        if not installed():
            raise RegistrarError('kamailio is not installed (run tests/registrar/install.sh as root)')
        self.write_config()
        command = [_program('kamailio'), '-f', self.config, '-DD', '-E', '-m', '32', '-M', '8',
                   '-Y', self.workdir, '-P', os.path.join(self.workdir, 'kamailio.pid')]
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if os.path.exists(self.ctl) and self.rpc('core.version', check=False).returncode == 0:
                return self
            time.sleep(0.1)
        tail = self.log_tail()
        self.stop()
        raise RegistrarError('kamailio did not start:\n%s' % tail)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def log_tail(self, lines=30):
        try:
            with open(self.log, errors='replace') as handle:
                return ''.join(handle.readlines()[-lines:])
        except OSError:
            return ''

    def rpc(self, *args, check=True):
        result = subprocess.run([_program('kamcmd'), '-s', 'unix:' + self.ctl] + list(args),
                                capture_output=True, text=True, timeout=10, check=False)
        if check and result.returncode != 0:
            raise RegistrarError('kamcmd %s failed: %s' % (args[0], (result.stderr or result.stdout).strip()))
        return result

    # --- domains and users ---------------------------------------------
    def set_domain(self, domain, realm):
        self.rpc('htable.sets', 'domains', domain, realm)

    def remove_domain(self, domain):
        self.rpc('htable.delete', 'domains', domain)

    def set_user(self, realm, auth_user, password, aor_user=None):
        key = '%s:%s' % (realm, auth_user)
        self.rpc('htable.sets', 'users', key, ha1(auth_user, realm, password))
        self.rpc('htable.sets', 'aors', key, aor_user or auth_user)

    def remove_user(self, realm, auth_user):
        key = '%s:%s' % (realm, auth_user)
        self.rpc('htable.delete', 'users', key)
        self.rpc('htable.delete', 'aors', key)

    # --- the location table --------------------------------------------
    def registered(self):
        """{AOR (``user@domain``): [remaining seconds of each live contact]} from ``ul.dump``."""
        return parse_ul_dump(self.rpc('ul.dump').stdout)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
