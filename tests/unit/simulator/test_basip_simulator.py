# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The panel simulator follows docs/basip-families.md: SIP on/off, the status endpoint,
``outbound``, and each firmware family's device info, schema, rules and error shape."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator.basip import Panel
from ansible_collections.sipfleet.provision.tests.simulator.server import Request
from ansible_collections.sipfleet.provision.tests.simulator.basip_families import FAMILIES, factory_settings

PANEL = 'panel-001'
GOOD = {'proxy': 'sip:pbx.example.com', 'realm': 'pbx.example.com', 'user': '2001',
        'password': 'Secret-1', 'stun': {'ip': '127.0.0.1', 'port': 3478}}


@pytest.fixture
def panel(panels):
    urls, control = panels
    control.patch(PANEL, 'options', dict(
        family='panel', registration='auto', registration_delay=0, outbound=True, post_body='empty'))
    control.clear_log()
    control.clear_faults()

    class Api:
        def __init__(self):
            self.control = control
            self.token = None

        def family(self, name, **options):
            control.patch(PANEL, 'options', dict(options, family=name))
            self.token = None

        def prefix(self):
            return '/api/%s' % FAMILIES[control.patch(PANEL, 'options', {})['family']]['api_version']

        def call(self, method, path, **kwargs):
            if self.token is None:
                digest = hashlib.md5(b'123456').hexdigest()
                answer = requests.get(urls[PANEL] + self.prefix() + '/login',
                                      params=dict(username='admin', password=digest), timeout=5)
                self.token = answer.json()['token']
            return requests.request(method, urls[PANEL] + self.prefix() + path, timeout=5,
                                    headers={'Authorization': 'Bearer ' + self.token}, **kwargs)

        def info(self):
            return requests.get(urls[PANEL] + '/api/info', timeout=5).json()
    return Api()


def test_each_family_answers_device_info_without_login(panel):
    for name, spec in FAMILIES.items():
        panel.family(name)
        info = panel.info()
        assert info['device_model'] == spec['info']['device_model'] and info['device_name'] == PANEL
        assert 'token' not in info
    assert panel.control.calls(PANEL) == ['GET /api/info'] * len(FAMILIES)


def test_panel_switches_sip_off_and_on_through_the_enable_endpoint(panel):
    assert panel.call('GET', '/device/sip/enable').json() == {'sip_enable': True}
    assert panel.call('POST', '/device/sip/enable', json={'sip_enable': False}).status_code == 200
    assert panel.call('GET', '/device/sip/enable').json() == {'sip_enable': False}
    assert panel.call('GET', '/sip/status').json() == {'sip_status': 'OFFLINE', 'register_last_attempt': None}
    assert panel.control.patch(PANEL, 'sip', {'sip_enabled': True}) == {}
    assert panel.call('GET', '/sip/status').json()['sip_status'] == 'OK'


@pytest.mark.parametrize('body, message', [
    ({}, 'Wrong JSON body: no value for `sip_enable`'),
    ({'sip_enable': 'yes'}, 'Wrong JSON body: value `sip_enable` was of the wrong type'),
    ({'sip_enable': 1}, 'Wrong JSON body: value `sip_enable` was of the wrong type'),
])
def test_enable_endpoint_refuses_bad_bodies(panel, body, message):
    answer = panel.call('POST', '/device/sip/enable', json=body)
    assert (answer.status_code, answer.json()) == (400, {'error': message})
    assert panel.call('GET', '/device/sip/enable').json() == {'sip_enable': True}


def test_status_follows_the_delay_rule_after_a_write(panel):
    panel.control.patch(PANEL, 'options', {'registration_delay': 0.4})
    assert panel.call('POST', '/device/sip/settings', json=GOOD).status_code == 200
    first = panel.call('GET', '/sip/status').json()
    assert first['sip_status'] == 'ERROR' and abs(first['register_last_attempt'] - time.time()) < 5
    deadline = time.time() + 5
    while panel.call('GET', '/sip/status').json()['sip_status'] != 'OK':
        assert time.time() < deadline, 'never registered'
        time.sleep(0.1)


def test_forced_registration_and_a_registration_source():
    unit = Panel()
    assert unit.registration_state() == 'OK'
    unit.set_registration_source(lambda: 'ERROR')
    assert unit.registration_state() == 'ERROR'
    unit.options['registration'] = 'OK'
    assert unit.registration_state() == 'OK'
    unit.sip_enabled = False
    assert unit.registration_state() == 'OFFLINE'


def test_listeners_receive_every_change_with_the_real_password():
    unit = Panel()
    seen = []
    unit.add_listener(seen.append)
    unit._changed()
    assert seen[-1]['password'] == '123456' and seen[-1]['sip_enabled'] is True


def test_outbound_is_stored_and_dropped_on_firmware_without_it(panel):
    assert panel.call('GET', '/device/sip/settings').json()['outbound'] == ''
    refused = panel.call('POST', '/device/sip/settings', json=dict(GOOD, outbound='sip:edge.example.com'))
    assert (refused.status_code, refused.json()) == (400, {'error': 'Wrong JSON body'})   # the published pattern
    assert panel.call('POST', '/device/sip/settings', json=dict(GOOD, outbound='edge.example.com:5060')).status_code == 200
    assert panel.control.state(PANEL)['outbound'] == 'edge.example.com:5060'
    panel.control.patch(PANEL, 'options', {'outbound': False})
    assert 'outbound' not in panel.call('GET', '/device/sip/settings').json()


def test_android_monitor_uses_v0_and_the_enable_key(panel):
    panel.family('android_monitor')
    assert panel.prefix() == '/api/v0'
    current = panel.call('GET', '/device/sip/settings').json()
    assert {'enable', 'timeout', 'user_agent', 'net'} <= set(current) and 'outbound' not in current
    assert panel.call('GET', '/device/sip/enable').status_code == 404
    assert panel.call('GET', '/sip/status').status_code == 404
    assert panel.call('POST', '/device/sip/settings', json=dict(GOOD, enable=False)).status_code == 200
    assert panel.control.patch(PANEL, 'sip', {'sip_enabled': True}) == {}
    assert requests.get(panel.control.url + '/targets/%s/sip' % PANEL, timeout=5).json()['registration'] == 'OFFLINE'
    answer = panel.call('POST', '/device/sip/settings', json=dict(GOOD, timeout=121))
    assert (answer.status_code, answer.json()) == (400, {'error': 'Wrong JSON body'})


def test_camdroid_monitor_requires_h264_and_answers_nested_errors(panel):
    panel.family('camdroid_monitor')
    current = panel.call('GET', '/device/sip/settings').json()
    assert current['h264'] == 102 and 'user_id' not in current
    answer = panel.call('POST', '/device/sip/settings', json=GOOD)
    assert answer.status_code == 400
    assert answer.json()['error']['code'] == 'not_valid' and 'h264' in answer.json()['error']['data']
    short = dict(GOOD, password='x', h264=99)
    assert panel.call('POST', '/device/sip/settings', json=short).status_code == 200
    assert panel.control.state(PANEL)['password'] == 'x'
    for bad in (dict(short, h264=128), dict(short, password='p' * 32), dict(short, password='')):
        assert panel.call('POST', '/device/sip/settings', json=bad).status_code == 400


def test_camdroid_401_is_nested(panel, panels):
    urls, _control = panels
    panel.family('camdroid_monitor')
    answer = requests.get(urls[PANEL] + '/api/v1/device/sip/settings', timeout=5)
    assert (answer.status_code, answer.json()) == (
        401, {'error': {'code': 'invalid_authentication', 'message': 'Log In'}})


def test_a_family_change_resets_to_that_familys_factory_settings(panel):
    panel.call('POST', '/device/sip/settings', json=GOOD)
    panel.family('camdroid_monitor')
    assert panel.control.state(PANEL) == factory_settings('camdroid_monitor')
    answer = panel.control.patch(PANEL, 'options', {})
    assert answer['family'] == 'camdroid_monitor' and answer['api_version'] == 'v1'
    with pytest.raises(requests.HTTPError):
        panel.control.patch(PANEL, 'options', {'family': 'nonesuch'})


def test_five_failed_logins_lock_the_client_out_for_growing_times():
    """developers.bas-ip.com/android-panels/login-user: 5 attempts per IP, then 60 s, 180 s, ..."""
    panel = Panel()
    now = [1000.0]
    panel.clock = lambda: now[0]

    def login(password):
        request = Request('GET', '/api/v1/login?username=admin&password=%s' % hashlib.md5(password.encode()).hexdigest(),
                          {}, b'', client='127.0.0.9')
        return panel.handle(request)

    assert [login('wrong').status for _attempt in range(5)] == [400] * 5
    locked = login('123456')
    assert (locked.status, locked.body) == (429, {'error': 'Too Many Requests', 'seconds': 60})
    now[0] += 61
    assert login('123456').status == 200
    for lockout in (60, 180):  # a success resets the count: the lock-outs grow when failures repeat
        assert [login('wrong').status for _attempt in range(5)] == [400] * 5
        assert login('123456').body['seconds'] == lockout
        now[0] += lockout + 1
    other = Request('GET', '/api/v1/login?username=admin&password=x', {}, b'', client='127.0.0.10')
    assert panel.handle(other).status == 400  # another client is not locked out
