# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device reads, tokens and revocations against RingCentral's contracts (openapi-core): what the
simulator answers and what the collection's RingCentral client sends.

Contracts (tests/contract/): ``ringcentral-device.openapi.yaml`` (readDevice, readDeviceSipInfo,
getToken, revokeToken, from the current public spec) and ``ringcentral-account-devices.openapi.yaml``
(listAccountDevices, from the 2020 spec). Additions to the in-memory copies, none to the files:
the simulator's URL joins ``servers``; the contract's ``Unauthorized``, ``Forbidden``,
``NotFound`` and ``TooManyRequests`` responses are attached to the device operations as 401, 403,
404 and 429 (RingCentral's spec applies them to every operation); the 2020 spec's ``accountId``
default ``~`` (YAML for null) is read as the string ``"~"`` it stands for; and the
``OauthBasicScheme`` the OAuth paths name but the spec does not define is defined as HTTP Basic.
openapi-core does not check OAuth 2 schemes, so the bearer token of every request is checked here;
and it cannot read a form body into a schema that is a composition (``GetTokenRequest`` is an
``anyOf`` of an ``allOf``), so the form of a token or revoke request is checked here against the
required fields of ``JwtTokenRequest`` and ``RevokeTokenRequest`` (read from the contract).
"""

from __future__ import annotations

import urllib.parse
import warnings

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import DEFAULT_OPTIONS, JWT_GRANT, numbered_devices
from ansible_collections.sipfleet.provision.tests.unit.ringcentral_clock import FakeClock, start_account

openapi_core = pytest.importorskip('openapi_core', reason='openapi-core is not installed (tests/requirements.txt)')
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse  # noqa: E402

DEVICE_CONTRACT = 'ringcentral-device.openapi.yaml'
DEVICE = '/restapi/v1.0/account/{accountId}/device/{deviceId}'
SIP_INFO = DEVICE + '/sip-info'
LIST = '/restapi/v1.0/account/{accountId}/device'
ERRORS = (('401', 'Unauthorized'), ('403', 'Forbidden'), ('404', 'NotFound'), ('429', 'TooManyRequests'))
pytestmark = pytest.mark.filterwarnings('ignore:Unsupported scheme type:UserWarning')


def load(spec, url, operations):
    spec['servers'].append({'url': url})
    for path in operations:
        responses = spec['paths'][path]['get']['responses']
        for status, ref in ERRORS:
            if ref in spec['components'].get('responses', {}):
                responses.setdefault(status, {'$ref': '#/components/responses/%s' % ref})
        for parameter in spec['paths'][path]['get'].get('parameters', []):
            if parameter.get('name') == 'accountId' and parameter['schema'].get('default', '') is None:
                parameter['schema']['default'] = '~'
    spec['components'].setdefault('securitySchemes', {}).setdefault(
        'OauthBasicScheme', {'type': 'http', 'scheme': 'basic'})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return openapi_core.OpenAPI.from_dict(spec)


@pytest.fixture(scope='module')
def fleet():
    simulator, url, control = start_account(FakeClock(), devices=numbered_devices(7))
    yield url, control
    simulator.stop()


@pytest.fixture(scope='module')
def contracts(fleet, openapi_contract):
    return dict(device=load(openapi_contract(DEVICE_CONTRACT), fleet[0], (DEVICE, SIP_INFO)),
                account=load(openapi_contract('ringcentral-account-devices.openapi.yaml'), fleet[0], (LIST,)),
                schemas=openapi_contract(DEVICE_CONTRACT)['components']['schemas'])


@pytest.fixture
def state(fleet):
    requests.patch(fleet[1] + '/targets/ringcentral/options', json=DEFAULT_OPTIONS, timeout=5).raise_for_status()
    requests.patch(fleet[1] + '/targets/ringcentral/limits', json={
        'Light': dict(limit=1000, window=60, penalty=60), 'Auth': dict(limit=1000, window=60, penalty=60)},
        timeout=5).raise_for_status()
    return requests.get(fleet[1] + '/targets/ringcentral/state', timeout=5).json()


def contract_of(contracts, request):
    path = request.path_url.split('?')[0]
    return contracts['account'] if path.endswith('/device') else contracts['device']


def check_form(schemas, request):
    """A token request is a JWT-bearer grant, a revoke request names its token: Basic client auth."""
    form = dict(urllib.parse.parse_qsl(request.body if isinstance(request.body, str) else request.body.decode()))
    assert request.headers['Content-Type'] == 'application/x-www-form-urlencoded'
    assert request.headers['Authorization'].startswith('Basic ')
    if request.path_url.startswith('/restapi/oauth/token'):
        jwt = schemas['JwtTokenRequest']
        assert set(jwt['required']) <= set(form) and form['grant_type'] in jwt['properties']['grant_type']['enum']
    else:
        assert 'token' in schemas['RevokeTokenRequest']['allOf'][0]['properties'] and form['token']


def check(contracts, response):
    """Raise unless request and answer conform (see the module's docstring for what is checked here)."""
    request = response.request
    contract = contract_of(contracts, request)
    wrapped = RequestsOpenAPIRequest(request)
    if '/oauth/' in request.path_url:
        check_form(contracts['schemas'], request)
    else:
        assert request.headers['Authorization'].startswith('Bearer ')
        contract.validate_request(wrapped)
    contract.validate_response(wrapped, RequestsOpenAPIResponse(response))


def token(fleet, state):
    response = requests.post(fleet[0] + '/restapi/oauth/token', auth=(state['client_id'], state['client_secret']),
                             data=dict(grant_type=JWT_GRANT, assertion=state['jwt']), timeout=5)
    return response


def get(fleet, access, path, **params):
    return requests.get(fleet[0] + path, params=params, timeout=5, headers={'Authorization': 'Bearer ' + access})


def test_token_and_revoke_conform(contracts, fleet, state):
    response = token(fleet, state)
    check(contracts, response)
    revoke = requests.post(fleet[0] + '/restapi/oauth/revoke', auth=(state['client_id'], state['client_secret']),
                           data=dict(token=response.json()['access_token']), timeout=5)
    check(contracts, revoke)


@pytest.mark.parametrize('variant', [{}, {'extra_fields': True}])
@pytest.mark.parametrize('path, params', [
    ('/restapi/v1.0/account/~/device', {}),
    ('/restapi/v1.0/account/~/device', {'page': 2, 'perPage': 3}),
    ('/restapi/v1.0/account/37439510/device', {'page': 9, 'perPage': 3}),
    ('/restapi/v1.0/account/~/device/802398800001', {}),
    ('/restapi/v1.0/account/~/device/802398800002/sip-info', {}),
    ('/restapi/v1.0/account/37439510/device/802398800003/sip-info', {}),
])
def test_device_reads_conform(contracts, fleet, state, variant, path, params):
    requests.patch(fleet[1] + '/targets/ringcentral/options', json=variant, timeout=5).raise_for_status()
    response = get(fleet, token(fleet, state).json()['access_token'], path, **params)
    assert response.status_code == 200
    check(contracts, response)


@pytest.mark.parametrize('setup, path, status', [
    (None, '/restapi/v1.0/account/~/device/802398809999/sip-info', 404),
    (None, '/restapi/v1.0/account/~/device/802398809999', 404),
    ({'read_accounts': False}, '/restapi/v1.0/account/~/device/802398800001/sip-info', 403),
    ('expire', '/restapi/v1.0/account/~/device/802398800001/sip-info', 401),
    ('limit', '/restapi/v1.0/account/~/device/802398800001', 429),
])
def test_device_read_errors_conform(contracts, fleet, state, setup, path, status):
    if isinstance(setup, dict):
        requests.patch(fleet[1] + '/targets/ringcentral/options', json=setup, timeout=5).raise_for_status()
    access = token(fleet, state).json()['access_token']
    if setup == 'expire':
        requests.post(fleet[1] + '/targets/ringcentral/expire-tokens', timeout=5).raise_for_status()
    if setup == 'limit':
        requests.patch(fleet[1] + '/targets/ringcentral/limits', json={'Light': dict(limit=0, window=60, penalty=60)},
                       timeout=5).raise_for_status()
    response = get(fleet, access, path)
    assert response.status_code == status
    check(contracts, response)
