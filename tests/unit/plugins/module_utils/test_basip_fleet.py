# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""basip_sip_fleet against 30 simulated panels: requests per panel, results, failures, secrets."""

from __future__ import annotations

import collections
import hashlib
import json

import pytest

from ansible_collections.sipfleet.provision.plugins.action.basip_sip_fleet import ActionModule
from ansible_collections.sipfleet.provision.plugins.module_utils import _basip_fleet
from ansible_collections.sipfleet.provision.plugins.modules import basip_sip_fleet
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import run_in_controller
from ansible_collections.sipfleet.provision.tests.simulator.basip import FACTORY_SETTINGS, PLACEHOLDER
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet
from ansible_collections.sipfleet.provision.tests.unit.conftest import Control
from ansible_collections.sipfleet.provision.tests.unit.module_output import module_output

NAME = 'sipfleet.provision.basip_sip_fleet'
WEB_PASSWORD = 'Web-fleet-77'
LOGIN, READ, WRITE, STATUS, LOGOUT, INFO, ENABLE = (
    'GET /api/v1/login', 'GET /api/v1/device/sip/settings', 'POST /api/v1/device/sip/settings',
    'GET /api/v1/sip/status', 'GET /api/v1/logout', 'GET /api/info', 'GET /api/v1/device/sip/enable')
CONVERGED = collections.Counter([LOGIN, READ, LOGOUT])
WRITTEN = collections.Counter([LOGIN, READ, WRITE, LOGOUT])


@pytest.fixture(scope='module')
def fleet30():
    simulator, urls = start_fleet(panels=30, web_password=WEB_PASSWORD)
    yield urls['targets'], Control(urls['control'])
    simulator.stop()


@pytest.fixture
def fleet(fleet30):
    urls, control = fleet30
    control.reset(urls, FACTORY_SETTINGS)
    return urls, control


def sip_password(name):
    return 'Sip-%s-secret' % name


def args(urls, **options):
    """Every panel with its own user and SIP password; connection options in defaults."""
    panels = [dict(host=name, options=dict(api_url=url, user=name[-3:], password=sip_password(name)))
              for name, url in sorted(urls.items())]
    return dict(dict(panels=panels, defaults=dict(api_password=WEB_PASSWORD, retries=0), max_workers=5), **options)


def run(task_args, check_mode=False, diff=False):
    """The controller path, as the action plugin runs it."""
    result = run_in_controller(ActionModule.validator, ActionModule.module, task_args, NAME,
                               check_mode=check_mode, diff=diff)
    assert_no_secrets(result, task_args)
    return result


def assert_no_secrets(result, task_args):
    text = json.dumps(result, default=str)
    secrets = [WEB_PASSWORD, hashlib.md5(WEB_PASSWORD.encode()).hexdigest(), PLACEHOLDER]
    secrets += [p['options']['password'] for p in task_args['panels'] if p.get('options', {}).get('password')]
    assert [secret for secret in secrets if secret in text] == []


def counts(control, name):
    return collections.Counter(control.calls(name))


def test_converge_thirty_panels_with_five_workers_then_idempotent(fleet):
    urls, control = fleet
    first = run(args(urls))
    assert first['changed'] is True and first['failed_hosts'] == [] and 'failed' not in first
    assert list(first['panels']) == sorted(urls)
    for name in urls:
        assert counts(control, name) == WRITTEN
        assert control.state(name)['user'] == name[-3:] and control.state(name)['password'] == sip_password(name)
        panel = first['panels'][name]
        assert panel['changed'] and panel['changes'] == ['user'] and panel['api_family'] == 'panel'
        assert panel['settings'] == dict(FACTORY_SETTINGS, user=name[-3:], password='<hidden>')
        assert 'invocation' not in panel and 'registration' not in panel
    control.clear_log()
    again = run(args(urls))
    assert again['changed'] is False and all(not p['changed'] for p in again['panels'].values())
    assert all(counts(control, name) == CONVERGED for name in urls)
    assert again['invocation']['module_args']['panels'][0]['options']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_panels_shared_between_processes_give_the_same_results(fleet, monkeypatch):
    """Three processes (this one and two forked) share the thirty panels: results, their order
    and the requests are those of one process."""
    urls, control = fleet
    monkeypatch.setattr(_basip_fleet, 'process_count', lambda items, per_process: 3)
    first = run(args(urls))
    assert list(first['panels']) == sorted(urls) and first['failed_hosts'] == []
    assert all(counts(control, name) == WRITTEN for name in urls)
    control.clear_log()
    again = run(args(urls))
    assert again['changed'] is False and all(counts(control, name) == CONVERGED for name in urls)


def test_check_mode_with_diff_writes_nothing(fleet):
    urls, control = fleet
    result = run(args(urls, defaults=dict(api_password=WEB_PASSWORD, proxy='sip:pbx.example.com')),
                 check_mode=True, diff=True)
    assert result['changed']
    for name in urls:
        assert counts(control, name) == CONVERGED
        assert control.state(name) == FACTORY_SETTINGS
        diff = result['panels'][name]['diff']
        assert diff['before']['proxy'] == 'sip:sip.bas-ip.com' and diff['after']['proxy'] == 'sip:pbx.example.com'
        assert diff['after']['password'] == '<hidden, sent>'


def test_registration_adds_one_status_read_per_panel(fleet):
    urls, control = fleet
    run(args(urls))
    control.clear_log()
    result = run(args(urls, registration=True))
    for name in urls:
        assert counts(control, name) == CONVERGED + collections.Counter([STATUS])
        assert control.calls(name)[-2:] == [STATUS, LOGOUT]
        assert result['panels'][name]['registration']['state'] == 'OK'
        assert result['panels'][name]['registration']['registered'] is True


def test_read_mode_reads_only_whatever_check_mode(fleet):
    urls, control = fleet
    task_args = args(urls, read=True)
    for panel in task_args['panels']:
        panel['options'] = dict(api_url=panel['options']['api_url'])
    result = run(task_args)
    assert result['changed'] is False and result['failed_hosts'] == []
    for name in urls:
        assert counts(control, name) == collections.Counter([INFO, LOGIN, READ, ENABLE, STATUS, LOGOUT])
        panel = result['panels'][name]
        assert panel['settings'] == dict(FACTORY_SETTINGS, password='<hidden>')
        assert panel['registration']['state'] in ('OK', 'OFFLINE') and panel['device']['device_name'] == name


def test_read_mode_refuses_converge_options(fleet):
    urls, control = fleet
    result = run(args(urls, read=True))  # user and password are no options of basip_sip_info
    assert result['failed'] and len(result['failed_hosts']) == 30
    assert result['panels']['panel-001']['msg'].startswith(
        'Unsupported parameters for (sipfleet.provision.basip_sip_info) module: password, user.')
    assert result['msg'].endswith('panel-010 and 20 more') and result['msg'].startswith('30 of 30 panels failed: ')
    assert all(control.calls(name) == [] for name in urls)


@pytest.mark.parametrize('bad, message', [
    (dict(api_url=None), 'missing required arguments: api_url'),
    (dict(registration_interval='often'), 'registration_interval'),
    (dict(user='u' * 32), 'user must be 1 to 31 characters'),
], ids=['missing-api-url', 'wrong-type', 'bad-value'])
def test_a_bad_panel_fails_alone_and_is_sent_nothing(fleet, bad, message):
    urls, control = fleet
    task_args = args(urls)
    options = task_args['panels'][3]['options']
    options.update(bad)
    if bad.get('api_url', '') is None:
        del options['api_url']
    result = run(task_args)
    assert result['failed'] is True and result['failed_hosts'] == ['panel-004']
    assert result['msg'] == '1 of 30 panels failed: panel-004'
    assert result['panels']['panel-004']['failed'] is True and message in result['panels']['panel-004']['msg']
    assert control.calls('panel-004') == []
    assert all(result['panels'][name]['changed'] for name in urls if name != 'panel-004')
    assert list(result['panels']) == sorted(urls)


def test_duplicate_hosts_are_refused_before_any_request(fleet):
    urls, control = fleet
    task_args = args(urls)
    task_args['panels'][5]['host'] = task_args['panels'][2]['host']
    result = run(task_args)
    assert result['failed'] and 'panel-003' in result['msg'] and 'unique' in result['msg']
    assert all(control.calls(name) == [] for name in urls)


@pytest.mark.parametrize('task_args', [
    dict(max_workers=0), dict(max_workers='many'), dict(colour='blue'),
], ids=['max-workers-range', 'max-workers-type', 'unsupported'])
def test_bad_task_options_fail_before_any_request_without_secrets(fleet, task_args, capsys):
    urls, control = fleet
    task_args = args(urls, **task_args)
    controller = run(task_args)
    module = module_output(basip_sip_fleet, dict(task_args, _ansible_module_name=NAME), capsys)
    assert_no_secrets(module, task_args)
    assert controller['failed'] and module['failed'] and controller['msg'] == module['msg']
    assert all(control.calls(name) == [] for name in urls)


def test_an_unreachable_panel_fails_alone(fleet):
    urls, control = fleet
    task_args = args(urls)
    task_args['panels'][0]['options'].update(api_url='http://127.0.0.1:9', timeout=2)
    result = run(task_args)
    assert result['failed_hosts'] == ['panel-001'] and result['failed'] is True
    unreachable = result['panels']['panel-001']
    assert unreachable['unreachable'] is True and unreachable['failed'] is True
    assert unreachable['msg'].startswith('GET http://127.0.0.1:9/api/v1/login: connection failed')
    assert 'unreachable' not in result
    assert all(counts(control, name) == WRITTEN for name in urls if name != 'panel-001')


def test_module_path_gives_the_controller_result(fleet, capsys):
    urls, control = fleet
    task_args = args(urls, registration=True)
    task_args['panels'][7]['options']['transport'] = 'wss'
    internal = dict(_ansible_check_mode=True, _ansible_diff=True, _ansible_module_name=NAME)
    module = module_output(basip_sip_fleet, dict(task_args, **internal), capsys)
    assert_no_secrets(module, task_args)
    module_calls = dict((name, counts(control, name)) for name in urls)
    control.clear_log()
    controller = run(task_args, check_mode=True, diff=True)
    controller.pop('_ansible_parsed')
    for result in (module, controller):  # Ansible's own failure summary; the simulator's clock moved on
        result.pop('exception', None)
        for panel in result['panels'].values():
            panel.get('registration', {}).pop('last_attempt', None)
    assert controller == module
    assert module['failed_hosts'] == ['panel-008'] and module['panels']['panel-008']['msg'].startswith(
        'value of transport must be one of: ')
    assert module_calls == dict((name, counts(control, name)) for name in urls)


def test_secrets_from_the_environment_and_other_panels_are_removed_everywhere(fleet, monkeypatch):
    urls, control = fleet
    monkeypatch.setenv('BASIP_API_PASSWORD', WEB_PASSWORD)
    task_args = args(urls)
    del task_args['defaults']['api_password']
    task_args['panels'][0]['options']['user_id'] = WEB_PASSWORD
    task_args['panels'][1]['options']['user_id'] = sip_password('panel-003')
    result = run(task_args)
    assert result['failed_hosts'] == [] and control.state('panel-001')['user_id'] == WEB_PASSWORD
    for name in ('panel-001', 'panel-002'):
        assert result['panels'][name]['settings']['user_id'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
