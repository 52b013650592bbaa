# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""basip_sip's logic against the panel simulator, request by request."""

from __future__ import annotations

import hashlib
import json

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes
from ansible_collections.sipfleet.provision.tests.simulator.basip import FACTORY_SETTINGS

LOGIN, READ, WRITE, LOGOUT = ('GET /api/v1/login', 'GET /api/v1/device/sip/settings',
                              'POST /api/v1/device/sip/settings', 'GET /api/v1/logout')
SECRET = 'Sip-secret-42'
ensure_sip_settings = BASIP_SIP.execute


@pytest.fixture
def panel(panels):
    """panel-001 back at factory settings, with an empty log; yields (params factory, Control)."""
    urls, control = panels
    control.patch('panel-001', 'state', FACTORY_SETTINGS)
    control.patch('panel-001', 'options', {'extra_keys': {}, 'post_body': 'empty', 'api_version': 'v1'})
    control.clear_faults()
    control.clear_log()

    def params(**settings):
        values = dict((name, spec.get('default')) for name, spec in BASIP_SIP.options.argument_spec().items())
        values.update(api_url=urls['panel-001'], api_password='123456', retries=1)
        values.update(settings)
        return values
    yield params, control
    control.clear_faults()


def test_converged_run_only_reads(panel):
    params, control = panel
    result = ensure_sip_settings(params(proxy='sip:sip.bas-ip.com', user='101', stun={'port': 3478, 'ip': None}))
    assert result == dict(changed=False, changes=[], settings=dict(FACTORY_SETTINGS, password='<hidden>'),
                          api_family='panel')
    assert control.calls('panel-001') == [LOGIN, READ, LOGOUT]


def test_check_mode_predicts_the_real_run_exactly(panel):
    params, control = panel
    wanted = params(proxy='sip:pbx.example.com', realm='pbx.example.com', password=SECRET,
                    stun={'ip': 'stun.example.com', 'port': None})
    predicted = ensure_sip_settings(wanted, check_mode=True, diff=True)
    assert control.calls('panel-001') == [LOGIN, READ, LOGOUT]
    assert control.state('panel-001') == FACTORY_SETTINGS
    control.clear_log()
    real = ensure_sip_settings(wanted, diff=True)
    assert control.calls('panel-001') == [LOGIN, READ, WRITE, LOGOUT]
    assert real == predicted
    assert real['changes'] == ['proxy', 'realm', 'stun.ip']
    assert control.state('panel-001') == dict(FACTORY_SETTINGS, proxy='sip:pbx.example.com', realm='pbx.example.com',
                                              password=SECRET, stun={'ip': 'stun.example.com', 'port': 3478})
    assert SECRET not in json.dumps(real) and 'WebPass' not in json.dumps(real)


def test_write_sends_the_whole_object_with_unknown_keys_kept(panel):
    params, control = panel
    control.patch('panel-001', 'options', {'extra_keys': {'outbound': ''}, 'post_body': '{}'})
    result = ensure_sip_settings(params(user='2002', password=SECRET))
    posted = [e for e in control.log('panel-001') if e['method'] == 'POST'][0]['body']
    assert posted == dict(FACTORY_SETTINGS, user='2002', password='***', outbound='')
    assert result['settings']['outbound'] == ''


def test_change_without_password_explains_why(panel):
    params, control = panel
    with pytest.raises(ApiError) as info:
        ensure_sip_settings(params(user='2002'))
    assert 'never returns the current password' in str(info.value)
    assert '(user)' in str(info.value)
    assert control.calls('panel-001') == [LOGIN, READ, LOGOUT]


def test_check_mode_without_password_reports_the_change_with_a_warning(panel):
    params, control = panel
    result = ensure_sip_settings(params(user='2002'), check_mode=True, diff=True)
    assert result['changed'] and result['changes'] == ['user']
    assert result['warnings'][0].startswith('A real run would fail: The SIP settings of this panel differ (user)')
    assert result['diff']['after']['user'] == '2002' and 'password' not in result['diff']['after']
    assert control.calls('panel-001') == [LOGIN, READ, LOGOUT]


@pytest.mark.parametrize('bad, message', [
    (dict(user='u' * 32), 'user must be 1 to 31 characters'),
    (dict(registration_interval=10), 'registration_interval must be an integer from 30 to 900'),
    (dict(proxy='pbx.example.com'), "proxy must be 'sip:'"),
    (dict(stun={'ip': 'stun.example.com:3478', 'port': None}), 'stun.ip must be'),
    (dict(password='short', api_family='panel'), 'password must be 6 to 31 characters'),
    (dict(password='p' * 32), 'password must be 6 to 31 characters'),
    (dict(user='10\n01'), 'user must be 1 to 31 characters'),
])
def test_bad_input_fails_before_any_request(panel, bad, message):
    params, control = panel
    with pytest.raises(ApiError) as info:
        ensure_sip_settings(params(**bad))
    assert message in str(info.value)
    assert control.calls('panel-001') == []


def test_incomplete_panel_settings_fail_before_writing(panel):
    params, control = panel
    control.patch('panel-001', 'state', {'proxy': ''})
    with pytest.raises(ApiError) as info:
        ensure_sip_settings(params(user='2002', password=SECRET))
    assert 'proxy must be' in str(info.value)
    assert WRITE not in control.calls('panel-001')


def test_expired_token_logs_in_again_once(panel):
    params, control = panel
    control.fault('panel-001', 'expire_tokens', method='GET', path='/api/v1/device/sip/settings')
    ensure_sip_settings(params(user='101'))
    assert control.calls('panel-001') == [LOGIN, READ, LOGIN, READ, LOGOUT]


def test_token_refused_twice_is_an_error(panel):
    params, control = panel
    control.fault('panel-001', 'expire_tokens', count=2, method='GET', path='/api/v1/device/sip/settings')
    with pytest.raises(ApiError) as info:
        ensure_sip_settings(params(user='101'))
    assert info.value.status == 401 and 'Log In' in str(info.value)


def test_wrong_web_password_names_no_secret(panel):
    params, control = panel
    with pytest.raises(ApiError) as info:
        ensure_sip_settings(params(api_password='not-the-password'))
    text = str(info.value)
    assert text.endswith("/api/v1/login: the panel refused the login of api_username 'admin': wrong web password or "
                         'user name (check api_password and api_username); not retried: after 5 failed logins the '
                         'panel locks this host out, and each failure while locked out lengthens the lock-out (HTTP 400)')
    assert hashlib.md5(b'not-the-password').hexdigest() not in text and 'not-the-password' not in text
    assert control.calls('panel-001') == [LOGIN]
    assert control.log('panel-001')[0]['query'] == {'username': 'admin', 'password': '***'}


def test_older_firmware_path(panel):
    params, control = panel
    control.patch('panel-001', 'options', {'api_version': 'v0'})
    ensure_sip_settings(params(api_version='v0', user='101'))
    assert control.calls('panel-001') == ['GET /api/v0/login', 'GET /api/v0/device/sip/settings', 'GET /api/v0/logout']


def test_update_password_always_writes_every_time(panel):
    params, control = panel
    for run in range(2):
        result = ensure_sip_settings(params(password=SECRET, update_password='always'), diff=True)
        assert result['changed'] and result['changes'] == ['password']
        assert result['diff']['after']['password'] == '<hidden, sent>'
    assert control.calls('panel-001').count(WRITE) == 2


def test_the_web_password_digest_is_a_registered_secret(panel):
    """A panel that echoes the MD5 (as good as the password) in an error: scrubbed, and registered
    so that the module and the controller path remove it from the whole result."""
    params, control = panel
    digest = hashlib.md5(b'123456').hexdigest()
    control.fault('panel-001', 'status', status=400, method='GET', path='/api/v1/login',
                  body={'error': 'bad login admin/%s' % digest})
    with collect_notes() as notes:
        with pytest.raises(ApiError) as info:
            ensure_sip_settings(params(user='101'))
    assert digest not in str(info.value) and 'refused the login (check api_username, api_password and api_version): ' \
        'bad login admin/********' in str(info.value)
    assert digest in notes.secrets


@pytest.mark.parametrize('url', ['ftp://127.0.0.1/', 'file:///etc/passwd', '127.0.0.1'])
def test_api_url_schemes_other_than_http_are_refused_before_any_request(panel, url):
    params, control = panel
    with pytest.raises(InputError) as info:
        ensure_sip_settings(params(api_url=url, user='101'))
    assert str(info.value).startswith('api_url must be an http:// or https:// URL')
    assert control.calls('panel-001') == []
