# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller path of the action plugins: the same results as the module, and when it is taken."""

from __future__ import annotations

import json
import os
import time
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.sipfleet.provision.plugins.action.basip_sip import ActionModule as BasipSipAction
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import register_secret
from ansible_collections.sipfleet.provision.plugins.modules import basip_sip
from ansible_collections.sipfleet.provision.plugins.module_utils import _runner as module_runner
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import (
    FORCE_MODULE_ENV, FORCE_MODULE_VAR, ControllerAction, force_module_path, run_in_controller,
    task_environment,
)
from ansible_collections.sipfleet.provision.tests.simulator.basip import FACTORY_SETTINGS
from ansible_collections.sipfleet.provision.tests.unit.module_output import module_output


NAME = 'sipfleet.provision.basip_sip'
SECRET = 'Sip-parity-31'
SETTINGS = dict(proxy='sip:pbx.example.com', realm='pbx.example.com', user='1001', password=SECRET,
                transport='tcp', stun=dict(ip='stun.example.com', port=3478), registration_interval=300)


def module_result(args, capsys, check_mode=False, diff=False):
    """What the module prints, as Ansible reads it."""
    internal = dict(_ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_module_name=NAME)
    return comparable(module_output(basip_sip, dict(args, **internal), capsys))


def run_action(plugin, args, name, **kwargs):
    """``run_in_controller`` with what an action plugin class holds."""
    return run_in_controller(plugin.validator, plugin.module, args, name, **kwargs)


def controller_result(args, check_mode=False, diff=False):
    return comparable(run_action(BasipSipAction, args, NAME, check_mode=check_mode, diff=diff))


def comparable(result):
    """A result without what Ansible adds or normalises after the module returns."""
    result = dict(result)
    result.pop('_ansible_parsed', None)
    result.pop('exception', None)
    return result


@pytest.fixture
def fleet(panels):
    urls, control = panels
    control.reset(urls, FACTORY_SETTINGS)
    return urls, control


# --- parity with the module ------------------------------------------------------------
@pytest.mark.parametrize('args', [
    dict(api_url='http://127.0.0.1:9', api_password='123456', colour='blue'),
    dict(api_url='http://127.0.0.1:9'),
    dict(api_url='http://127.0.0.1:9', api_password='123456', transport='wss', password=SECRET),
    dict(api_url='http://127.0.0.1:9', api_password='123456', registration_interval='often'),
    dict(api_url='http://127.0.0.1:9', api_password='123456', user='u' * 32, password=SECRET),
    dict(api_url='http://127.0.0.1:9', api_password='123456', stun=dict(ip='1.2.3.4', colour='x')),
], ids=['unsupported', 'missing-required', 'bad-choice', 'bad-type', 'bad-setting', 'bad-suboption'])
def test_bad_input_fails_like_the_module(args, capsys):
    expected = module_result(args, capsys)
    assert expected['failed']
    assert controller_result(args) == expected


def test_unsupported_option_names_the_module():
    result = run_action(BasipSipAction, dict(api_url='http://x', api_password='Web-pass-9', colour=1), NAME)
    assert result['msg'].startswith('Unsupported parameters for (%s) module: colour.' % NAME)


def test_runs_give_the_module_results(fleet, capsys):
    """Check mode, a write and a converged run, with --diff, on two panels: one path each."""
    urls, control = fleet
    for check_mode in (True, False, False):
        results = []
        for name, runner in (('panel-001', 'module'), ('panel-002', 'controller')):
            args = dict(SETTINGS, api_url=urls[name], api_password='123456', user_id=SECRET)
            if runner == 'module':
                results.append(module_result(args, capsys, check_mode=check_mode, diff=True))
            else:
                results.append(controller_result(args, check_mode=check_mode, diff=True))
        module, controller = results
        module['invocation']['module_args'].pop('api_url')
        controller['invocation']['module_args'].pop('api_url')
        assert controller == module
        assert SECRET not in json.dumps(controller)
        # a no_log value is removed wherever it appears
        assert controller['settings']['user_id'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
        assert controller['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert control.calls('panel-001') == control.calls('panel-002')
    assert control.state('panel-002')['password'] == SECRET


def test_basip_sip_info_gives_the_module_result(fleet, capsys):
    """basip_sip_info on the module path (panel-001) and in the controller (panel-002): same reads, same answer."""
    from ansible_collections.sipfleet.provision.plugins.action.basip_sip_info import ActionModule
    from ansible_collections.sipfleet.provision.plugins.modules import basip_sip_info
    urls, control = fleet
    internal = dict(_ansible_check_mode=True, _ansible_diff=False, _ansible_module_name='basip_sip_info')
    module = comparable(module_output(basip_sip_info, dict(
        api_url=urls['panel-001'], api_password='123456', query='registration', **internal), capsys))
    controller = comparable(run_action(ActionModule, dict(api_url=urls['panel-002'], api_password='123456',
                                                          query='registration'), 'basip_sip_info', check_mode=True))
    for result in (module, controller):
        result['invocation']['module_args'].pop('api_url')
        assert result['device'].pop('device_name') in urls
    assert controller == module and module['registration']['state'] == 'OK'
    assert control.calls('panel-001') == control.calls('panel-002')
    assert set(call.split()[0] for call in control.calls('panel-001')) == {'GET'}


def test_environment_fallbacks_and_their_masking(fleet, capsys, monkeypatch):
    urls, control = fleet
    monkeypatch.setenv('BASIP_API_URL', urls['panel-001'])
    monkeypatch.setenv('BASIP_API_PASSWORD', '123456')
    args = dict(user='101')
    expected = module_result(args, capsys)
    assert expected['changed'] is False
    result = controller_result(args)
    assert result == expected
    assert result['invocation']['module_args']['api_password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert '123456' not in json.dumps(result)


def test_failures_of_the_service_keep_their_fields(fleet):
    urls, control = fleet
    control.fault('panel-001', 'status', status=503, count=5)
    args = dict(api_url=urls['panel-001'], api_password='123456', retries=0, user='101')
    result = run_action(BasipSipAction, args, NAME)
    assert result['failed'] and result['status'] == 503 and result['error_code'] is None
    assert 'GET %s/api/v1/login' % urls['panel-001'] in result['msg']


# --- the base, with a stand-in function --------------------------------------------------
CALLS = []


def recorded(params, check_mode=False, diff=False):
    CALLS.append((params, check_mode, diff))
    if params['name'] == 'api-error':
        raise ApiError('refused', status=403, code='E1', method='GET', url='http://h/p?token=x')
    if params['name'] == 'bug':
        raise KeyError(params['token'])
    return dict(changed=True, echo=params['token'], warnings=['said %s' % params['token']])


RECORDER_SPEC = dict(name=dict(type='str', required=True),
                     token=dict(type='str', no_log=True, fallback=(basic.env_fallback, ['RECORDER_TOKEN'])),
                     query=dict(type='str'))


class Recorder(ControllerAction):
    module = ModuleSpec(recorded, RECORDER_SPEC)
    calls = CALLS


def test_function_gets_validated_params_check_mode_and_diff():
    Recorder.calls[:] = []
    result = run_action(Recorder, dict(name='a', token='t0ken'), 'recorder', check_mode=True, diff=True)
    assert Recorder.calls == [(dict(name='a', token='t0ken', query=None), True, True)]
    assert result['changed'] is True
    assert result['echo'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert result['warnings'] == ['said ********']
    assert result['invocation'] == dict(module_args=dict(name='a', token='VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', query=None))


def test_api_errors_and_bugs_fail_without_secrets():
    result = run_action(Recorder, dict(name='api-error'), 'recorder')
    assert result['failed'] and result['status'] == 403 and result['error_code'] == 'E1'
    assert result['msg'] == 'GET http://h/p: refused (HTTP 403, E1)'
    result = run_action(Recorder, dict(name='bug', token='t0ken'), 'recorder')
    assert result['failed'] and 'KeyError' in result['msg']
    assert 't0ken' not in json.dumps(result, default=str)


def test_missing_libraries(monkeypatch):
    monkeypatch.setattr(module_runner, 'HAS_REQUESTS', False)
    result = run_action(Recorder, dict(name='a'), 'recorder')
    assert result['failed'] and 'requests' in result['msg'] and 'python' in result['msg'].lower()
    monkeypatch.setattr(module_runner, 'HAS_REQUESTS', True)

    class Needs(ControllerAction):
        module = ModuleSpec(recorded, RECORDER_SPEC, (('jmespath', False, 'ImportError: jmespath', 'query'),))
    assert not run_action(Needs, dict(name='a'), 'needs').get('failed')
    result = run_action(Needs, dict(name='a', query='x'), 'needs')
    assert result['failed'] and 'jmespath' in result['msg']


def test_validation_failure_never_calls_the_function():
    Recorder.calls[:] = []
    result = run_action(Recorder, dict(token='t0ken'), 'recorder')
    assert result['failed'] and result['msg'] == 'missing required arguments: name'
    assert Recorder.calls == []


def test_task_environment_is_applied_and_restored(monkeypatch):
    monkeypatch.setenv('RECORDER_KEEP', 'kept')
    monkeypatch.delenv('RECORDER_TOKEN', raising=False)
    with task_environment(dict(RECORDER_TOKEN='from-env', RECORDER_KEEP=1)):
        assert os.environ['RECORDER_TOKEN'] == 'from-env' and os.environ['RECORDER_KEEP'] == '1'
    assert 'RECORDER_TOKEN' not in os.environ and os.environ['RECORDER_KEEP'] == 'kept'


@pytest.mark.parametrize('environ, task_vars, forced', [
    ({}, {}, False),
    ({FORCE_MODULE_ENV: '1'}, {}, True),
    ({FORCE_MODULE_ENV: 'yes'}, {}, True),
    ({FORCE_MODULE_ENV: '0'}, {}, False),
    ({FORCE_MODULE_ENV: ''}, {FORCE_MODULE_VAR: True}, True),
    ({}, {FORCE_MODULE_VAR: 'false'}, False),
])
def test_force_module_switch(environ, task_vars, forced):
    assert force_module_path(environ, task_vars) is forced


# --- which path a task takes ---------------------------------------------------------------
def action(transport='local', become=False, async_val=0, environment=None, args=None, check_mode=False, diff=False):
    task = mock.MagicMock(async_val=async_val, check_mode=check_mode, diff=diff, environment=environment,
                          args=args if args is not None else dict(name='a'), action='recorder', no_log=False)
    connection = mock.MagicMock(transport=transport)
    connection._shell.tmpdir = None
    play_context = mock.MagicMock(become=become, remote_addr='localhost')
    templar = mock.MagicMock()
    templar.template.side_effect = lambda value: value
    plugin = Recorder(task, connection, play_context, mock.MagicMock(), templar, None)
    plugin._execute_module = mock.MagicMock(return_value=dict(changed=False, from_module=True))
    plugin._remove_tmp_path = mock.MagicMock()
    return plugin


@pytest.mark.parametrize('options, task_vars, on_controller', [
    (dict(), {}, True),
    (dict(transport='ssh'), {}, False),
    (dict(become=True), {}, False),
    (dict(async_val=30), {}, False),
    (dict(), {FORCE_MODULE_VAR: True}, False),
])
def test_path_taken(options, task_vars, on_controller, monkeypatch):
    monkeypatch.delenv(FORCE_MODULE_ENV, raising=False)
    plugin = action(**options)
    result = plugin.run(task_vars=task_vars)
    assert plugin._execute_module.called is not on_controller
    assert result.get('from_module', False) is not on_controller


def test_environment_variable_forces_the_module(monkeypatch):
    monkeypatch.setenv(FORCE_MODULE_ENV, '1')
    plugin = action()
    assert plugin.run(task_vars={})['from_module']


def test_controller_path_honours_task_environment_check_and_diff(monkeypatch):
    monkeypatch.delenv(FORCE_MODULE_ENV, raising=False)
    monkeypatch.delenv('RECORDER_TOKEN', raising=False)
    Recorder.calls[:] = []
    plugin = action(environment=[dict(RECORDER_TOKEN='env-t0ken')], check_mode=True, diff=True)
    result = plugin.run(task_vars={})
    assert Recorder.calls == [(dict(name='a', token='env-t0ken', query=None), True, True)]
    assert result['echo'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert 'RECORDER_TOKEN' not in os.environ


def test_every_module_has_its_action_plugin():
    """The action plugins call what the modules call, with the module's options."""
    from ansible_collections.sipfleet.provision.plugins.action import (
        basip_sip_info, sip_provision_info, vobiz_credential, vobiz_credential_info, vobiz_credential_set,
    )
    from ansible_collections.sipfleet.provision.plugins.modules import (
        basip_sip_info as basip_sip_info_module,
        sip_provision_info as sip_provision_info_module, vobiz_credential as vobiz_credential_module,
        vobiz_credential_info as vobiz_credential_info_module, vobiz_credential_set as vobiz_credential_set_module,
    )
    expected = {
        BasipSipAction: (basip_sip, 'ensure_sip_settings'),
        basip_sip_info.ActionModule: (basip_sip_info_module, 'sip_info'),
        vobiz_credential.ActionModule: (vobiz_credential_module, 'ensure_credential'),
        vobiz_credential_set.ActionModule: (vobiz_credential_set_module, 'ensure_credential_set'),
        vobiz_credential_info.ActionModule: (vobiz_credential_info_module, 'credential_info'),
        sip_provision_info.ActionModule: (sip_provision_info_module, 'sip_provision_info'),
    }
    for plugin, (module, function) in expected.items():
        with mock.patch.object(module, 'run_module') as run_module:
            module.main()
        assert run_module.call_args.args == (plugin.module,)
        assert plugin.module.logic.__name__ == function


def _leaky(params, check_mode=False, diff=False):
    """Receives a token, registers it, and (a bug or an echoing service) puts it in the result."""
    register_secret('Tok-' + params['name'])
    if params['name'].startswith('fail'):
        raise ApiError('the service said Tok-%s' % params['name'])
    return dict(changed=False, echoed='Tok-' + params['name'], warnings=['got Tok-%s' % params['name']])


LEAKY = ModuleSpec(_leaky, dict(name=dict(type='str', required=True)))


@pytest.mark.parametrize('name', ['ok', 'fail'])
def test_registered_secrets_are_removed_on_both_paths(name, capsys, monkeypatch):
    monkeypatch.setattr(basip_sip, 'BASIP_SIP', LEAKY)
    # the module first: ansible-core 2.22+ lists in a module's result the secrets new to the process
    module = module_output(basip_sip, dict(name=name + '-m', _ansible_module_name='leaky'), capsys)
    controller = run_in_controller(ArgumentSpecValidator(**LEAKY.options.validator_kwargs()), LEAKY,
                                   dict(name=name), 'leaky')
    for result, token in ((controller, 'Tok-' + name), (module, 'Tok-%s-m' % name)):
        assert token not in json.dumps(result, default=str)
        assert result.get('failed', False) is (name == 'fail')


def test_a_panel_that_refuses_connections_is_unreachable_on_the_controller_path(capsys):
    args = dict(api_url='http://127.0.0.1:9', api_password='123456', retries=0, timeout=2, user='101')
    controller = run_action(BasipSipAction, args, NAME)
    assert controller['unreachable'] is True and 'failed' not in controller and controller['changed'] is False
    assert controller['msg'].startswith('GET http://127.0.0.1:9/api/v1/login: connection failed after 1 attempt(s)')
    module = module_result(args, capsys)
    assert module['failed'] and 'unreachable' not in module and module['msg'] == controller['msg']


def test_a_read_timeout_is_a_failure_not_unreachable(fleet):
    urls, control = fleet
    control.fault('panel-001', 'delay', delay=1.0, method='GET', path='/api/v1/login')
    args = dict(api_url=urls['panel-001'], api_password='123456', retries=0, timeout=0.3, user='101')
    result = run_action(BasipSipAction, args, NAME)
    assert result['failed'] and 'unreachable' not in result
    assert 'no answer within timeout=0.3s (the timeout option)' in result['msg']
    # the slow answer is logged once it is done: wait for it (bounded) before the next test clears the log
    deadline = time.monotonic() + 5
    while not control.calls('panel-001') and time.monotonic() < deadline:
        time.sleep(0.05)
    assert control.calls('panel-001')
