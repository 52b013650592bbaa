# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet strategy: host_result in the controller's main process, the collection's other
tasks in workers that run several hosts each, everything with the results, recap, diffs,
registered values and requests of the linear strategy."""

from __future__ import annotations

import collections
import os
import pathlib
import re
import subprocess
import sys

import pytest

from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet
from ansible_collections.sipfleet.provision.tests.unit.conftest import Control

# The tree this collection is imported from (ansible_collections/sipfleet/provision), for ansible-playbook.
COLLECTIONS = next(str(path) for path in map(pathlib.Path, sys.path) if (path / 'ansible_collections/sipfleet/provision').is_dir())
HOSTS = ['panel-%02d' % number for number in range(1, 31)]
PLAYBOOK = """
- hosts: panels
  gather_facts: false
  tasks:
    - name: The fleet's results, once
      ansible.builtin.set_fact:
        fleet_results: "{{ dict(ansible_play_hosts_all | zip_longest([], fillvalue={'changed': false})) | combine(special) }}"
      vars:
        special:
          panel-01: {changed: true, diff: {before: {proxy: sip:old.example.net}, after: {proxy: sip:pbx.example.com}}}
          panel-02: {failed: true, msg: the panel refused the write}
          panel-03: {unreachable: true, failed: true, msg: connection refused}
      run_once: true
    - name: The panel's result
      sipfleet.provision.host_result:
        results_from: [fleet_results]
      when: inventory_hostname != 'panel-04'
      register: outcome
    - name: What was registered
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} changed={{ outcome.changed }} skipped={{ outcome.skipped | default(false) }}"
"""


def _play(tmp_path, strategy, playbook=PLAYBOOK, host_vars=None, forks=5, rc=4, **env):
    host_vars = host_vars or dict.fromkeys(HOSTS, '')
    (tmp_path / 'inventory.ini').write_text('[panels]\n' + ''.join(
        '%s ansible_connection=local ansible_python_interpreter=%s %s\n' % (host, sys.executable, more)
        for host, more in host_vars.items()))
    (tmp_path / 'play.yml').write_text(playbook)
    run = subprocess.run(
        [sys.executable, str(pathlib.Path(sys.executable).parent / 'ansible-playbook'), '-i', 'inventory.ini',
         '--diff', '-f', str(forks), 'play.yml'],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STRATEGY=strategy,
                 ANSIBLE_NOCOLOR='1', ANSIBLE_CALLBACK_RESULT_FORMAT='json', **env))
    assert run.returncode == rc, run.stdout + run.stderr  # 4: a host unreachable, 2: a host failed
    return run.stdout.replace(str(tmp_path), '.')  # error messages name the playbook's path


@pytest.fixture(scope='module')
def outputs(tmp_path_factory):
    return {strategy: _play(tmp_path_factory.mktemp(strategy), strategy)
            for strategy in ('linear', 'sipfleet.provision.fleet')}


def _recap(output):
    return dict(re.findall(r'^(panel-\d+)\s+: (.*?)\s*$', output.split('PLAY RECAP')[1], re.M))


def test_the_results_are_the_linear_strategys(outputs):
    """Line for line the same output (in another order: linear's workers finish in any order)."""
    linear, fleet = (collections.Counter(outputs[name].splitlines()) for name in ('linear', 'sipfleet.provision.fleet'))
    assert fleet == linear
    recap = _recap(outputs['sipfleet.provision.fleet'])
    assert sorted(recap) == HOSTS
    assert recap['panel-01'].split()[:2] == ['ok=3', 'changed=1']
    assert recap['panel-02'].split()[3] == 'failed=1'
    assert recap['panel-03'].split()[2] == 'unreachable=1'
    assert recap['panel-04'].split()[4] == 'skipped=1'
    assert recap['panel-05'].split()[:2] == ['ok=2', 'changed=0']


def test_the_diff_and_the_registered_value(outputs):
    output = outputs['sipfleet.provision.fleet']
    assert '-    "proxy": "sip:old.example.net"' in output and '+    "proxy": "sip:pbx.example.com"' in output
    assert output.count('--- before') == 1  # a clean panel shows no diff
    assert '"msg": "panel-01 changed=True skipped=False"' in output
    assert '"msg": "panel-04 changed=False skipped=True"' in output
    assert '"msg": "panel-05 changed=False skipped=False"' in output
    assert 'fatal: [panel-02]: FAILED! => {"changed": false, "msg": "the panel refused the write"}' in output
    assert 'panel-02 changed' not in output and 'panel-03 changed' not in output  # the play stops for them


def test_no_worker_for_host_result(tmp_path):
    """Ansible's debug log names each task it gives a worker: never host_result, still the other tasks."""
    output = _play(tmp_path, 'sipfleet.provision.fleet', ANSIBLE_DEBUG='1')
    queued = collections.Counter(re.findall(r'entering _queue_task\(\) for panel-\d+/(\S+)', output))
    assert queued == {'ansible.builtin.set_fact': 1, 'ansible.builtin.debug': len(HOSTS) - 2}


PANELS = 23  # 4 forks: batches of 6, 6, 6 and 5 hosts
SIP_PASSWORD = 'Batch-sip-pass1'
BASIP_PLAYBOOK = """
- hosts: panels
  gather_facts: false
  tasks:
    - name: Converge the SIP settings
      sipfleet.provision.basip_sip:
        api_url: "{{ api_url }}"
        api_password: "123456"
        proxy: sip:pbx.example.com
        realm: pbx.example.com
        user: "{{ sip_user }}"
        password: %s
        transport: "{{ 'carrier-pigeon' if inventory_hostname == 'panel-007' else 'tcp' }}"
      register: converged
    - name: What was registered
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }} changed={{ converged.changed }} {{ converged.changes | default([]) | sort }}"
""" % SIP_PASSWORD


def _converge(tmp_path, strategy, **env):
    """A fresh simulated fleet, converged by the play; (output, request log of each panel)."""
    simulator, urls = start_fleet(panels=PANELS)
    try:
        control = Control(urls['control'])
        control.fault('panel-005', 'status', status=401, count=10)  # every login of panel-005 refused
        host_vars = dict((name, 'api_url=%s sip_user=%d' % (url, 1000 + index))
                         for index, (name, url) in enumerate(sorted(urls['targets'].items()), 1))
        output = _play(tmp_path, strategy, BASIP_PLAYBOOK, host_vars, forks=4, rc=2, **env)
        calls = dict((name, control.calls(name)) for name in host_vars)
    finally:
        simulator.stop()
    return re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:PORT', output), calls


@pytest.fixture(scope='module')
def converged(tmp_path_factory):
    return {strategy: _converge(tmp_path_factory.mktemp(strategy), strategy)
            for strategy in ('linear', 'sipfleet.provision.fleet')}


def test_batched_hosts_get_the_linear_strategys_results_and_requests(converged):
    (linear, linear_calls), (fleet, fleet_calls) = converged['linear'], converged['sipfleet.provision.fleet']
    assert collections.Counter(fleet.splitlines()) == collections.Counter(linear.splitlines())
    assert fleet_calls == linear_calls
    assert fleet_calls['panel-001'] == ['GET /api/v1/login', 'GET /api/v1/device/sip/settings',
                                        'POST /api/v1/device/sip/settings', 'GET /api/v1/logout']
    assert fleet_calls['panel-005'] == ['GET /api/v1/login']  # refused
    assert fleet_calls['panel-007'] == []  # its bad option fails before any request
    recap = _recap(fleet)
    assert sorted(recap) == ['panel-%03d' % number for number in range(1, PANELS + 1)]
    assert [host for host, line in recap.items() if 'failed=1' in line] == ['panel-005', 'panel-007']
    assert all(line.split()[:2] == ['ok=2', 'changed=1'] for host, line in recap.items() if host not in ('panel-005', 'panel-007'))
    assert "value of transport must be one of" in fleet
    assert '"msg": "panel-023 changed=True [\'proxy\', \'realm\', \'transport\', \'user\']"' in fleet
    assert SIP_PASSWORD not in fleet


def test_batched_hosts_share_workers(tmp_path):
    output, _calls = _converge(tmp_path, 'sipfleet.provision.fleet', ANSIBLE_DEBUG='1')
    queued = collections.Counter(re.findall(r'entering _queue_task\(\) for panel-\d+/(\S+)', output))
    assert queued == {'sipfleet.provision.basip_sip': 4, 'ansible.builtin.debug': PANELS - 2}
