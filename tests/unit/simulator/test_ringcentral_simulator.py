# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RingCentral simulator answers as api/ringcentral.md says, request by request."""

from __future__ import annotations

import ast
import pathlib
import sys

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator import ringcentral as simulator_module
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import (
    DEFAULT_LIMITS, DEFAULT_OPTIONS, JWT_GRANT, RateLimit, RingCentralAccount, schema_error,
)

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
    simulator, urls = start_fleet(ringcentral=True)
    yield urls['targets']['ringcentral'], urls['control']
    simulator.stop()


@pytest.fixture
def sim(fleet):
    url, control = fleet
    result = Sim(url, control)
    result.patch('options', DEFAULT_OPTIONS)
    result.patch('limits', dict(DEFAULT_LIMITS, Auth=dict(limit=100, window=60, penalty=60)))
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
    assert first.headers['X-Rate-Limit-Group'] == 'Heavy' and first.headers['X-Rate-Limit-Limit'] == '2'
    assert first.headers['X-Rate-Limit-Window'] == '60'
    assert [r.headers['X-Rate-Limit-Remaining'] for r in (first, second)] == ['1', '0']
    assert error(third) == (429, 'CMN-301') and third.headers['Retry-After'] == '30'
    sim.patch('options', {'retry_after': False})
    assert 'Retry-After' not in sim.provision(token=token).headers


def test_auth_group_on_the_token_endpoint(sim):
    sim.patch('limits', {'Auth': {'limit': 5, 'window': 60, 'penalty': 60}})
    statuses = [sim.token_response().status_code for dummy in range(6)]
    assert statuses == [200] * 5 + [429]
    assert sim.token_response().headers['X-Rate-Limit-Group'] == 'Auth'


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


def test_simulator_is_stdlib_only_and_does_not_read_the_contract():
    source = pathlib.Path(simulator_module.__file__)
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
    assert 'open' not in calls and not any('ringcentral-sip-provision' in text or '.yaml' in text for text in strings)
