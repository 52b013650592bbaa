# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The basip_sip_options filter: a RingCentral SIP identity as basip_sip options."""

from __future__ import annotations

import pytest
import requests

from ansible.errors import AnsibleFilterError

from ansible_collections.sipfleet.provision.plugins.filter.sip_identity import FilterModule, basip_sip_options
from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral_tasks as ringcentral
from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet

SECRET = 'Xy7Hk2Lm9Q'
IDENTITY = {
    'username': '17203861294*115', 'password': SECRET, 'authorization_types': ['SipDigest'],
    'authorization_id': '802398804016', 'domain': 'sip.ringcentral.com',
    'outbound_proxy': 'sip112-191.ringcentral.com:5090', 'outbound_proxy_i_pv6': '[2001:db8:112::191]:5090',
    'outbound_proxy_backup': 'sip112-192.ringcentral.com:5090', 'outbound_proxy_i_pv6_backup': None,
    'transport': 'UDP', 'certificate': None, 'switch_back_interval': 3600,
    'stun_servers': ['stun1.ringcentral.com:19302', 'stun2.ringcentral.com:19302'],
}


def identity(**change):
    return dict(IDENTITY, **change)


def error_of(value):
    with pytest.raises(AnsibleFilterError) as info:
        basip_sip_options(value)
    assert SECRET not in str(info.value)
    return str(info.value)


def test_identity_becomes_panel_options():
    assert basip_sip_options(IDENTITY) == {
        'proxy': 'sip:sip.ringcentral.com', 'realm': 'sip.ringcentral.com',
        'outbound': 'sip112-191.ringcentral.com:5090',
        'user': '17203861294*115', 'password': SECRET, 'user_id': '802398804016', 'transport': 'udp',
        'stun': {'ip': 'stun1.ringcentral.com', 'port': 19302},
    }
    assert FilterModule().filters() == {'basip_sip_options': basip_sip_options}


def test_without_outbound_the_outbound_proxy_is_the_proxy():
    options = basip_sip_options(IDENTITY, outbound=False)
    assert (options['proxy'], options['realm']) == ('sip:sip112-191.ringcentral.com:5090', 'sip.ringcentral.com')
    assert 'outbound' not in options


def test_outbound_must_be_a_boolean():
    with pytest.raises(AnsibleFilterError, match='outbound must be true or false'):
        basip_sip_options(IDENTITY, outbound='no')


@pytest.mark.parametrize('transport', ['TCP', 'TLS', 'udp'])
def test_panel_transports_in_lower_case(transport):
    assert basip_sip_options(identity(transport=transport))['transport'] == transport.lower()


def test_outbound_proxy_in_the_documented_form_without_sip():
    """The panel's outbound is host[:port] (BAS-IP's published pattern); its proxy keeps sip:."""
    options = basip_sip_options(identity(outbound_proxy='sip:pbx.example.com'))
    assert options['outbound'] == 'pbx.example.com' and options['proxy'] == 'sip:sip.ringcentral.com'
    assert basip_sip_options(identity(outbound_proxy='pbx.example.com:5090'))['outbound'] == 'pbx.example.com:5090'
    assert basip_sip_options(identity(outbound_proxy='sip:pbx.example.com'), outbound=False)['proxy'] == \
        'sip:pbx.example.com'


def test_without_stun_servers_the_panel_keeps_its_own():
    assert 'stun' not in basip_sip_options(identity(stun_servers=[]))
    assert 'stun' not in basip_sip_options(identity(stun_servers=None))


def test_wss_is_refused_clearly():
    text = error_of(identity(transport='WSS'))
    assert 'WSS' in text and 'udp, tcp, tls' in text


def test_unknown_transport_is_refused():
    assert 'transport QUIC cannot be used' in error_of(identity(transport='QUIC'))


def test_missing_fields_are_named():
    text = error_of(identity(domain=None, authorization_id='', outbound_proxy=None))
    assert 'has no authorization_id, domain, outbound_proxy' in text
    assert 'has no username, password, authorization_id, domain, outbound_proxy, transport' in error_of({})


def test_masked_password_asks_for_include_secrets():
    assert 'include_secrets: true' in error_of(identity(password=MASK))


def test_not_a_dict():
    assert 'expects one SIP identity' in error_of([IDENTITY])


@pytest.mark.parametrize('change, reason', [
    (dict(username='1' * 32), 'user must be 1 to 31 characters'),
    (dict(password='abc'), 'password must be 6 to 31 characters'),
    (dict(password='Xy7Hk2Lm9Q\u00e9'), 'password must be 6 to 31 characters'),
    (dict(outbound_proxy='[2001:db8::1]:5090'), 'outbound must be'),
    (dict(domain='[2001:db8::1]'), 'proxy must be'),
    (dict(username='1720386\n1294'), 'user must be 1 to 31 characters'),
    (dict(domain='sip ringcentral com'), 'realm must be'),
    (dict(stun_servers=['stun1.ringcentral.com:70000']), 'stun.port must be an integer from 1 to 65535'),
])
def test_identity_the_panel_would_reject_fails_with_the_rule(change, reason):
    text = error_of(identity(**change))
    assert 'a BAS-IP panel would reject this SIP identity' in text and reason in text


@pytest.mark.parametrize('stun', ['stun1.ringcentral.com', 'stun1.ringcentral.com:port', ':3478'])
def test_stun_server_without_port(stun):
    assert 'not in the form host:port' in error_of(identity(stun_servers=[stun]))


@pytest.fixture(scope='module')
def fleet():
    simulator, urls = start_fleet(panels=1, ringcentral=True)
    yield urls
    simulator.stop()


def test_ringcentral_identity_configures_a_simulated_panel(fleet):
    """sip_provision_info, the filter and basip_sip, as the two-task playbook runs them."""
    control, targets = fleet['control'], fleet['targets']
    account = requests.get(control + '/targets/ringcentral/state', timeout=5).json()
    params = dict((name, spec.get('default')) for name, spec in ringcentral.SIP_PROVISION_INFO.options.argument_spec().items())
    params.update(server_url=targets['ringcentral'], client_id=account['client_id'],
                  client_secret=account['client_secret'], jwt=account['jwt'], device_id='802398805016',
                  include_secrets=True)
    rc = ringcentral.SIP_PROVISION_INFO.execute(params)
    options = basip_sip_options(rc['sip_info'][0])
    panel = dict((name, spec.get('default')) for name, spec in BASIP_SIP.options.argument_spec().items())
    panel.update(options, api_url=targets['panel-001'], api_password='123456')
    result = BASIP_SIP.execute(panel)
    stored = requests.get(control + '/targets/panel-001/state', timeout=5).json()
    device = account['devices']['802398805016']
    assert result['changed'] is True
    assert stored == dict(stored, proxy='sip:sip.ringcentral.com', realm='sip.ringcentral.com',
                          outbound='sip112-191.ringcentral.com:5090',
                          user=device['username'], password=device['password'],
                          user_id=rc['sip_info'][0]['authorization_id'], transport='udp',
                          stun={'ip': 'stun1.ringcentral.com', 'port': 19302})
    assert device['password'] not in str(result)
