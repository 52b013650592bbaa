# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RingCentral simulator answers as RingCentral's API says (its OpenAPI contract in
tests/contract/, tests/contract/README.md), request by request."""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator import ringcentral as simulator_module
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import (
    DEFAULT_LIMITS, DEFAULT_OPTIONS, JWT_GRANT, RateLimit, RingCentralAccount, numbered_devices, schema_error,
)
from ansible_collections.sipfleet.provision.tests.unit.ringcentral_clock import FakeClock, start_account

PROVISION = '/restapi/v1.0/client-info/sip-provision'
UDP = {'sipInfo': [{'transport': 'UDP'}], 'device': {'id': '802398804016'}}


class Sim:
    def __init__(self, url, control):
        self.url, self.control = url, control
        self.state = requests.get(control + '/targets/ringcentral/state', timeout=5).json()

    def patch(self, route, change):
        requests.patch('%s/targets/ringcentral/%s' % (self.control, route), json=change, timeout=5).raise_for_status()

    def token_response(self, **form):
        form = dict(dict(grant_type=JWT_GRANT, assertion=self.state['jwt']), **form)
        return requests.post(self.url + '/restapi/oauth/token', data=form, timeout=5,
                             auth=(self.state['client_id'], self.state['client_secret']))

    def token(self):
        return self.token_response().json()['access_token']

    def send(self, token=None, **kwargs):
        """A sip-provision request as given (``json``, ``data`` or no body)."""
        headers = {'Authorization': 'Bearer %s' % (token or self.token())}
        return requests.post(self.url + PROVISION, headers=headers, timeout=5, **kwargs)

    def provision(self, body=None, token=None):
        return self.send(token, json=UDP if body is None else body)


@pytest.fixture(scope='module')
def fleet():
    clock = FakeClock()
    simulator, url, control = start_account(clock)
    yield url, control, clock
    simulator.stop()


@pytest.fixture
def sim(fleet):
    url, control, clock = fleet
    result = Sim(url, control)
    result.clock = clock
    result.patch('options', DEFAULT_OPTIONS)
    result.patch('limits', dict(DEFAULT_LIMITS, Auth=dict(limit=100, window=60, penalty=60)))
    requests.delete(control + '/targets/ringcentral/counters', timeout=5)
    return result


def error(response):
    return response.status_code, response.json()['errors'][0]['errorCode']


def test_constructible_without_arguments():
    account = RingCentralAccount()
    assert account.client_id and account.client_secret and account.jwt.count('.') == 2
    assert len(account.devices) == 2 and account.options['voip_calling'] is True
    assert RingCentralAccount().client_secret != account.client_secret


def test_answer_shape_and_realistic_values(sim):
    response = sim.provision()
    body = response.json()
    assert response.status_code == 200
    [info] = body['sipInfo']
    assert info['username'] == '17203861294*115' and info['domain'] == 'sip.ringcentral.com'
    assert info['outboundProxy'] == 'sip112-191.ringcentral.com:5090' and info['transport'] == 'UDP'
    assert info['stunServers'][0] == 'stun1.ringcentral.com:19302'
    assert 'certificate' not in info
    assert set(body) == {'device', 'sipInfo', 'sipInfoPstn', 'sipFlags', 'sipErrorCodes', 'pollingInterval',
                         'persistGatewayConfigured'}
    wss = sim.provision({'sipInfo': [{'transport': 'WSS'}], 'device': {'id': '802398804016'}}).json()['sipInfo'][0]
    assert wss['outboundProxy'].endswith(':8083') and wss['authorizationTypes'] == ['SipDigest', 'BearerToken']
    tls = sim.provision({'sipInfo': [{'transport': 'TLS'}], 'device': {'id': '802398804016'}}).json()['sipInfo'][0]
    assert tls['certificate']


def test_fresh_authorization_id_and_optional_password_rotation(sim):
    first, second = (sim.provision().json()['sipInfo'][0] for dummy in range(2))
    assert first['authorizationId'] != second['authorizationId'] and first['password'] == second['password']
    sim.patch('options', {'rotate_password': True})
    assert sim.provision().json()['sipInfo'][0]['password'] != first['password']


@pytest.mark.parametrize('body, name', [
    ({'sipInfo': [{'transport': 'SCTP'}]}, 'sipInfo.transport'),
    ({'sipInfo': [{'transport': 'udp'}]}, 'sipInfo.transport'),
    ({'sipInfo': {'transport': 'UDP'}}, 'sipInfo'),
    ({'device': {'id': 802398804016}}, 'device.id'),
    ({'softPhoneLineReassignment': 'Later'}, 'softPhoneLineReassignment'),
    ([UDP], 'body'),
])
def test_request_body_is_checked_against_the_schema(sim, body, name):
    response = sim.provision(body)
    assert error(response) == (400, 'CMN-101')
    assert response.json()['errors'][0]['parameterName'] == name


def test_unparsable_or_missing_body(sim):
    assert error(sim.send(data=b'{"sipInfo": [')) == (400, 'CMN-103')
    assert error(sim.send()) == (400, 'CMN-104')


def test_unknown_device_and_new_device(sim):
    response = sim.provision({'device': {'id': '1'}})
    assert error(response) == (400, 'CMN-102') and response.json()['errors'][0]['parameterName'] == 'device.id'
    body = sim.provision({'sipInfo': [{'transport': 'TCP'}]}).json()
    assert body['device']['id'] not in sim.state['devices'] and body['device']['type'] == 'SoftPhone'


def test_tokens_expired_invalid_revoked(sim):
    token = sim.token()
    assert sim.provision(token=token).status_code == 200
    requests.post(sim.control + '/targets/ringcentral/expire-tokens', timeout=5)
    assert error(sim.provision(token=token)) == (401, 'OAU-128')
    assert error(sim.provision(token='made-up')) == (401, 'OAU-149')
    fresh = sim.token()
    revoke = requests.post(sim.url + '/restapi/oauth/revoke', data={'token': fresh}, timeout=5,
                           auth=(sim.state['client_id'], sim.state['client_secret']))
    assert revoke.status_code == 200
    assert error(sim.provision(token=fresh)) == (401, 'OAU-149')


def test_token_endpoint_checks_client_grant_and_form(sim):
    answer = sim.token_response().json()
    assert answer['token_type'] == 'bearer' and answer['expires_in'] == 3600 and answer['refresh_token']
    refreshed = sim.token_response(grant_type='refresh_token', refresh_token=answer['refresh_token'])
    assert refreshed.status_code == 200
    assert error(sim.token_response(assertion='other.jwt.value')) == (400, 'OAU-140')
    assert error(sim.token_response(grant_type='password')) == (400, 'OAU-251')
    wrong_client = requests.post(sim.url + '/restapi/oauth/token', auth=(sim.state['client_id'], 'wrong'),
                                 data={'grant_type': JWT_GRANT, 'assertion': sim.state['jwt']}, timeout=5)
    assert error(wrong_client) == (401, 'OAU-123') and wrong_client.json()['error'] == 'invalid_client'
    as_json = requests.post(sim.url + '/restapi/oauth/token', json={'grant_type': JWT_GRANT}, timeout=5,
                            auth=(sim.state['client_id'], sim.state['client_secret']))
    assert as_json.status_code == 415


def test_voip_calling_permission(sim):
    sim.patch('options', {'voip_calling': False})
    response = sim.provision()
    assert error(response) == (403, 'CMN-401') and '[VoipCalling]' in response.json()['errors'][0]['message']


def test_rate_limit_headers_and_penalty(sim):
    sim.patch('limits', {'Heavy': {'limit': 2, 'window': 60, 'penalty': 30}})
    token = sim.token()
    first, second, third = (sim.provision(token=token) for dummy in range(3))
    assert first.headers['X-Rate-Limit-Group'] == 'heavy' and first.headers['X-Rate-Limit-Limit'] == '2'
    assert first.headers['X-Rate-Limit-Window'] == '60'
    assert [r.headers['X-Rate-Limit-Remaining'] for r in (first, second)] == ['1', '0']
    assert error(third) == (429, 'CMN-301') and third.headers['Retry-After'] == '30'
    sim.patch('options', {'retry_after': False})
    assert 'Retry-After' not in sim.provision(token=token).headers


def test_auth_group_on_the_token_endpoint(sim):
    sim.patch('limits', {'Auth': {'limit': 5, 'window': 60, 'penalty': 60}})
    statuses = [sim.token_response().status_code for dummy in range(6)]
    assert statuses == [200] * 5 + [429]
    assert sim.token_response().headers['X-Rate-Limit-Group'] == 'auth'


def test_penalty_is_restarted_by_every_request_inside_it():
    limit = RateLimit('Heavy', limit=2, window=60, penalty=60)
    assert [limit.take(t)[0] for t in (0, 1, 2)] == [True, True, False]
    assert limit.penalty_until == 62
    assert limit.take(50)[0] is False and limit.penalty_until == 110
    assert limit.take(109)[0] is False and limit.penalty_until == 169
    assert limit.take(169)[0] is True  # waited the whole penalty: a new window


def test_variants(sim):
    sim.patch('options', {'pstn': False})
    assert 'sipInfoPstn' not in sim.provision().json()
    sim.patch('options', {'pstn': True, 'extra_fields': True, 'unknown_enums': True})
    body = sim.provision().json()
    assert body['hdVoiceEnabled'] is True and 'outboundProxyQuic' in body['sipInfo'][0]
    assert 'MutualTls' in body['sipInfo'][0]['authorizationTypes'] and body['sipInfoPstn'][0]['transport'] == 'QUIC'
    assert body['device']['type'] == 'IntercomPanel'


def test_control_routes_refuse_unknown_options(sim):
    response = requests.patch(sim.control + '/targets/ringcentral/options', json={'colour': 'red'}, timeout=5)
    assert response.status_code == 400


def test_schema_error_walks_nested_values():
    schema = {'type': 'object', 'properties': {'a': {'type': 'array', 'items': {'type': 'boolean'}}}}
    assert schema_error(schema, {'a': [True, 1]}) == ('a', 1)
    assert schema_error(schema, {'a': [True], 'unknown': 'kept'}) is None


@pytest.mark.parametrize('name', ['ringcentral.py', 'ringcentral_rules.py', 'ringcentral_views.py'])
def test_simulator_is_stdlib_only_and_does_not_read_the_contract(name):
    source = pathlib.Path(simulator_module.__file__).with_name(name)
    tree = ast.parse(source.read_text(encoding='utf-8'))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            imported.add(node.module.split('.')[0])
    assert imported <= set(sys.stdlib_module_names) | {'__future__'}
    calls = [n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert 'open' not in calls and not any('openapi' in text or '.yaml' in text for text in strings)


# --- device reads, scopes, groups and the window ---------------------------------------

DEVICES = '/restapi/v1.0/account/~/device'


def read(sim, path, token=None, **params):
    return requests.get(sim.url + path, params=params, timeout=5,
                        headers={'Authorization': 'Bearer %s' % (token or sim.token())})


def test_device_list_pages_and_navigation():
    account = RingCentralAccount(devices=numbered_devices(5))
    simulator, urls = serve(account)
    try:
        sim = Sim(urls['targets']['ringcentral'], urls['control'])
        token = sim.token()
        first = read(sim, DEVICES, token, perPage=2).json()
        assert [r['id'] for r in first['records']] == ['802398800001', '802398800002']
        assert first['paging'] == dict(page=1, perPage=2, totalPages=3, totalElements=5, pageStart=0, pageEnd=1)
        assert first['navigation']['nextPage']['uri'].endswith('/device?page=2&perPage=2')
        last = requests.get(first['navigation']['lastPage']['uri'].replace(
            'https://platform.ringcentral.com', sim.url), headers={'Authorization': 'Bearer ' + token}, timeout=5).json()
        assert [r['serial'] for r in last['records']] == ['SIMSN000005'] and 'nextPage' not in last['navigation']
        assert last['records'][0]['extension']['extensionNumber'] == '205' and 'status' not in last['records'][0]
        whole = read(sim, DEVICES, token).json()
        assert len(whole['records']) == 5 and 'nextPage' not in whole['navigation']
        assert error(read(sim, DEVICES, token, perPage=0)) == (400, 'CMN-101')
        assert error(read(sim, DEVICES, token, page='x')) == (400, 'CMN-101')
    finally:
        simulator.stop()


def serve(account):
    from ansible_collections.sipfleet.provision.tests.simulator.server import ControlApp, Simulator
    simulator = Simulator()
    control = simulator.add('control', ControlApp(simulator))
    simulator.add('ringcentral', account)
    simulator.start()
    return simulator, dict(control=control, targets=dict(ringcentral=simulator.urls()['ringcentral']))


def test_read_device_and_sip_info_are_read_only(sim):
    token = sim.token()
    device = read(sim, DEVICES + '/802398804016', token).json()
    assert device['id'] == '802398804016' and device['extension']['extensionNumber'] == '115'
    info = read(sim, DEVICES + '/802398804016/sip-info', token).json()
    assert set(info) == {'domain', 'userName', 'password', 'authorizationId', 'outboundProxies'}
    assert info['userName'] == '17203861294*115' and info['domain'] == 'sip.ringcentral.com'
    assert info['outboundProxies'][0]['proxy'] == 'sip112-191.ringcentral.com:5090'
    again = read(sim, '/restapi/v1.0/account/37439510/device/802398804016/sip-info', token).json()
    assert again['authorizationId'] == info['authorizationId']  # reading mints nothing
    minted = sim.provision(token=token).json()['sipInfo'][0]['authorizationId']
    assert read(sim, DEVICES + '/802398804016/sip-info', token).json()['authorizationId'] == minted


def test_unknown_device_or_account_is_not_found(sim):
    token = sim.token()
    response = read(sim, DEVICES + '/802398809999/sip-info', token)
    assert error(response) == (404, 'CMN-102') and response.json()['errors'][0]['parameterName'] == 'deviceId'
    assert error(read(sim, '/restapi/v1.0/account/1/device', token)) == (404, 'CMN-102')
    assert requests.post(sim.url + DEVICES, timeout=5, headers={'Authorization': 'Bearer ' + token}).status_code == 405


def test_token_scope_decides_permissions(sim):
    sim.patch('options', {'voip_calling': False})
    answer = sim.token_response().json()
    assert answer['scope'] == 'ReadAccounts' and answer['session_id']
    assert error(sim.provision(token=answer['access_token'])) == (403, 'CMN-401')
    assert read(sim, DEVICES, answer['access_token']).status_code == 200
    sim.patch('options', {'voip_calling': True, 'read_accounts': False})
    limited = sim.token()
    response = read(sim, DEVICES + '/802398804016/sip-info', limited)
    assert error(response) == (403, 'CMN-401') and '[ReadAccounts]' in response.json()['errors'][0]['message']
    assert error(sim.provision(token=answer['access_token'])) == (403, 'CMN-401')  # scope fixed at issue
    assert sim.provision(token=limited).status_code == 200


def test_groups_of_every_route(sim):
    token = sim.token()
    groups = [read(sim, DEVICES, token).headers['X-Rate-Limit-Group'],
              read(sim, DEVICES + '/802398804016/sip-info', token).headers['X-Rate-Limit-Group'],
              sim.provision(token=token).headers['X-Rate-Limit-Group'],
              requests.post(sim.url + '/restapi/oauth/revoke', data={'token': token}, timeout=5,
                            auth=(sim.state['client_id'], sim.state['client_secret'])).headers['X-Rate-Limit-Group']]
    assert groups == ['medium', 'light', 'heavy', 'auth']              # as RingCentral spells them
    sim.patch('options', {'capitalised_groups': True})
    assert sim.provision().headers['X-Rate-Limit-Group'] == 'Heavy'


def test_counters_count_each_routes_answers_by_status(sim):
    sim.patch('limits', {'Heavy': {'limit': 1, 'window': 60, 'penalty': 60}})
    token = sim.token()
    assert [sim.provision(token=token).status_code for dummy in range(2)] == [200, 429]
    assert read(sim, DEVICES + '/802398804016/sip-info', token).status_code == 200
    assert read(sim, DEVICES + '/1', token).status_code == 404
    assert requests.get(sim.control + '/targets/ringcentral/state', timeout=5).json()['counters'] == {
        'POST /restapi/oauth/token': {'200': 1}, 'POST ' + PROVISION: {'200': 1, '429': 1},
        'GET %s/{deviceId}/sip-info' % DEVICES: {'200': 1}, 'GET %s/{deviceId}' % DEVICES: {'404': 1}}
    requests.delete(sim.control + '/targets/ringcentral/counters', timeout=5).raise_for_status()
    assert requests.get(sim.control + '/targets/ringcentral/state', timeout=5).json()['counters'] == {}


def test_default_limits_are_ringcentrals():
    account = RingCentralAccount()
    assert account.limit_settings == dict(
        Light=dict(limit=50, window=60, penalty=60), Medium=dict(limit=40, window=60, penalty=60),
        Heavy=dict(limit=10, window=60, penalty=60), Auth=dict(limit=5, window=60, penalty=60))
    assert RingCentralAccount(window=6).limit_settings['Heavy'] == dict(limit=10, window=6, penalty=6)


def test_real_window_end_to_end(sim):
    """RingCentral's 60 s window and penalty: 10 Heavy calls pass, the 11th is 429, a request
    inside the penalty restarts it, and after a quiet penalty the group is open again."""
    token = sim.token()
    statuses = [sim.provision(token=token).status_code for dummy in range(11)]
    assert statuses == [200] * 10 + [429]
    sim.clock.sleep(36)
    assert sim.provision(token=token).status_code == 429  # inside the penalty: restarts it
    sim.clock.sleep(36)
    assert sim.provision(token=token).status_code == 429  # 72 s after the 429, 36 s after the restart
    sim.clock.sleep(61)
    response = sim.provision(token=token)
    assert response.status_code == 200 and response.headers['X-Rate-Limit-Remaining'] == '9'
    assert response.headers['X-Rate-Limit-Window'] == '60'


def test_light_group_limit(sim):
    sim.patch('limits', {'Light': {'limit': 50, 'window': 60, 'penalty': 60}})
    token = sim.token()
    statuses = [read(sim, DEVICES + '/802398804016', token).status_code for dummy in range(51)]
    assert statuses == [200] * 50 + [429]


def test_out_of_band_device_change(sim):
    response = requests.patch(sim.control + '/targets/ringcentral/devices/802398804016',
                              json={'username': '17203861294*999'}, timeout=5)
    assert response.status_code == 200
    assert read(sim, DEVICES + '/802398804016/sip-info').json()['userName'] == '17203861294*999'
    assert requests.patch(sim.control + '/targets/ringcentral/devices/1', json={}, timeout=5).status_code == 404


def test_command_line_window():
    root = str(pathlib.Path(simulator_module.__file__).parents[2])
    bad = subprocess.run([sys.executable, '-m', 'tests.simulator', '--rc-window', '0'], capture_output=True, check=False,
                         cwd=root, timeout=30)
    assert bad.returncode == 2 and b'--rc-window' in bad.stderr
    process = subprocess.Popen([sys.executable, '-m', 'tests.simulator', '--panels', '0', '--ringcentral',
                                '--rc-window', '6', '--rc-devices', '3'], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        text = ''
        for line in process.stdout:                 # the URLs, printed once it listens
            text += line
            if line.startswith('}'):
                break
        urls = json.loads(text)
        got = requests.get(urls['control'] + '/targets/ringcentral/state', timeout=5).json()
        assert got['limits']['Heavy'] == dict(limit=10, window=6, penalty=6) and len(got['devices']) == 3
    finally:
        process.terminate()
        process.wait(10)
