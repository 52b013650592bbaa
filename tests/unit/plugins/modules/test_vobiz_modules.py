# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Vobiz modules as Ansible runs them: options, environment fallbacks, no_log, failures."""

from __future__ import annotations

import json

import pytest

from ansible_collections.sipfleet.provision.plugins.modules import (
    vobiz_credential, vobiz_credential_info, vobiz_credential_set,
)
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet
from ansible_collections.sipfleet.provision.tests.unit.module_output import module_output


SECRET = 'Module-secret-77'


@pytest.fixture(scope='module')
def vobiz_url():
    simulator, urls = start_fleet(vobiz=True)
    yield urls['targets']['vobiz'], simulator
    simulator.stop()


run = module_output


def test_credential_from_environment_with_secrets_hidden(vobiz_url, capsys, monkeypatch):
    url, simulator = vobiz_url
    simulator.targets['vobiz']['app'].reset()
    monkeypatch.setenv('VOBIZ_AUTH_ID', 'MA_SIMUL001')
    monkeypatch.setenv('VOBIZ_AUTH_TOKEN', 'sim-token')
    args = dict(api_url=url, username='mod1', password=SECRET, description='m', _ansible_diff=True)
    check = run(vobiz_credential, dict(args, _ansible_check_mode=True), capsys)
    assert check['changed'] and simulator.targets['vobiz']['app'].by_username('mod1') is None
    result = run(vobiz_credential, args, capsys)
    assert result['changed'] and result['changes'] == ['username', 'password', 'description']
    assert result['diff'] == check['diff']
    text = json.dumps(result)
    assert SECRET not in text and 'sim-token' not in text
    assert result['invocation']['module_args']['auth_token'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert not run(vobiz_credential, args, capsys)['changed']


def test_credential_failure_carries_status_and_code(vobiz_url, capsys):
    url, simulator = vobiz_url
    result = run(vobiz_credential, dict(api_url=url, auth_id='MA_SIMUL001', auth_token='wrong-token-1',
                                        username='mod2', retries=0), capsys)
    assert result['failed'] and result['status'] == 401 and result['error_code'] == 'UNAUTHORIZED'
    assert 'wrong-token-1' not in json.dumps(result)


def test_set_purge_without_scope_fails_before_requests(vobiz_url, capsys):
    url, simulator = vobiz_url
    before = len(simulator.log)
    result = run(vobiz_credential_set, dict(api_url=url, auth_id='MA_SIMUL001', auth_token='sim-token',
                                            credentials=[dict(username='a1', password=SECRET)], purge=True), capsys)
    assert result['failed'] and 'purge needs purge_prefix' in result['msg'] and len(simulator.log) == before
    assert SECRET not in json.dumps(result)


def test_set_runs(vobiz_url, capsys):
    url, simulator = vobiz_url
    simulator.targets['vobiz']['app'].reset()
    args = dict(api_url=url, auth_id='MA_SIMUL001', auth_token='sim-token', purge=True, purge_prefix='s',
                credentials=[dict(username='s1', password=SECRET), dict(username='s2', password=SECRET)])
    assert run(vobiz_credential_set, args, capsys)['added'] == ['s1', 's2']
    assert run(vobiz_credential_set, args, capsys)['untouched'] == ['s1', 's2']


def test_info_query_needs_jmespath(vobiz_url, capsys, monkeypatch):
    url, simulator = vobiz_url
    args = dict(api_url=url, auth_id='MA_SIMUL001', auth_token='sim-token', query='[].username')
    assert isinstance(run(vobiz_credential_info, args, capsys)['query_result'], list)
    monkeypatch.setattr(vobiz_credential_info.VOBIZ_CREDENTIAL_INFO, 'requirements',
                        (('jmespath', False, 'ImportError', 'query'),))
    result = run(vobiz_credential_info, args, capsys)
    assert result['failed'] and 'jmespath' in result['msg'] and 'Failed to import' in result['msg']
