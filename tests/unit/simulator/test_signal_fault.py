# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``signal`` fault: a client interrupted at one request, deterministically (no timing)."""

from __future__ import annotations

import signal
import subprocess

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator.server import Fault


def _group(tmp_path):
    """A process in a group of its own (as ``setsid`` starts a run), and the file naming it."""
    process = subprocess.Popen(['sleep', '60'], start_new_session=True)
    pid_file = tmp_path / 'run.pid'
    pid_file.write_text('%d\n' % process.pid)
    return process, str(pid_file)


@pytest.mark.parametrize('signum, group', [(signal.SIGINT, False), (signal.SIGKILL, True)])
def test_the_run_is_signalled_once_and_the_request_never_reaches_the_service(api, tmp_path, signum, group):
    process, pid_file = _group(tmp_path)
    try:
        answer = api.control('POST', '/faults', json=dict(target='vobiz', kind='signal', method='PUT', count=2,
                                                          pid_file=pid_file, signum=int(signum), group=group))
        assert answer.status_code == 200
        created = api.call('POST', '/api/v1/Account/MA_SIMUL001/credentials',
                           json=dict(username='sig1', password='Sig-pass-1'))
        assert created.status_code == 201
        for _attempt in range(2):
            with pytest.raises(requests.ConnectionError):
                api.call('PUT', '/api/v1/Account/MA_SIMUL001/credentials/%s' % created.json()['id'],
                         json=dict(password='Sig-pass-2'))
        assert process.wait(timeout=10) == -signum
        log = api.control('GET', '/log').json()
        assert [(entry['method'], entry.get('fault')) for entry in log] == [('POST', None), ('PUT', 'signal'), ('PUT', 'signal')]
        state = api.control('GET', '/targets/vobiz/state').json()
        assert [c['password'] for c in state['credentials'] if c['username'] == 'sig1'] == ['Sig-pass-1']
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_signal_fault_needs_its_pid_file():
    with pytest.raises(ValueError):
        Fault('signal')
    with pytest.raises(ValueError):
        Fault('drop', pid_file='/nonexistent')
