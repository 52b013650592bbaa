# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""basip_sip and basip_sip_info on every firmware family, SIP on/off, the registration status,
and the input rules fuzzed against the simulator."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP, BASIP_SIP_INFO
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._resource_views import MASK_SENT
from ansible_collections.sipfleet.provision.tests.simulator.basip_families import factory_settings

SECRET = 'Sip-secret-42'
V1 = dict((name, 'GET /api/v1/' + path) for name, path in (
    ('login', 'login'), ('read', 'device/sip/settings'), ('switch', 'device/sip/enable'),
    ('status', 'sip/status'), ('logout', 'logout')))
WRITE, SWITCH = 'POST /api/v1/device/sip/settings', 'POST /api/v1/device/sip/enable'


@pytest.fixture
def panel(panels):
    """panel-001 as a factory-fresh panel of ``family`` (default ``panel``), with an empty log."""
    urls, control = panels

    def reset(family='panel', **options):
        control.patch('panel-001', 'options', dict(family='camdroid_monitor' if family == 'panel' else 'panel'))
        control.patch('panel-001', 'options', dict(dict(family=family, registration='auto', registration_delay=0,
                                                        outbound=True), **options))
        control.clear_faults()
        control.clear_log()

    def params(spec=BASIP_SIP, **values):
        result = dict((name, s.get('default')) for name, s in spec.options.argument_spec().items())
        result.update(api_url=urls['panel-001'], api_password='123456', retries=1)
        result.update(values)
        return result
    reset()
    yield reset, params, control
    reset()


def switch_state(control):
    import requests
    return requests.get(control.url + '/targets/panel-001/sip', timeout=5).json()


def test_sip_off_is_switched_on_once_and_reported(panel):
    reset, params, control = panel
    control.patch('panel-001', 'sip', {'sip_enabled': False})
    control.clear_log()
    first = BASIP_SIP.execute(params(enabled=True), diff=True)
    assert first['changed'] and first['changes'] == ['enabled'] and first['sip_enabled'] is True
    assert first['diff']['before']['sip_enabled'] is False and first['diff']['after']['sip_enabled'] is True
    assert control.calls('panel-001') == [V1['login'], V1['read'], V1['switch'], SWITCH, V1['logout']]
    assert [e['body'] for e in control.log('panel-001') if e['method'] == 'POST'] == [{'sip_enable': True}]
    control.clear_log()
    again = BASIP_SIP.execute(params(enabled=True))
    assert not again['changed'] and again['changes'] == [] and again['sip_enabled'] is True
    assert control.calls('panel-001') == [V1['login'], V1['read'], V1['switch'], V1['logout']]
    assert switch_state(control) == {'sip_enabled': True, 'registration': 'OK'}


def test_switch_alone_sends_no_password_and_an_unchanged_switch_is_not_in_the_diff(panel):
    reset, params, control = panel
    control.patch('panel-001', 'sip', {'sip_enabled': False})
    control.clear_log()
    switched = BASIP_SIP.execute(params(enabled=True, password=SECRET), diff=True)
    assert switched['changes'] == ['enabled'] and 'password' not in switched['diff']['after']
    assert switched['diff'] == dict(before=dict(switched['diff']['before'], sip_enabled=False),
                                    after=dict(switched['diff']['before'], sip_enabled=True))
    assert 'sip_enabled' not in switched['settings']
    assert [e['body'] for e in control.log('panel-001') if e['method'] == 'POST'] == [{'sip_enable': True}]
    written = BASIP_SIP.execute(params(enabled=True, user='2002', password=SECRET), diff=True)
    assert written['changes'] == ['user'] and written['sip_enabled'] is True
    assert 'sip_enabled' not in written['diff']['before'] and 'sip_enabled' not in written['diff']['after']
    assert written['diff']['after']['password'] == MASK_SENT


def test_switch_in_check_mode_only_reads(panel):
    reset, params, control = panel
    control.patch('panel-001', 'sip', {'sip_enabled': False})
    control.clear_log()
    result = BASIP_SIP.execute(params(enabled=True), check_mode=True)
    assert result['changed'] and result['sip_enabled'] is True
    assert set(c.split()[0] for c in control.calls('panel-001')) == {'GET'}
    assert switch_state(control)['sip_enabled'] is False


def test_settings_then_switch_in_that_order(panel):
    reset, params, control = panel
    control.patch('panel-001', 'sip', {'sip_enabled': False})
    control.clear_log()
    result = BASIP_SIP.execute(params(user='2001', password=SECRET, enabled=True))
    assert result['changes'] == ['user', 'enabled']
    assert control.calls('panel-001') == [V1['login'], V1['read'], V1['switch'], WRITE, SWITCH, V1['logout']]


def test_firmware_without_a_switch_fails_clearly(panel):
    reset, params, control = panel
    control.fault('panel-001', 'status', status=404, method='GET', path='/api/v1/device/sip/enable', count=1,
                  body={'error': 'Not found'})
    with pytest.raises(ApiError, match='enabled cannot be set on this panel: it answers no SIP switch'):
        BASIP_SIP.execute(params(enabled=False, user='2001', password=SECRET))
    assert SWITCH not in control.calls('panel-001') and WRITE not in control.calls('panel-001')


def test_outbound_is_written_and_refused_on_firmware_without_it(panel):
    reset, params, control = panel
    result = BASIP_SIP.execute(params(outbound='sip:edge.example.com:5090', password=SECRET))
    assert result['changes'] == ['outbound'] and control.state('panel-001')['outbound'] == 'edge.example.com:5090'
    reset(outbound=False)
    with pytest.raises(InputError, match='no "outbound" key'):
        BASIP_SIP.execute(params(outbound='sip:edge.example.com', password=SECRET))
    assert control.calls('panel-001') == [V1['login'], V1['read'], V1['logout']]


@pytest.mark.parametrize('given', ['10.0.0.1:5060', 'sip:10.0.0.1:5060', 'SIP:10.0.0.1:5060'])
def test_outbound_in_the_documented_form_converges(panel, given):
    """BAS-IP documents ``outbound`` as host[:port]: that is what is written, whatever form is given;
    a rerun in either form is a no-op, and a panel holding the sip: form is already converged."""
    reset, params, control = panel
    first = BASIP_SIP.execute(params(outbound=given, password=SECRET), diff=True)
    assert first['changes'] == ['outbound'] and first['settings']['outbound'] == '10.0.0.1:5060'
    assert first['diff']['after']['outbound'] == '10.0.0.1:5060'
    assert [e['body']['outbound'] for e in control.log('panel-001') if e['method'] == 'POST'] == ['10.0.0.1:5060']
    assert control.state('panel-001')['outbound'] == '10.0.0.1:5060'
    control.clear_log()
    for again in ('10.0.0.1:5060', 'sip:10.0.0.1:5060'):
        assert BASIP_SIP.execute(params(outbound=again, password=SECRET))['changed'] is False
    assert WRITE not in control.calls('panel-001')
    control.patch('panel-001', 'state', {'outbound': 'sip:10.0.0.1:5060'})     # written by an older release
    assert BASIP_SIP.execute(params(outbound='10.0.0.1:5060', password=SECRET))['changed'] is False


@pytest.mark.parametrize('given', ['sip:10.0.0.1:port', '10.0.0.1:5060;transport=udp', 'sips:10.0.0.1'])
def test_a_bad_outbound_is_refused_before_any_request(panel, given):
    reset, params, control = panel
    with pytest.raises(InputError, match='outbound must be empty, or an IPv4 address or DNS name'):
        BASIP_SIP.execute(params(outbound=given, password=SECRET))
    assert control.calls('panel-001') == []


def test_android_monitor_detected_on_v0_and_switched_through_its_enable_key(panel):
    reset, params, control = panel
    reset('android_monitor')
    result = BASIP_SIP.execute(params(api_version='v0', enabled=False, password=SECRET), diff=True)
    assert result['api_family'] == 'android_monitor' and result['changes'] == ['enabled']
    assert result['diff']['before']['enable'] is True and result['diff']['after']['enable'] is False
    stored = control.state('panel-001')
    assert stored['enable'] is False and stored['timeout'] == 120 and stored['user_agent'].startswith('BasIpVoip')
    assert control.calls('panel-001') == ['GET /api/v0/login', 'GET /api/v0/device/sip/settings',
                                          'POST /api/v0/device/sip/settings', 'GET /api/v0/logout']
    assert BASIP_SIP.execute(params(api_family='android_monitor', enabled=False))['changed'] is False


def test_android_monitor_switch_needs_the_password(panel):
    reset, params, control = panel
    reset('android_monitor')
    with pytest.raises(ApiError, match='never returns the current password'):
        BASIP_SIP.execute(params(api_family='android_monitor', enabled=False))
    assert control.state('panel-001')['enable'] is True


def test_camdroid_monitor_keeps_h264_and_takes_a_short_password(panel):
    reset, params, control = panel
    reset('camdroid_monitor')
    result = BASIP_SIP.execute(params(user='5001', password='x'))
    assert result['api_family'] == 'camdroid_monitor' and result['changes'] == ['user']
    posted = [e['body'] for e in control.log('panel-001') if e['method'] == 'POST'][0]
    assert posted['h264'] == 102 and 'user_id' not in posted
    assert control.state('panel-001')['password'] == 'x'


def test_camdroid_errors_name_the_refused_parameter(panel):
    reset, params, control = panel
    reset('camdroid_monitor')
    control.fault('panel-001', 'status', status=400, method='POST', count=1, body={
        'error': {'code': 'not_valid', 'message': 'Data validation error', 'data': {'h264': 'must be an integer'}}})
    with pytest.raises(ApiError) as info:
        BASIP_SIP.execute(params(user='5002', password='x'))
    assert info.value.code == 'not_valid' and 'Data validation error (h264)' in str(info.value)


@pytest.mark.parametrize('family, bad, message', [
    ('camdroid_monitor', dict(user_id='a1'), 'user_id cannot be set: the camdroid_monitor family'),
    ('camdroid_monitor', dict(enabled=True), 'enabled cannot be used: the camdroid_monitor family'),
    ('android_monitor', dict(outbound='sip:edge.example.com'), 'outbound cannot be set: the android_monitor family'),
    ('android_monitor', dict(wait_for_registration=True), 'wait_for_registration cannot be used'),
    ('panel', dict(password='x'), 'password must be 6 to 31 characters'),
])
def test_named_family_rules_fail_before_any_request(panel, family, bad, message):
    reset, params, control = panel
    with pytest.raises(InputError, match=message):
        BASIP_SIP.execute(params(api_family=family, **bad))
    assert control.calls('panel-001') == []


def test_detected_family_rules_fail_before_any_write(panel):
    reset, params, control = panel
    with pytest.raises(InputError, match='this panel is a panel .*password must be 6 to 31'):
        BASIP_SIP.execute(params(user='2001', password='x'))
    assert control.calls('panel-001') == [V1['login'], V1['read'], V1['logout']]


def test_input_no_family_accepts_fails_before_any_request(panel):
    reset, params, control = panel
    with pytest.raises(InputError, match='password must be 6 to 31 characters.*on a Camdroid monitor: password must be 1 to 31'):
        BASIP_SIP.execute(params(password='p' * 32))
    assert control.calls('panel-001') == []


def test_wait_for_registration_polls_until_registered(panel, monkeypatch):
    reset, params, control = panel
    monkeypatch.setattr('ansible_collections.sipfleet.provision.plugins.module_utils._basip.POLL_INTERVAL', 0.1)
    reset(registration_delay=0.5)
    result = BASIP_SIP.execute(params(user='2001', password=SECRET, wait_for_registration=True))
    assert result['registration']['state'] == 'OK' and result['registration']['registered'] is True
    calls = control.calls('panel-001')
    assert calls.count(V1['status']) >= 2 and calls.index(WRITE) < calls.index(V1['status'])


def test_wait_for_registration_fails_naming_the_panel_and_keeps_the_change(panel, monkeypatch):
    reset, params, control = panel
    monkeypatch.setattr('ansible_collections.sipfleet.provision.plugins.module_utils._basip.POLL_INTERVAL', 0.2)
    reset(registration='ERROR')
    with pytest.raises(ApiError) as info:
        BASIP_SIP.execute(params(user='2001', password=SECRET, wait_for_registration=True, registration_timeout=1))
    text = str(info.value)
    assert 'did not register within 1 s: last sip_status ERROR (last attempt at ' in text
    assert params()['api_url'] in text
    failed = info.value.to_result()
    assert failed['changed'] is True and failed['changes'] == ['user'] and failed['settings']['user'] == '2001'
    assert SECRET not in json.dumps(failed)


def test_info_reads_only_and_reports_everything(panel):
    reset, params, control = panel
    for check_mode in (True, False):
        control.clear_log()
        result = BASIP_SIP_INFO.execute(params(BASIP_SIP_INFO), check_mode=check_mode)
        assert control.calls('panel-001') == ['GET /api/info', V1['login'], V1['read'], V1['switch'],
                                              V1['status'], V1['logout']]
        assert result['changed'] is False and result['settings'] == dict(factory_settings('panel'), password='<hidden>')
        assert result['sip_enabled'] is True and result['api_family'] == 'panel'
        assert result['registration']['state'] == 'OK' and result['device']['device_model'] == 'aa-07fb'


def test_info_query(panel):
    reset, params, control = panel
    control.patch('panel-001', 'sip', {'sip_enabled': False})
    result = BASIP_SIP_INFO.execute(params(BASIP_SIP_INFO, query='[sip_enabled, registration.state]'))
    assert result['query_result'] == [False, 'OFFLINE']


def test_info_tolerates_firmware_without_switch_or_status(panel):
    reset, params, control = panel
    for path in ('/api/v1/device/sip/enable', '/api/v1/sip/status'):
        control.fault('panel-001', 'status', status=404, method='GET', path=path, body={'error': 'Not found'})
    result = BASIP_SIP_INFO.execute(params(BASIP_SIP_INFO))
    assert result['sip_enabled'] is None and result['registration'] == dict(state=None, registered=None,
                                                                            last_attempt=None)


@pytest.mark.parametrize('family, version', [('android_monitor', 'v0'), ('camdroid_monitor', 'v1')])
def test_info_on_the_monitor_families(panel, family, version):
    reset, params, control = panel
    reset(family)
    result = BASIP_SIP_INFO.execute(params(BASIP_SIP_INFO, api_family=family))
    assert result['api_family'] == family and result['registration']['state'] is None
    assert result['sip_enabled'] is (True if family == 'android_monitor' else None)
    assert control.calls('panel-001') == ['GET /api/info'] + ['GET /api/%s/%s' % (version, p) for p in (
        'login', 'device/sip/settings', 'logout')]


TEXT = st.text(st.characters(codec='utf-8', exclude_categories=['Cs']), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=TEXT, password=TEXT)
def test_fuzz_every_value_is_refused_before_any_request_or_stored_unchanged(panel, user, password):
    """Input rules against the simulator: refused with no request sent, or written and read back as given."""
    reset, params, control = panel
    control.clear_log()
    try:
        BASIP_SIP.execute(params(api_family='panel', user=user, user_id=user, password=password,
                                 update_password='always'))
    except InputError:
        assert control.calls('panel-001') == []
        return
    stored = control.state('panel-001')
    assert (stored['user'], stored['user_id'], stored['password']) == (user, user, password)
