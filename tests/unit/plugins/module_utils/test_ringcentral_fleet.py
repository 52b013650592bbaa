# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RingCentral at fleet scale, on a fake clock: pacing (by the answers' groups, in either
spelling, within RingCentral's real limits and windows), device ids checked before any request,
many devices with one token, the token module and the read-only device module."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral as client
from ansible_collections.sipfleet.provision.plugins.module_utils._http import InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import (
    RINGCENTRAL_DEVICE_INFO, RINGCENTRAL_TOKEN, SIP_PROVISION_INFO,
)
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import DEFAULT_LIMITS, numbered_devices
from ansible_collections.sipfleet.provision.tests.unit.ringcentral_clock import FakeClock, on_clock, start_account

TOKEN, REVOKE = 'POST /restapi/oauth/token', 'POST /restapi/oauth/revoke'
PROVISION = 'POST /restapi/v1.0/client-info/sip-provision'
DEVICES = 'GET /restapi/v1.0/account/~/device'
IDS = ['80239880%04d' % i for i in range(1, 16)]
UNKNOWN = '802398809999'
WAIT = 60 + client.PACING_MARGIN


class Answer:
    """A response as the pacer sees it."""

    def __init__(self, group, remaining, window=60, method='POST', path=client.SIP_PROVISION_PATH):
        self.headers = {'X-Rate-Limit-Group': group, 'X-Rate-Limit-Remaining': str(remaining),
                        'X-Rate-Limit-Window': str(window), 'X-Rate-Limit-Limit': '10'}
        self.url = 'https://platform.ringcentral.com' + path

        class Request:
            pass
        self.request = Request()
        self.request.method = method


def paced():
    clock = FakeClock()
    return clock, client.Pacer(clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize('group', ['heavy', 'Heavy', 'HEAVY'])
def test_pacer_waits_a_window_only_when_the_group_is_exhausted(group):
    clock, pacer = paced()
    pacer.wait('POST', client.SIP_PROVISION_PATH)
    pacer.observe(Answer(group, 1))
    pacer.wait('POST', client.SIP_PROVISION_PATH)
    assert clock.slept == []
    pacer.observe(Answer(group, 0))
    clock.now += 10
    pacer.wait('GET', client.DEVICES_PATH + '/802398800001/sip-info')   # another group is not held back
    assert clock.slept == []
    pacer.wait('POST', client.SIP_PROVISION_PATH)
    assert clock.slept == [pytest.approx(50 + client.PACING_MARGIN)]
    pacer.wait('POST', client.SIP_PROVISION_PATH)                     # a new window: no second wait
    assert len(clock.slept) == 1
    assert pacer.messages() == ['waited %gs for the RingCentral %s rate-limit window before %s'
                                % (round(50 + client.PACING_MARGIN, 2), group, PROVISION)]


def test_pacer_learns_each_routes_group_from_its_answers():
    """The device list is in Medium by the 2020 specification; an answer that says otherwise
    wins, and a route of a group another route exhausted waits before its first request."""
    clock, pacer = paced()
    assert pacer.groups[DEVICES] == 'medium'
    pacer.observe(Answer('light', 0, method='GET', path=client.DEVICES_PATH + '?page=2'))
    assert pacer.groups[DEVICES] == 'light'
    pacer.wait('GET', client.DEVICES_PATH + '/802398800001')          # readDevice, light, not asked yet
    assert clock.slept == [pytest.approx(WAIT)]
    pacer.observe(Answer('Medium', 0, method='GET', path='/restapi/v1.0/account/37439510/device/802398800001'))
    assert pacer.groups['GET /restapi/v1.0/account/~/device/{deviceId}'] == 'medium'
    pacer.wait('GET', client.DEVICES_PATH + '/802398800002')
    assert clock.slept == [pytest.approx(WAIT)] * 2
    pacer.wait('POST', client.SIP_PROVISION_PATH)
    assert len(clock.slept) == 2


def test_pacer_ignores_answers_without_the_headers():
    clock, pacer = paced()
    for headers in ({}, {'X-Rate-Limit-Group': 'heavy', 'X-Rate-Limit-Remaining': 'x', 'X-Rate-Limit-Window': '60'},
                    {'X-Rate-Limit-Group': ' ', 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Window': '60'}):
        answer = Answer('heavy', 0)
        answer.headers = headers
        pacer.observe(answer)
    pacer.wait('POST', client.SIP_PROVISION_PATH)
    assert clock.slept == []


@pytest.fixture(scope='module')
def fleet():
    """An account with 15 devices and RingCentral's own limits, windows and penalties."""
    clock = FakeClock()
    simulator, url, control = start_account(clock, devices=numbered_devices(15))
    yield url, control, clock
    simulator.stop()


@pytest.fixture
def rc(fleet, monkeypatch):
    url, control, clock = fleet
    for route in ('/log', '/targets/ringcentral/counters'):
        requests.delete(control + route, timeout=5)
    requests.patch(control + '/targets/ringcentral/limits', json=DEFAULT_LIMITS, timeout=5).raise_for_status()
    requests.patch(control + '/targets/ringcentral/options', json={'voip_calling': True, 'capitalised_groups': False},
                   timeout=5).raise_for_status()
    del clock.slept[:]
    on_clock(monkeypatch, clock)
    state = requests.get(control + '/targets/ringcentral/state', timeout=5).json()

    def params(spec, **options):
        values = dict((name, entry.get('default')) for name, entry in spec.options.argument_spec().items())
        values.update(server_url=url, client_id=state['client_id'], client_secret=state['client_secret'],
                      jwt=state['jwt'])
        values.update(options)
        return values

    def log():
        return requests.get(control + '/log', timeout=5).json()
    return params, log, state, control


@pytest.fixture
def clock(fleet):
    return fleet[2]


def calls(log):
    return ['%s %s' % (e['method'], e['path']) for e in log()]


def counters(control):
    return requests.get(control + '/targets/ringcentral/state', timeout=5).json()['counters']


@pytest.mark.parametrize('capitalised', [False, True])
def test_fifteen_devices_one_token_paced_without_a_429(rc, clock, capitalised):
    """RingCentral's limits (Heavy: 10 a minute, then a 60 s penalty that every request restarts),
    groups spelled as RingCentral does (heavy) or as its guide's tables do (Heavy)."""
    params, log, state, control = rc
    requests.patch(control + '/targets/ringcentral/options', json={'capitalised_groups': capitalised},
                   timeout=5).raise_for_status()
    result = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS + IDS[:2], include_secrets=True))
    assert counters(control) == {TOKEN: {'200': 1}, PROVISION: {'200': 15}, REVOKE: {'200': 1}}
    assert calls(log) == [TOKEN] + [PROVISION] * 15 + [REVOKE]
    assert sorted(result['identities']) == IDS and result['errors'] == {}
    assert result['identities'][IDS[14]]['sip_info'][0]['username'] == '17203861294*215'
    assert result['rate_limit_waits'] == ['waited %gs for the RingCentral %s rate-limit window before %s'
                                          % (WAIT, 'Heavy' if capitalised else 'heavy', PROVISION)]
    assert clock.slept == [pytest.approx(WAIT)]                     # the 11th waited, once


def test_fifteen_devices_and_an_unknown_one_name_it(rc):
    params, log, state, control = rc
    result = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS[:7] + [UNKNOWN] + IDS[7:]))
    assert sorted(result['identities']) == IDS
    assert list(result['errors']) == [UNKNOWN]
    assert result['errors'][UNKNOWN].startswith('device %s: POST ' % UNKNOWN)
    assert 'Resource for parameter [device.id] is not found (HTTP 400, CMN-102)' in result['errors'][UNKNOWN]
    assert result['warnings'] == ['%s (nothing was registered for it)' % result['errors'][UNKNOWN]]
    assert counters(control)[PROVISION] == {'200': 15, '400': 1}
    checked = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS + [UNKNOWN]), check_mode=True)
    assert checked['errors'][UNKNOWN].startswith('device %s: GET ' % UNKNOWN)
    assert 'Resource for parameter [deviceId] is not found (HTTP 404, CMN-102)' in checked['errors'][UNKNOWN]


@pytest.mark.parametrize('options, text', [
    (dict(device_id=''), "device_id must be RingCentral's id of a device"),
    (dict(device_id='abc'), "not 'abc'"),
    (dict(device_id='../..'), "not '../..'"),
    (dict(device_id='8023\n98804016'), 'device_id must be'),
    (dict(device_id='9' * 100000), '(100000 characters)'),
    (dict(device_ids=['802398800001', ' 1']), "device_ids[1] must be"),
    (dict(device_ids=[]), 'device_ids is empty'),
    (dict(device_id='802398800001', device_ids=['802398800001']), 'mutually exclusive'),
])
def test_device_ids_are_checked_before_any_request(rc, options, text):
    params, log, state, control = rc
    with pytest.raises(InputError) as info:
        SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, **options))
    assert text in str(info.value)
    assert log() == []


def test_check_mode_registers_nothing(rc):
    params, log, state, control = rc
    result = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS[:3]), check_mode=True)
    assert result['would_register'] == IDS[:3] and result['changed'] is False
    assert result['identities'][IDS[0]]['sip_info'][0]['domain'] == 'sip.ringcentral.com'
    assert not [c for c in calls(log) if c == PROVISION]


def test_token_module_present_then_absent(rc):
    params, log, state, control = rc
    with collect_notes() as notes:
        got = RINGCENTRAL_TOKEN.execute(params(RINGCENTRAL_TOKEN))
    assert got['changed'] is False and got['expires_in'] == 3600 and got['access_token'].startswith('SIM')
    assert got['access_token'] not in notes.secrets               # the module's purpose is to return it
    used = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, client_id=None, client_secret=None, jwt=None,
                                             access_token=got['access_token'], device_id=IDS[0]))
    assert used['sip_info'][0]['password'] == MASK
    checked = RINGCENTRAL_TOKEN.execute(params(RINGCENTRAL_TOKEN, state='absent', access_token=got['access_token']),
                                        check_mode=True)
    assert checked == dict(changed=True)
    assert RINGCENTRAL_TOKEN.execute(params(RINGCENTRAL_TOKEN, state='absent',
                                            access_token=got['access_token'])) == dict(changed=True)
    assert calls(log) == [TOKEN, PROVISION, REVOKE]
    revoke = log()[-1]
    assert revoke['body'] == '***' and got['access_token'] not in json.dumps(log())
    with pytest.raises(InputError) as info:
        RINGCENTRAL_TOKEN.execute(params(RINGCENTRAL_TOKEN, state='absent'))
    assert 'missing: access_token' in str(info.value)


def test_obtained_token_is_a_registered_secret(rc):
    params, log, state, control = rc
    with collect_notes() as notes:
        SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_id=IDS[0]))
    issued = requests.get(control + '/targets/ringcentral/state', timeout=5).json()['issued']['access_tokens'][-1]
    assert issued in notes.secrets


def test_device_info_filters_and_sip_info(rc):
    params, log, state, control = rc
    found = RINGCENTRAL_DEVICE_INFO.execute(params(RINGCENTRAL_DEVICE_INFO, serial='SIMSN000007', sip_info=True))
    [device] = found['devices']
    assert device['id'] == IDS[6] and device['sip_info']['user_name'] == '17203861294*207'
    assert device['sip_info']['password'] == MASK and device['sip_info']['outbound_proxies'][0]['proxy']
    assert calls(log) == [TOKEN, 'GET /restapi/v1.0/account/~/device',
                          'GET /restapi/v1.0/account/~/device/%s/sip-info' % IDS[6], REVOKE]
    by_name = RINGCENTRAL_DEVICE_INFO.execute(params(RINGCENTRAL_DEVICE_INFO, name='Intercom 003', query='devices[0].id'))
    assert by_name['query_result'] == IDS[2]
    by_ext = RINGCENTRAL_DEVICE_INFO.execute(params(RINGCENTRAL_DEVICE_INFO, extension_number='212', type='OtherPhone'))
    assert [d['id'] for d in by_ext['devices']] == [IDS[11]]
    one = RINGCENTRAL_DEVICE_INFO.execute(params(RINGCENTRAL_DEVICE_INFO, device_id=IDS[1], include_secrets=True,
                                                 sip_info=True))
    assert one['devices'][0]['sip_info']['password'] == state['devices'][IDS[1]]['password']
    missing = RINGCENTRAL_DEVICE_INFO.execute(params(RINGCENTRAL_DEVICE_INFO, device_id='802398809999'))
    assert missing['devices'] == []
    assert not [e for e in log() if e['method'] == 'POST' and 'oauth' not in e['path']]


def test_device_list_follows_pages_on_the_configured_server():
    body = {'navigation': {'nextPage': {'uri': 'https://platform.ringcentral.com/restapi/v1.0/account/1/device?page=2'}}}
    assert client.next_page(body) == '/restapi/v1.0/account/1/device?page=2'
    assert client.next_page({'navigation': {}}) is None
    with pytest.raises(client.ApiError):
        client.next_page({'navigation': {'nextPage': {'uri': 'https://elsewhere.example/steal'}}})


def test_voip_calling_missing_fails_once_without_a_retry_storm(rc):
    params, log, state, control = rc
    requests.patch(control + '/targets/ringcentral/options', json={'voip_calling': False}, timeout=5)
    with pytest.raises(client.ApiError) as info:
        SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS[:5]))
    assert info.value.code == 'CMN-401'
    assert calls(log) == [TOKEN, PROVISION, REVOKE]
