# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every sip-provision request the module sends, and every answer the simulator gives,
validated against RingCentral's own OpenAPI contract with openapi-core.

The contract is the extract of RingCentral's public OpenAPI specification vendored in
``tests/contract/`` (its README says from where); the ``openapi_contract`` fixture loads it.

Two additions are made to the in-memory copy of the contract, none to the file: the
simulator's URL joins ``servers``, and the extract's own ``Unauthorized``, ``Forbidden``
and ``TooManyRequests`` responses are attached to the operation as 401, 403 and 429
(RingCentral's full spec applies them to every operation; the extract lists only 400,
500 and 503 on the path). openapi-core does not check OAuth 2 security schemes, so the
bearer token of every request is checked here.
"""

from __future__ import annotations

import warnings

import pytest
import requests
from hypothesis import given, settings, strategies as st

from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral as client, _ringcentral_tasks as ringcentral
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import DEFAULT_LIMITS, DEFAULT_OPTIONS
from ansible_collections.sipfleet.provision.tests.unit.ringcentral_clock import FakeClock, on_clock, start_account

openapi_core = pytest.importorskip('openapi_core', reason='openapi-core is not installed (tests/requirements.txt)')
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse  # noqa: E402
from openapi_core.exceptions import OpenAPIError  # noqa: E402


CONTRACT = 'ringcentral-sip-provision.openapi.yaml'
PROVISION = client.SIP_PROVISION_PATH
DEVICES = ('802398804016', '802398805016')


pytestmark = [
    pytest.mark.filterwarnings('ignore:Unsupported scheme type:UserWarning'),  # OAuth 2: checked here
]


@pytest.fixture(scope='module')
def fleet():
    clock = FakeClock()
    simulator, url, control = start_account(clock)
    yield url, control, clock
    simulator.stop()


@pytest.fixture(scope='module')
def contract(fleet, openapi_contract):
    spec = openapi_contract(CONTRACT)
    spec['servers'].append({'url': fleet[0]})
    responses = spec['paths'][PROVISION]['post']['responses']
    for status, name in (('401', 'Unauthorized'), ('403', 'Forbidden'), ('429', 'TooManyRequests')):
        responses.setdefault(status, {'$ref': '#/components/responses/%s' % name})
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # "Unsupported scheme type": OAuth 2 is checked below
        return openapi_core.OpenAPI.from_dict(spec)


def control(fleet, route, change):
    requests.patch('%s/targets/ringcentral/%s' % (fleet[1], route), json=change, timeout=5).raise_for_status()


@pytest.fixture
def exchanges(fleet, monkeypatch):
    """Every (request, response) that goes over the wire during the test, defaults restored first."""
    control(fleet, 'options', DEFAULT_OPTIONS)
    control(fleet, 'limits', dict(DEFAULT_LIMITS, Auth=dict(limit=1000, window=60, penalty=60),
                                  Heavy=dict(limit=1000, window=60, penalty=60)))
    requests.delete(fleet[1] + '/faults', timeout=5)
    on_clock(monkeypatch, fleet[2])
    seen = []
    send = requests.Session.send

    def recording_send(self, request, **kwargs):
        response = send(self, request, **kwargs)
        if request.url.startswith(fleet[0]):
            seen.append((request, response))
        return response
    monkeypatch.setattr(requests.Session, 'send', recording_send)
    yield seen
    requests.delete(fleet[1] + '/faults', timeout=5)


def validate(contract, request, response):
    """Raise unless the exchange conforms to the contract."""
    wrapped = RequestsOpenAPIRequest(request)
    contract.validate_request(wrapped)
    contract.validate_response(wrapped, RequestsOpenAPIResponse(response))


def check_exchanges(contract, seen):
    """sip-provision exchanges against the contract; the OAuth ones against the notes."""
    provision = 0
    for request, response in seen:
        path = request.path_url.split('?')[0]
        if path == PROVISION:
            provision += 1
            validate(contract, request, response)
            assert request.headers['Authorization'].startswith('Bearer ')
        else:
            assert path in (client.TOKEN_PATH, client.REVOKE_PATH)
            assert request.headers['Content-Type'] == 'application/x-www-form-urlencoded'
            assert request.headers['Authorization'].startswith('Basic ')
    return provision


def module_params(fleet, **options):
    state = requests.get(fleet[1] + '/targets/ringcentral/state', timeout=5).json()
    params = dict((name, spec.get('default')) for name, spec in ringcentral.SIP_PROVISION_INFO.options.argument_spec().items())
    params.update(server_url=fleet[0], client_id=state['client_id'], client_secret=state['client_secret'],
                  jwt=state['jwt'], device_id=DEVICES[0], retries=2)
    params.update(options)
    return params


@pytest.mark.parametrize('options', [
    dict(transport='UDP'), dict(transport='TCP'), dict(transport='TLS', include_secrets=True),
    dict(transport='WSS'), dict(device_id=None),
    dict(soft_phone_line_reassignment='None'), dict(soft_phone_line_reassignment='Initialize'),
    dict(soft_phone_line_reassignment='Reassign', device_id=DEVICES[1]),
])
@pytest.mark.parametrize('variant', [{}, {'pstn': False}, {'extra_fields': True}])
def test_module_requests_and_simulator_answers_conform(contract, fleet, exchanges, options, variant):
    control(fleet, 'options', variant)
    ringcentral.SIP_PROVISION_INFO.execute(module_params(fleet, **options))
    assert check_exchanges(contract, exchanges) == 1


@pytest.mark.parametrize('setup, code', [
    (lambda fleet: requests.post(fleet[1] + '/faults', json=dict(
        target='ringcentral', kind='expire_tokens', path=PROVISION, count=2), timeout=5), 'OAU-128'),
    (lambda fleet: control(fleet, 'options', {'voip_calling': False}), 'CMN-401'),
    (lambda fleet: control(fleet, 'limits', {'Heavy': {'limit': 0, 'window': 60, 'penalty': 120}}), 'CMN-301'),
])
def test_error_answers_conform(contract, fleet, exchanges, setup, code):
    setup(fleet)
    with pytest.raises(ApiError) as info:
        ringcentral.SIP_PROVISION_INFO.execute(module_params(fleet, retry_max_wait=1))
    assert info.value.code == code
    assert check_exchanges(contract, exchanges) >= 1


def test_renewed_token_exchanges_conform(contract, fleet, exchanges):
    requests.post(fleet[1] + '/faults', json=dict(target='ringcentral', kind='expire_tokens', path=PROVISION),
                  timeout=5)
    ringcentral.SIP_PROVISION_INFO.execute(module_params(fleet))
    assert check_exchanges(contract, exchanges) == 2
    assert [r.status_code for q, r in exchanges if q.path_url == PROVISION] == [401, 200]


def test_unknown_enum_variant_is_outside_the_contract(contract, fleet, exchanges):
    """The variant that stands for values RingCentral may add later breaks the contract, on purpose,
    in the enumerations only; the module still returns them."""
    control(fleet, 'options', {'unknown_enums': True, 'extra_fields': True})
    result = ringcentral.SIP_PROVISION_INFO.execute(module_params(fleet))
    request, response = [pair for pair in exchanges if pair[0].path_url == PROVISION][0]
    contract.validate_request(RequestsOpenAPIRequest(request))
    with pytest.raises(OpenAPIError) as info:
        contract.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
    problems = [str(e) for e in info.value.__cause__.schema_errors]
    assert problems and all('is not one of' in p for p in problems)
    assert result['device']['type'] == 'IntercomPanel'


def _bodies():
    anything = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=2))
    transport = st.one_of(st.sampled_from(['UDP', 'TCP', 'TLS', 'WSS', 'udp', 'QUIC', '']), anything)
    sip_info = st.one_of(st.lists(st.fixed_dictionaries({}, optional={'transport': transport}), max_size=3), anything)
    device = st.one_of(st.fixed_dictionaries({}, optional={
        'id': st.one_of(st.sampled_from(DEVICES), st.integers()), 'serial': st.one_of(st.text(max_size=4), anything),
        'computerName': st.text(max_size=4), 'appExternalId': anything}), anything)
    reassignment = st.one_of(st.sampled_from(['None', 'Initialize', 'Reassign', 'none']), anything)
    return st.one_of(st.fixed_dictionaries({}, optional={
        'device': device, 'sipInfo': sip_info, 'softPhoneLineReassignment': reassignment,
        'futureOption': anything}), anything)


@pytest.fixture(scope='module')
def token(fleet):
    """A token of the account, with the default options and room in the Heavy group."""
    control(fleet, 'options', DEFAULT_OPTIONS)
    control(fleet, 'limits', {'Heavy': dict(limit=1000, window=60, penalty=60)})
    state = requests.get(fleet[1] + '/targets/ringcentral/state', timeout=5).json()
    return requests.post(fleet[0] + client.TOKEN_PATH, auth=(state['client_id'], state['client_secret']),
                         data=dict(grant_type=client.JWT_GRANT, assertion=state['jwt']),
                         timeout=5).json()['access_token']


@settings(max_examples=50, deadline=None)
@given(body=_bodies())
def test_simulator_accepts_exactly_the_bodies_the_contract_accepts(contract, fleet, token, body):
    response = requests.post(fleet[0] + PROVISION, json=body, timeout=5, headers={'Authorization': 'Bearer ' + token})
    wrapped = RequestsOpenAPIRequest(response.request)
    try:
        contract.validate_request(wrapped)
        conforms = True
    except OpenAPIError:
        conforms = False
    assert (response.status_code == 200) == conforms, (body, response.json())
    if not conforms:
        assert response.json()['errors'][0]['errorCode'] in ('CMN-101', 'CMN-104')
    contract.validate_response(wrapped, RequestsOpenAPIResponse(response))
