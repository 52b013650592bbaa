# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RingCentral at fleet scale: pacing (fake clock, and against the simulator's real limits in a
scaled window), device ids checked before any request, many devices with one token, the token
module and the read-only device module."""

from __future__ import annotations

import json
import time

import pytest
import requests

from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral as client
from ansible_collections.sipfleet.provision.plugins.module_utils._http import InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import (
    RINGCENTRAL_DEVICE_INFO, RINGCENTRAL_TOKEN, SIP_PROVISION_INFO,
)
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet

TOKEN, REVOKE = 'POST /restapi/oauth/token', 'POST /restapi/oauth/revoke'
PROVISION = 'POST /restapi/v1.0/client-info/sip-provision'
IDS = ['80239880%04d' % i for i in range(1, 13)]


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class Answer:
    def __init__(self, group, remaining, window=60):
        self.headers = {'X-Rate-Limit-Group': group, 'X-Rate-Limit-Remaining': str(remaining),
                        'X-Rate-Limit-Window': str(window), 'X-Rate-Limit-Limit': '10'}


def test_pacer_waits_a_window_only_when_the_group_is_exhausted():
    clock = FakeClock()
    pacer = client.Pacer(clock=clock, sleep=clock.sleep)
    pacer.wait('Heavy', 'first')
    pacer.observe(Answer('Heavy', 1))
    pacer.wait('Heavy', 'second')
    assert clock.slept == []
    pacer.observe(Answer('Heavy', 0))
    clock.now += 10
    pacer.wait('Light', 'a read')                  # another group is not held back
    assert clock.slept == []
    pacer.wait('Heavy', 'the eleventh')
    assert clock.slept == [pytest.approx(50 + client.PACING_MARGIN)]
    pacer.wait('Heavy', 'the twelfth')             # a new window: no second wait
    assert len(clock.slept) == 1
    assert pacer.messages() == ['waited %gs for the RingCentral Heavy rate-limit window before the eleventh'
                                % round(50 + client.PACING_MARGIN, 2)]


def test_pacer_ignores_answers_without_the_headers():
    clock = FakeClock()
    pacer = client.Pacer(clock=clock, sleep=clock.sleep)
    for headers in ({}, {'X-Rate-Limit-Group': 'Heavy', 'X-Rate-Limit-Remaining': 'x', 'X-Rate-Limit-Window': '60'}):
        answer = Answer('Heavy', 0)
        answer.headers = headers
        pacer.observe(answer)
    pacer.wait('Heavy', 'next')
    assert clock.slept == []


@pytest.fixture(scope='module')
def fleet():
    simulator, urls = start_fleet(ringcentral=True, rc_window=2, rc_devices=12)
    yield urls
    simulator.stop()


@pytest.fixture
def rc(fleet):
    control = fleet['control']
    requests.delete(control + '/log', timeout=5)
    requests.patch(control + '/targets/ringcentral/limits', json={}, timeout=5).raise_for_status()
    requests.patch(control + '/targets/ringcentral/options', json={'voip_calling': True}, timeout=5)
    state = requests.get(control + '/targets/ringcentral/state', timeout=5).json()

    def params(spec, **options):
        values = dict((name, entry.get('default')) for name, entry in spec.options.argument_spec().items())
        values.update(server_url=fleet['targets']['ringcentral'], client_id=state['client_id'],
                      client_secret=state['client_secret'], jwt=state['jwt'])
        values.update(options)
        return values

    def log():
        return requests.get(control + '/log', timeout=5).json()
    return params, log, state, control


def calls(log):
    return ['%s %s' % (e['method'], e['path']) for e in log()]


def test_twelve_devices_one_token_paced_without_a_429(rc):
    params, log, state, control = rc
    started = time.monotonic()
    result = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=IDS + IDS[:2], include_secrets=True))
    elapsed = time.monotonic() - started
    entries = log()
    assert calls(log) == [TOKEN] + [PROVISION] * 12 + [REVOKE]
    assert [e['status'] for e in entries] == [200] * 14              # no 429: paced
    assert sorted(result['identities']) == IDS and result['errors'] == {}
    assert result['identities'][IDS[11]]['sip_info'][0]['username'] == '17203861294*212'
    heavy = [e['time'] for e in entries if e['path'].endswith('sip-provision')]
    assert heavy[10] - heavy[9] >= 2                                  # the 11th waited for the window
    assert len(result['rate_limit_waits']) == 1 and 'Heavy' in result['rate_limit_waits'][0]
    assert 2 <= elapsed < 10


def test_an_unknown_device_among_many_is_reported_not_fatal(rc):
    params, log, state, control = rc
    result = SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, device_ids=[IDS[0], '802398809999']))
    assert list(result['identities']) == [IDS[0]]
    assert 'device 802398809999' in result['errors']['802398809999'] and 'CMN-102' in result['errors']['802398809999']
    assert '802398809999' in result['warnings'][0]


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
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        SIP_PROVISION_INFO.execute(params(SIP_PROVISION_INFO, **options))
    assert text in str(info.value) and time.monotonic() - started < 1
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
