#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the benchmarks share: the simulated fleet, the plain script and the measuring wrapper.

- :class:`Fleet`: the simulator (``python -m tests.simulator``) in its own process, with its
  panels' URLs, reset and request log;
- :func:`plain_panel` and :func:`plain_main`: what ``basip_sip`` does for one panel with
  ``requests`` and nothing else, and a thread pool of it over every panel
  (``fleet_benchmark.py --plain STATE FORKS CHECK``);
- :func:`measure`: a command run through a small wrapper process, so that its CPU time (user +
  sys of every process of the run) and peak memory (the largest process) are its own;
- :func:`outcome`: changed and failed hosts from a play recap or the plain script's summary.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEB_PASSWORD = '123456'
SIP_PASSWORD = 'Bench-sip-pass1'
DESIRED = dict(proxy='sip:pbx.example.com', realm='pbx.example.com', transport='tcp',
               stun=dict(ip='stun.example.com', port=3478), registration_interval=300)
FACTORY = {
    'proxy': 'sip:sip.bas-ip.com', 'realm': 'sip.bas-ip.com', 'user': '101', 'password': '123456',
    'transport': 'udp', 'user_id': '', 'stun': {'ip': '127.0.0.1', 'port': 3478},
    'registration_interval': 30,
}

# Runs a command and writes its rusage (children only: the command and all it waited for).
WRAPPER = r"""
import json, resource, subprocess, sys
with open(sys.argv[2], 'w') as out, open(sys.argv[3], 'w') as log:
    rc = subprocess.call(sys.argv[4:], stdout=log, stderr=subprocess.STDOUT)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    json.dump(dict(rc=rc, cpu=usage.ru_utime + usage.ru_stime, maxrss_kb=usage.ru_maxrss), out)
"""


# --- the plain script ----------------------------------------------------------
def plain_panel(url, user, check_mode):
    """What basip_sip does for one panel, with requests and nothing else: returns changed."""
    session = requests.Session()
    try:
        digest = hashlib.md5(WEB_PASSWORD.encode()).hexdigest()
        token = session.get(url + '/api/v1/login', params=dict(username='admin', password=digest),
                            timeout=10).json()['token']
        auth = {'Authorization': 'Bearer ' + token}
        current = session.get(url + '/api/v1/device/sip/settings', headers=auth, timeout=10).json()
        desired = dict(DESIRED, user=user)
        after = dict(current, **desired)
        after['stun'] = dict(current.get('stun') or {}, **desired['stun'])
        changed = any(after[key] != current.get(key) for key in desired)
        if changed and not check_mode:
            after['password'] = SIP_PASSWORD
            session.post(url + '/api/v1/device/sip/settings', json=after, headers=auth,
                         timeout=10).raise_for_status()
        session.get(url + '/api/v1/logout', headers=auth, timeout=10)
        return changed
    finally:
        session.close()


def plain_main(argv):
    """``--plain STATE FORKS CHECK``: the thread pool over every panel; prints a summary."""
    state_file, forks, check_mode = argv[0], int(argv[1]), argv[2] == 'check'
    with open(state_file) as handle:
        targets = panel_targets(json.load(handle))
    changed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(forks) as pool:
        futures = [pool.submit(plain_panel, url, sip_user(name), check_mode)
                   for name, url in sorted(targets.items())]
        for future in futures:
            try:
                changed += bool(future.result())
            except Exception:  # counted, shown in the table
                failed += 1
    print('PLAIN changed=%d failed=%d' % (changed, failed))
    return 0


def panel_targets(state):
    """The panels of the simulator's state file (name -> URL), without the clouds."""
    return dict((name, url) for name, url in state['targets'].items() if name.startswith('panel-'))


def sip_user(name):
    return '1' + name.rsplit('-', 1)[-1]


# --- the fleet -------------------------------------------------------------------
def raise_fd_limit(panels):
    """Each panel listens on its own socket: make room for them and their connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, panels * 2 + 1024)) if hard != resource.RLIM_INFINITY else max(soft, panels * 2 + 1024)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Fleet:
    """The simulator in its own process; ``options``: more of its flags (``--vobiz``...)."""

    def __init__(self, python, panels, workdir, options=()):
        self.state_file = os.path.join(workdir, 'simulator.json')
        self.process = subprocess.Popen(
            [python, '-m', 'tests.simulator', '--panels', str(panels), '--state-file', self.state_file] + list(options),
            cwd=ROOT)
        deadline = time.monotonic() + 120
        while not os.path.exists(self.state_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the simulator did not start')
            time.sleep(0.1)
        with open(self.state_file) as handle:
            state = json.load(handle)
        self.control = state['control']
        self.targets = panel_targets(state)
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=32)
        self.session.mount('http://', adapter)

    def stop(self):
        self.process.terminate()
        self.process.wait(30)

    def reset(self):
        """Every panel back to factory settings (control API), and an empty request log."""
        def reset_one(name):
            self.session.patch('%s/targets/%s/state' % (self.control, name), json=FACTORY,
                               timeout=30).raise_for_status()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(reset_one, self.targets))
        self.clear_log()

    def clear_log(self):
        self.session.delete(self.control + '/log', timeout=30).raise_for_status()

    def requests_per_panel(self):
        """Mean requests per panel and the mean of each method, from the simulator's log."""
        entries = self.session.get(self.control + '/log', timeout=120).json()
        methods = {}
        for entry in entries:
            methods[entry['method']] = methods.get(entry['method'], 0) + 1
        count = len(self.targets)
        detail = ' '.join('%s %.2g' % (m, n / count) for m, n in sorted(methods.items()))
        return len(entries) / count, detail


# --- running and measuring ---------------------------------------------------------
def collections_path(workdir):
    """A directory holding ansible_collections/sipfleet/provision (this repository)."""
    parts = ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'sipfleet'] and parts[-1] == 'provision':
        return os.sep.join(parts[:-3])
    base = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(base, 'ansible_collections', 'sipfleet'))
    os.symlink(ROOT, os.path.join(base, 'ansible_collections', 'sipfleet', 'provision'))
    return base


def measure(command, env, workdir, label, timeout=None):
    """Run ``command`` in a wrapper process: (wall s, CPU s, peak RSS MB, rc, output file).

    After ``timeout`` seconds the command is killed (rc -9; its usage until then is kept), then
    every process it left behind."""
    usage_file = os.path.join(workdir, label + '.usage.json')
    output = os.path.join(workdir, label + '.out')
    start = time.monotonic()
    process = subprocess.Popen([sys.executable, '-c', WRAPPER, '-', usage_file, output] + command, env=env,
                               start_new_session=timeout is not None)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_run(process)
    wall = time.monotonic() - start
    with open(usage_file) as handle:
        usage = json.load(handle)
    return wall, usage['cpu'], usage['maxrss_kb'] / 1024.0, usage['rc'], output


def _kill_run(wrapper):
    """Kill the wrapper's command (the wrapper then writes its usage), then the rest of its group."""
    try:
        with open('/proc/%d/task/%d/children' % (wrapper.pid, wrapper.pid)) as handle:
            for pid in handle.read().split():
                os.kill(int(pid), signal.SIGKILL)
        wrapper.wait(30)
    finally:
        try:
            os.killpg(wrapper.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def outcome(path, output):
    """(changed, failed) host counts from the play recap or the plain script's summary."""
    changed = failed = 0
    with open(output) as handle:
        for line in handle:
            if path == 'plain' and line.startswith('PLAIN '):
                fields = dict(item.split('=') for item in line.split()[1:])
                return int(fields['changed']), int(fields['failed'])
            if ' : ok=' in line:
                fields = dict(item.split('=') for item in line.split(':', 1)[1].split())
                changed += int(fields['changed']) > 0
                failed += int(fields['failed']) > 0 or int(fields['unreachable']) > 0
    return changed, failed
