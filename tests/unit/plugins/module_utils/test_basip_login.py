# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The panel login: a refused or locked-out login is sent once and never retried, and says which
(docs/basip-families.md, "Login"); the JSON-body login of current firmware."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.tests.simulator.basip import FACTORY_SETTINGS

LOGIN, READ, LOGOUT = 'GET /api/v1/login', 'GET /api/v1/device/sip/settings', 'GET /api/v1/logout'
NOT_RETRIED = ('not retried: after 5 failed logins the panel locks this host out, and each failure while locked '
               'out lengthens the lock-out')


@pytest.fixture
def panel(panels):
    """panel-001 at factory settings, query-string login, no lock-out; yields (run, Control)."""
    urls, control = panels

    def forget_failures():
        requests.delete('%s/targets/panel-001/lockout' % control.url, timeout=5).raise_for_status()

    control.patch('panel-001', 'state', FACTORY_SETTINGS)
    control.patch('panel-001', 'options', {'login': 'query', 'api_version': 'v1'})
    forget_failures()
    control.clear_faults()
    control.clear_log()

    def run(**options):
        """One task (retries as by default); returns its ApiError, or None when it succeeded."""
        params = dict((name, spec.get('default')) for name, spec in BASIP_SIP.options.argument_spec().items())
        params.update(api_url=urls['panel-001'], api_password='123456')
        params.update(options)
        control.clear_log()
        try:
            BASIP_SIP.execute(params)
        except ApiError as exc:
            return exc
        return None
    yield run, control
    forget_failures()
    control.clear_faults()


def test_a_wrong_web_password_is_sent_once_and_named(panel):
    run, control = panel
    error = run(api_password='Wrong-pass-1')
    assert control.calls('panel-001') == [LOGIN]
    assert error.status == 400
    assert error.message == ("the panel refused the login of api_username 'admin': wrong web password or user name "
                             '(check api_password and api_username); ' + NOT_RETRIED)


def test_a_locked_out_panel_gets_exactly_one_login_per_run(panel):
    """Five failed runs lock the host out (each sent one login); the next run, with the right
    password, sends one login, is told 429 with the seconds left, and stops there."""
    run, control = panel
    for _run in range(5):
        assert run(api_password='Wrong-pass-1').status == 400
        assert control.calls('panel-001') == [LOGIN]
    error = run()
    assert control.calls('panel-001') == [LOGIN]
    assert [entry['status'] for entry in control.log('panel-001')] == [429]
    assert error.status == 429
    assert error.message.startswith('the panel has locked this host out after repeated failed logins (')
    seconds = int(error.message.split(' (')[1].split(' ')[0])
    assert 58 <= seconds <= 60
    assert error.message.endswith(" s left); check api_password (the panel's web password) and api_username before "
                                  'the next run: ' + NOT_RETRIED)


def test_a_429_with_retry_after_on_the_login_is_not_retried(panel):
    run, control = panel
    control.fault('panel-001', 'status', status=429, retry_after=1, path='/api/v1/login')
    error = run(retries=3)
    assert control.calls('panel-001') == [LOGIN]
    assert error.status == 429 and '(1 s left)' in error.message


def test_firmware_with_the_json_body_login(panel):
    """The query-string login misses its parameters there: the JSON body is sent once instead;
    the digest never appears in the log (masked) nor in the query string of that request."""
    run, control = panel
    control.patch('panel-001', 'options', {'login': 'json'})
    assert run() is None
    assert control.calls('panel-001') == [LOGIN, 'POST /api/v1/login', READ, LOGOUT]
    login = control.log('panel-001')[1]
    assert login['query'] == {} and login['body'] == {'username': 'admin', 'password': '***'}
    error = run(api_password='Wrong-pass-1')
    assert control.calls('panel-001') == [LOGIN, 'POST /api/v1/login']
    assert error.status == 400 and 'wrong web password' in error.message
