# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_provision_info's logic against the RingCentral simulator, request by request, on a fake
clock (RingCentral's real windows and penalties pass without waiting)."""

from __future__ import annotations

import json

import pytest
import requests

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sipfleet.provision.plugins.module_utils import _query as query
from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral as client, _ringcentral_tasks as ringcentral
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import (
    SIP_INFO_KEYS, SIP_PROVISION_INFO, sip_identity,
)
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import DEFAULT_LIMITS, DEFAULT_OPTIONS
from ansible_collections.sipfleet.provision.tests.unit.ringcentral_clock import FakeClock, on_clock, start_account

TOKEN, PROVISION, REVOKE = ('POST /restapi/oauth/token', 'POST /restapi/v1.0/client-info/sip-provision',
                            'POST /restapi/oauth/revoke')
DEVICE = '802398804016'
MODEL_KEYS = ['username', 'password', 'authorization_types', 'authorization_id', 'domain', 'outbound_proxy',
              'outbound_proxy_i_pv6', 'outbound_proxy_backup', 'outbound_proxy_i_pv6_backup', 'transport',
              'certificate', 'switch_back_interval', 'stun_servers']


class Account:
    """The simulated account: its control routes and the params of a run against it."""

    def __init__(self, url, control, clock):
        self.url, self.control, self.clock = url, control, clock

    def state(self):
        return requests.get(self.control + '/targets/ringcentral/state', timeout=5).json()

    def patch(self, route, change):
        response = requests.patch('%s/targets/ringcentral/%s' % (self.control, route), json=change, timeout=5)
        response.raise_for_status()

    def fault(self, kind, **options):
        requests.post(self.control + '/faults', json=dict(target='ringcentral', kind=kind, **options),
                      timeout=5).raise_for_status()

    def expire_tokens(self):
        """Every token expires now; the request log starts afresh."""
        requests.post(self.control + '/targets/ringcentral/expire-tokens', timeout=5).raise_for_status()
        requests.delete(self.control + '/log', timeout=5)

    def log(self):
        return requests.get(self.control + '/log', params={'target': 'ringcentral'}, timeout=5).json()

    def calls(self):
        return ['%s %s' % (e['method'], e['path']) for e in self.log()]

    def statuses(self):
        return [(e['path'].rsplit('/', 1)[-1], e['status']) for e in self.log()]

    def counters(self):
        return self.state()['counters']

    def reset(self):
        self.patch('options', DEFAULT_OPTIONS)
        self.patch('limits', DEFAULT_LIMITS)
        for route in ('/faults', '/log', '/targets/ringcentral/counters'):
            requests.delete(self.control + route, timeout=5)
        del self.clock.slept[:]

    def params(self, **options):
        state = self.state()
        values = dict((name, spec.get('default')) for name, spec in SIP_PROVISION_INFO.options.argument_spec().items())
        values.update(server_url=self.url, client_id=state['client_id'], client_secret=state['client_secret'],
                      jwt=state['jwt'], device_id=DEVICE, retries=2)
        values.update(options)
        return values

    def token(self):
        """An access token got outside the module (as a vault or CI would hold it)."""
        state = self.state()
        response = requests.post(self.url + '/restapi/oauth/token', auth=(state['client_id'], state['client_secret']),
                                 data=dict(grant_type=client.JWT_GRANT, assertion=state['jwt']), timeout=5)
        return response.json()['access_token']

    def secrets(self):
        """Every secret of the account so far."""
        state = self.state()
        found = [state['client_secret'], state['jwt']] + state['issued']['access_tokens']
        return found + state['issued']['refresh_tokens'] + [d['password'] for d in state['devices'].values()]


@pytest.fixture(scope='module')
def fleet():
    clock = FakeClock()
    simulator, url, control = start_account(clock)
    yield Account(url, control, clock)
    simulator.stop()


@pytest.fixture
def account(fleet, monkeypatch):
    fleet.reset()
    on_clock(monkeypatch, fleet.clock)
    yield fleet
    requests.delete(fleet.control + '/faults', timeout=5)


def assert_no_secret(account, *texts):
    text = json.dumps(texts, default=str)
    for secret in account.secrets():
        assert secret not in text


def test_identity_has_exactly_the_model_keys(account):
    result = SIP_PROVISION_INFO.execute(account.params())
    device = account.state()['devices'][DEVICE]
    assert account.calls() == [TOKEN, PROVISION, REVOKE]
    assert account.log()[1]['body'] == {'sipInfo': [{'transport': 'UDP'}], 'device': {'id': DEVICE}}
    assert result['changed'] is False and 'warnings' not in result
    [identity] = result['sip_info']
    assert list(identity) == MODEL_KEYS == [snake for _camel, snake in SIP_INFO_KEYS]
    assert identity['username'] == device['username'] == '17203861294*115'
    assert identity['password'] == MASK and identity['certificate'] is None
    assert identity['authorization_id'] == account.state()['issued']['authorization_ids'][-1]
    assert identity['domain'] == 'sip.ringcentral.com'
    assert identity['outbound_proxy'] == 'sip112-191.ringcentral.com:5090'
    assert identity['outbound_proxy_i_pv6'].endswith(':5090') and identity['outbound_proxy_i_pv6_backup']
    assert identity['transport'] == 'UDP' and identity['authorization_types'] == ['SipDigest']
    assert identity['stun_servers'][0] == 'stun1.ringcentral.com:19302'
    assert [list(i) for i in result['sip_info_pstn']] == [MODEL_KEYS]
    assert result['sip_flags']['voip_feature_enabled'] is True and result['sip_flags']['dscp_voice'] == 46
    assert result['device']['id'] == DEVICE and result['device']['extension']['extension_number'] == '115'
    assert result['polling_interval'] == 86400 and result['sip_error_codes'] == ['408', '502', '503', '504']
    assert result['persist_gateway_configured'] is False
    assert_no_secret(account, result)


def test_include_secrets_and_tls_certificate(account):
    result = SIP_PROVISION_INFO.execute(account.params(transport='TLS', include_secrets=True))
    [identity] = result['sip_info']
    assert identity['password'] == account.state()['devices'][DEVICE]['password']
    assert identity['transport'] == 'TLS' and len(identity['certificate']) > 20
    masked = SIP_PROVISION_INFO.execute(account.params(transport='TLS'))['sip_info'][0]
    assert masked['password'] == masked['certificate'] == MASK


def test_each_call_mints_a_fresh_authorization_id_check_mode_only_reads(account):
    first = SIP_PROVISION_INFO.execute(account.params())
    second = SIP_PROVISION_INFO.execute(account.params())
    assert first['sip_info'][0]['authorization_id'] != second['sip_info'][0]['authorization_id']
    checked = SIP_PROVISION_INFO.execute(account.params(), check_mode=True)
    assert checked['changed'] is False and checked['would_register'] == [DEVICE]
    identity = checked['sip_info'][0]
    assert identity['authorization_id'] == second['sip_info'][0]['authorization_id']  # nothing minted
    assert identity['username'] == '17203861294*115' and identity['password'] == MASK
    assert identity['outbound_proxy'] == 'sip112-191.ringcentral.com:5090'
    assert account.calls() == [TOKEN, PROVISION, REVOKE] * 2 + [
        TOKEN, 'GET /restapi/v1.0/account/~/device/%s/sip-info' % DEVICE, REVOKE]


def test_without_device_id_a_new_device_is_registered_and_the_module_warns(account):
    before = set(account.state()['devices'])
    result = SIP_PROVISION_INFO.execute(account.params(device_id=None, soft_phone_line_reassignment='Initialize'))
    after = set(account.state()['devices'])
    assert after - before == {result['device']['id']}
    assert 'new device' in result['warnings'][0]
    assert account.log()[1]['body'] == {'sipInfo': [{'transport': 'UDP'}], 'softPhoneLineReassignment': 'Initialize'}


def test_pstn_absent_is_an_empty_list(account):
    account.patch('options', {'pstn': False})
    assert SIP_PROVISION_INFO.execute(account.params())['sip_info_pstn'] == []


def test_unknown_fields_and_enum_values_never_crash(account):
    account.patch('options', {'extra_fields': True, 'unknown_enums': True})
    result = SIP_PROVISION_INFO.execute(account.params(query='sip_info_pstn[0].transport'))
    assert [list(i) for i in result['sip_info'] + result['sip_info_pstn']] == [MODEL_KEYS, MODEL_KEYS]
    assert result['sip_info'][0]['authorization_types'] == ['SipDigest', 'MutualTls']
    assert result['query_result'] == 'QUIC'
    assert result['device']['type'] == 'IntercomPanel' and result['device']['firmware']['version'] == '3.9.2'
    assert result['sip_flags']['e2ee_enabled'] is True
    assert 'hd_voice_enabled' not in result


def test_sip_identity_tolerates_odd_items():
    assert sip_identity({}) == dict((k, None) for k in MODEL_KEYS)
    item = sip_identity({'password': 'x', 'transport': 'QUIC', 'futureKey': 1}, include_secrets=False)
    assert item['password'] == MASK and item['transport'] == 'QUIC' and 'futureKey' not in item
    good = {'sipInfo': [{}], 'device': {'id': DEVICE}, 'sipInfoPstn': [1, {}], 'sipErrorCodes': None}
    assert ringcentral.provision_result(good) == dict(
        sip_info=[dict((k, None) for k in MODEL_KEYS)], sip_info_pstn=[dict((k, None) for k in MODEL_KEYS)],
        sip_flags={}, device={'id': DEVICE}, polling_interval=None, sip_error_codes=[],
        persist_gateway_configured=None)


@pytest.mark.parametrize('body, text', [
    ({'sipInfo': [], 'device': {'id': DEVICE}}, 'without SIP identities (sipInfo: empty)'),
    ({'sipInfo': 'odd', 'device': {'id': DEVICE}}, 'without SIP identities (sipInfo: str)'),
    ({'sipInfo': [1], 'device': {'id': DEVICE}}, 'without SIP identities'),
    ({'sipInfo': [{}], 'device': {}}, 'without the device (device.id)'),
    ({'sipInfo': [{}]}, 'without the device (device.id)'),
])
def test_an_answer_of_the_wrong_shape_fails_naming_the_device(body, text):
    with pytest.raises(ApiError) as info:
        ringcentral.provision_result(body, DEVICE)
    assert text in str(info.value) and DEVICE in str(info.value)


def test_a_200_of_the_wrong_shape_fails_the_module(account):
    account.fault('status', status=200, path=client.SIP_PROVISION_PATH, body={'sipInfo': [], 'device': {}})
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params())
    assert 'device %s without SIP identities' % DEVICE in str(info.value)


@pytest.mark.parametrize('check_mode, text', [
    (False, 'POST %s/restapi/v1.0/client-info/sip-provision: Resource for parameter [device.id] is not found '
            '(HTTP 400, CMN-102)'),
    (True, 'GET %s/restapi/v1.0/account/~/device/802398809999/sip-info: Resource for parameter [deviceId] is not '
           'found (HTTP 404, CMN-102)'),
])
def test_an_unknown_device_is_named_in_the_error(account, check_mode, text):
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(device_id='802398809999'), check_mode=check_mode)
    assert info.value.to_result() == dict(msg='device 802398809999: ' + text % account.url, status=info.value.status,
                                          error_code='CMN-102')


def test_query_selects_from_the_result(account):
    result = SIP_PROVISION_INFO.execute(account.params(query='sip_info[0].{proxy: outbound_proxy, realm: domain}'))
    assert result['query_result'] == {'proxy': 'sip112-191.ringcentral.com:5090', 'realm': 'sip.ringcentral.com'}
    assert SIP_PROVISION_INFO.execute(account.params(query='sip_info[0].password'))['query_result'] == MASK


@pytest.mark.parametrize('options, text', [
    (dict(query='sip_info[0'), 'query is not a valid JMESPath expression'),
    (dict(jwt=None), 'missing: jwt'),
    (dict(client_id=None, client_secret=None), 'missing: client_id, client_secret'),
    (dict(server_url='platform.ringcentral.com'), 'server_url must be an http:// or https:// URL'),
])
def test_bad_input_fails_before_any_request(account, options, text):
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(**options))
    assert text in str(info.value)
    assert account.calls() == []


def test_jmespath_missing_is_reported(account, monkeypatch):
    monkeypatch.setattr(query, 'HAS_JMESPATH', False)
    with pytest.raises(ApiError, match='jmespath'):
        SIP_PROVISION_INFO.execute(account.params(query='sip_info'))
    assert account.calls() == []


def test_expired_token_is_renewed_once(account):
    account.fault('expire_tokens', path=client.SIP_PROVISION_PATH)
    result = SIP_PROVISION_INFO.execute(account.params())
    assert result['sip_info'][0]['username'] == '17203861294*115'
    assert account.statuses() == [('token', 200), ('sip-provision', 401), ('token', 200),
                                  ('sip-provision', 200), ('revoke', 200)]


def test_token_expiring_again_fails_with_the_error_code(account):
    account.fault('expire_tokens', path=client.SIP_PROVISION_PATH, count=2)
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params())
    assert info.value.status == 401 and info.value.code == 'OAU-128'
    assert 'Access token expired' in str(info.value)
    assert account.calls() == [TOKEN, PROVISION, TOKEN, PROVISION, REVOKE]
    assert_no_secret(account, str(info.value), info.value.to_result())


def test_ready_access_token_needs_no_token_request_and_is_not_revoked(account):
    token = account.token()
    requests.delete(account.control + '/log', timeout=5)
    params = account.params(client_id=None, client_secret=None, jwt=None, access_token=token)
    result = SIP_PROVISION_INFO.execute(params)
    assert account.calls() == [PROVISION]
    assert result['sip_info'][0]['domain'] == 'sip.ringcentral.com'
    assert SIP_PROVISION_INFO.execute(params)['sip_info']  # still valid: it was not revoked


def test_expired_ready_token_without_credentials_fails_clearly(account):
    params = account.params(client_id=None, client_secret=None, jwt=None, access_token=account.token())
    account.expire_tokens()
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(params)
    assert info.value.code == 'OAU-128' and 'no client_id, client_secret and jwt' in str(info.value)
    assert account.calls() == [PROVISION]


def test_expired_ready_token_with_credentials_gets_a_new_one(account):
    params = account.params(access_token=account.token())
    account.expire_tokens()
    SIP_PROVISION_INFO.execute(params)
    assert account.calls() == [PROVISION, TOKEN, PROVISION, REVOKE]


def test_invalid_token_fails_at_once(account):
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(access_token='not-a-token-of-this-account'))
    assert (info.value.status, info.value.code) == (401, 'OAU-149')
    assert 'not-a-token' not in str(info.value)
    assert account.calls() == [PROVISION]


def test_missing_voip_calling_permission(account):
    account.patch('options', {'voip_calling': False})
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params())
    assert (info.value.status, info.value.code) == (403, 'CMN-401')
    assert 'VoipCalling' in str(info.value)
    assert account.calls() == [TOKEN, PROVISION, REVOKE]


@pytest.mark.parametrize('change, code', [('client_secret', 'OAU-123'), ('jwt', 'OAU-140')])
def test_bad_credentials_fail_with_the_error_code_and_no_secret(account, change, code):
    wrong = 'Wrong-' + change
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(**{change: wrong}))
    assert info.value.code == code and '/restapi/oauth/token' in str(info.value)
    assert wrong not in str(info.value)
    assert_no_secret(account, str(info.value))
    assert account.calls() == [TOKEN]


def test_5xx_backs_off_then_succeeds(account):
    account.fault('status', status=503, count=2, path=client.SIP_PROVISION_PATH)
    SIP_PROVISION_INFO.execute(account.params())
    assert account.calls() == [TOKEN, PROVISION, PROVISION, PROVISION, REVOKE]
    slept = account.clock.slept
    assert len(slept) == 2 and 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0


def test_5xx_gives_up_with_the_error_code(account):
    account.fault('status', status=503, count=5, path=client.SIP_PROVISION_PATH)
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(retries=1))
    assert (info.value.status, info.value.code) == (503, 'CMN-201')
    assert 'gave up after 1 retries' in str(info.value)


def test_heavy_penalty_is_waited_for_without_hammering(account):
    account.patch('limits', {'Heavy': {'limit': 1, 'window': 60, 'penalty': 1}})
    SIP_PROVISION_INFO.execute(account.params())
    SIP_PROVISION_INFO.execute(account.params())
    provision = [e for e in account.log() if e['path'] == client.SIP_PROVISION_PATH]
    assert [e['status'] for e in provision] == [200, 429, 200]
    # the retry came after Retry-After (1 s), so it did not restart the penalty
    assert account.clock.slept == [1.0]
    assert account.counters()[PROVISION] == {'200': 2, '429': 1}


def test_penalty_longer_than_retry_max_wait_gives_up_at_once(account):
    account.patch('limits', {'Heavy': {'limit': 1, 'window': 60, 'penalty': 120}})
    SIP_PROVISION_INFO.execute(account.params())
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(retry_max_wait=5))
    assert (info.value.status, info.value.code) == (429, 'CMN-301')
    assert 'Retry-After 120s' in str(info.value) and 'retry_max_wait is 5s' in str(info.value)
    provision = [e['status'] for e in account.log() if e['path'] == client.SIP_PROVISION_PATH]
    assert provision == [200, 429]


def test_429_without_retry_after_waits_at_least_30_seconds(account):
    account.patch('options', {'retry_after': False})
    account.patch('limits', {'Heavy': {'limit': 1, 'window': 60, 'penalty': 1}})
    SIP_PROVISION_INFO.execute(account.params())
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(retry_max_wait=29))
    assert info.value.status == 429 and 'retry_max_wait is 29s' in str(info.value)
    assert client.DEFAULT_RETRY_AFTER >= 30


def test_auth_group_limit_on_the_token_endpoint(account):
    """One Auth request a minute: the revocation waits for the window (no 429); the next run's
    token request, blind to it, earns the penalty and gives up at once."""
    account.patch('limits', {'Auth': {'limit': 1, 'window': 60, 'penalty': 120}})
    first = SIP_PROVISION_INFO.execute(account.params())
    assert first['rate_limit_waits'] == ['waited %gs for the RingCentral auth rate-limit window before %s'
                                         % (60 + client.PACING_MARGIN, REVOKE)]
    with pytest.raises(ApiError) as info:
        SIP_PROVISION_INFO.execute(account.params(retry_max_wait=5))
    assert info.value.status == 429 and '/restapi/oauth/token' in str(info.value)
    assert 'device' not in str(info.value)              # the token is no device's
    assert account.statuses() == [('token', 200), ('sip-provision', 200), ('revoke', 200), ('token', 429)]


def test_argument_spec_secrets_and_environment(monkeypatch):
    spec = SIP_PROVISION_INFO.options.argument_spec()
    assert [name for name, option in spec.items() if option.get('no_log')] == ['client_secret', 'jwt', 'access_token']
    for name, variable in (('server_url', 'RINGCENTRAL_SERVER_URL'), ('client_id', 'RINGCENTRAL_CLIENT_ID'),
                           ('client_secret', 'RINGCENTRAL_CLIENT_SECRET'), ('jwt', 'RINGCENTRAL_JWT'),
                           ('access_token', 'RINGCENTRAL_ACCESS_TOKEN')):
        monkeypatch.setenv(variable, 'from-env-' + name)
    result = ArgumentSpecValidator(spec).validate({})
    assert not result.errors.errors
    params = result.validated_parameters
    assert params['jwt'] == 'from-env-jwt' and params['server_url'] == 'from-env-server_url'
    assert 'from-env-jwt' in result._no_log_values and 'from-env-client_id' not in result._no_log_values
    monkeypatch.delenv('RINGCENTRAL_SERVER_URL')
    params = ArgumentSpecValidator(spec).validate({'transport': 'TLS'}).validated_parameters
    assert params['server_url'] == 'https://platform.ringcentral.com' and params['transport'] == 'TLS'
    assert ArgumentSpecValidator(spec).validate({'transport': 'udp'}).errors.errors


def test_controller_path_gives_the_module_result(account, monkeypatch):
    """The same function inside the controller (the action-plugin path): options from the
    environment, warnings kept, every no_log value out of the result."""
    controller_action = pytest.importorskip(
        'ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action')
    state = account.state()
    for name in ('client_id', 'client_secret', 'jwt'):
        monkeypatch.setenv('RINGCENTRAL_' + name.upper(), state[name])
    monkeypatch.setenv('RINGCENTRAL_SERVER_URL', account.url)
    result = controller_action.run_in_controller(
        ArgumentSpecValidator(SIP_PROVISION_INFO.options.argument_spec()), ringcentral.SIP_PROVISION_INFO, {'include_secrets': True},
        'sipfleet.provision.sip_provision_info', check_mode=False, diff=False)
    assert result['changed'] is False and 'new device' in result['warnings'][0]
    assert list(result['sip_info'][0]) == MODEL_KEYS
    assert result['invocation']['module_args']['jwt'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert account.calls() == [TOKEN, PROVISION, REVOKE]
    text = json.dumps(result)
    assert state['client_secret'] not in text and state['jwt'] not in text


def test_the_obtained_access_token_is_a_registered_secret(account):
    result, notes = ringcentral.SIP_PROVISION_INFO.task_result(account.params())
    assert not result.get('failed')
    issued = account.state()['issued']['access_tokens']
    assert issued and issued[-1] in notes.secrets


def test_a_sip_provision_without_an_answer_is_sent_once(monkeypatch):
    """A slow sip-provision may have registered the device: it is not sent again. Only the first
    is slow, so a second one would have been answered: the failure proves there was none. (An
    account of its own: the slow answer comes after the test.)"""
    clock = FakeClock()
    simulator, url, control = start_account(clock)
    try:
        on_clock(monkeypatch, clock)
        account = Account(url, control, clock)
        account.fault('delay', delay=1, method='POST', path=client.SIP_PROVISION_PATH)
        with pytest.raises(ApiError) as info:
            SIP_PROVISION_INFO.execute(account.params(timeout=0.1, retries=3))
        assert str(info.value).startswith('device %s: ' % DEVICE)
        assert 'no answer within timeout=0.1s (the timeout option)' in str(info.value)
        assert 'not resent: the POST may have reached the server' in str(info.value)
        assert clock.slept == []
    finally:
        simulator.stop()
