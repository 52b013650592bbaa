# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The panels' SIP user agent against the real registrar (Kamailio on loopback), and the
registrar's users following the Vobiz and RingCentral simulators."""

from __future__ import annotations

import os
import threading
import time

import pytest

from ansible_collections.sipfleet.provision.tests.registrar import kamailio
from ansible_collections.sipfleet.provision.tests.simulator.registration import RegistrarSync
from ansible_collections.sipfleet.provision.tests.simulator.sip_ua import UserAgent
from ansible_collections.sipfleet.provision.tests.unit.simulator.test_sip_ua import Reports

if not kamailio.installed() and os.environ.get('SIPFLEET_REQUIRE_REGISTRAR'):  # scripts/test.sh units
    raise RuntimeError('kamailio is not installed: run tests/registrar/install.sh as root')
pytestmark = pytest.mark.skipif(not kamailio.installed(), reason='kamailio is not installed: run tests/registrar/install.sh')
DOMAIN, REALM = 'trunk1.sip.vobiz.ai', 'MA_SIMUL001.sip.vobiz.ai'
SETTINGS = dict(proxy='sip:' + DOMAIN, realm=REALM, user='fleet1', user_id='fleet1', password='Secret-pass-1',
                transport='udp', registration_interval=30)


@pytest.fixture(scope='module')
def registrar():
    with kamailio.Kamailio() as server:
        yield server


@pytest.fixture
def registered(registrar):
    registrar.set_domain(DOMAIN, REALM)
    registrar.set_user(REALM, 'fleet1', 'Secret-pass-1')
    agents = []

    def start(settings, resolver=None):
        reports = Reports()
        agent = UserAgent('panel-%d' % len(agents), resolver or {DOMAIN + ':5060': registrar.address},
                          reports, scale=0.1, timeout=1.0)
        agent.reports = reports
        agents.append(agent)
        agent.apply(settings)
        return agent
    yield start
    for agent in agents:
        agent.stop()
    registrar.remove_user(REALM, 'fleet1')


def test_listens_on_loopback_only(registrar):
    text = open(registrar.config).read()
    assert [line for line in text.splitlines() if line.startswith('listen=')] == [
        'listen=udp:127.0.0.1:%d' % registrar.port, 'listen=tcp:127.0.0.1:%d' % registrar.port]
    with pytest.raises(kamailio.RegistrarError, match='loopback only'):
        kamailio.Kamailio(host='0.0.0.0')


def test_version_is_debian_kamailio():
    assert kamailio.version().startswith('kamailio 5.')


def test_users_are_stored_as_ha1(registrar, registered):
    dumped = registrar.rpc('htable.dump', 'users').stdout
    assert kamailio.ha1('fleet1', REALM, 'Secret-pass-1') in dumped
    assert 'Secret-pass-1' not in dumped


@pytest.mark.parametrize('transport', ['udp', 'tcp'])
def test_registration_is_in_the_location_table(registrar, registered, transport):
    agent = registered(dict(SETTINGS, transport=transport))
    assert agent.reports.wait('registered')['expires'] == 3
    assert list(registrar.registered()) == ['fleet1@' + DOMAIN]
    agent.reports.wait('registered', count=2, timeout=4)  # refreshed before the 3 s expire
    agent.stop()
    assert registrar.registered() == {}


@pytest.mark.parametrize('change, code, reason', [
    (dict(password='Wrong-pass-1'), 401, 'Unauthorized (credentials rejected)'),
    (dict(realm='sip.vobiz.ai'), 401, 'challenge realm %s is not the configured realm sip.vobiz.ai' % REALM),
    (dict(user='fleet9'), 403, 'Forbidden (the user does not belong to these credentials)'),
    (dict(proxy='sip:MA_SIMUL001.sip.vobiz.ai'), None, 'cannot resolve MA_SIMUL001.sip.vobiz.ai:5060'),
])
def test_wrong_mapping_is_refused(registrar, registered, change, code, reason):
    agent = registered(dict(SETTINGS, **change))
    failed = agent.reports.wait('failed')
    assert (failed['code'], failed['reason']) == (code, reason)
    assert registrar.registered() == {}


def test_unknown_domain_is_404(registrar, registered):
    agent = registered(dict(SETTINGS, proxy='sip:other.sip.vobiz.ai'), {'other.sip.vobiz.ai:5060': registrar.address})
    assert agent.reports.wait('failed')['code'] == 404


class _Account:
    """The parts of a Vobiz account the sync reads."""

    def __init__(self):
        self.auth_id = 'MA_SIMUL001'
        self.lock = threading.Lock()
        self.credentials = {'c1': dict(username='fleet1', password='Secret-pass-1', enabled=True),
                            'c2': dict(username='fleet2', password='Secret-pass-2', enabled=False)}
        self.trunk_store = type('Store', (), {})()
        self.trunk_store.trunks = {'trunk1': dict(trunk_id='trunk1', trunk_status='active'),
                                   'trunk2': dict(trunk_id='trunk2', trunk_status='inactive')}


def test_sync_follows_vobiz_credentials_and_trunks(registrar):
    sync, account = RegistrarSync(registrar), _Account()
    sync.vobiz(account)
    assert sync.resolver == {DOMAIN + ':5060': registrar.address}
    reports = Reports()
    agent = UserAgent('panel-v', sync.resolver, reports, scale=0.1, timeout=1.0)
    try:
        agent.apply(SETTINGS)
        reports.wait('registered')
        account.credentials['c1']['password'] = 'Rotated-pass-1'
        sync.vobiz(account)
        assert reports.wait('failed')['code'] == 401
        assert list(registrar.registered()) == ['fleet1@' + DOMAIN]  # kept until it expires
        agent.apply(dict(SETTINGS, password='Rotated-pass-1'))
        reports.wait('registered', count=2)
        del account.credentials['c1']
        sync.vobiz(account)
        assert registrar.rpc('htable.dump', 'users').stdout.count(REALM) == 0
    finally:
        agent.stop()
        sync.push('vobiz', {}, {})


def test_sync_follows_ringcentral_identities(registrar):
    sync = RegistrarSync(registrar)
    identity = dict(username='17203861294*115', password='Rc-pass-1', authorizationId='802398804016',
                    domain='sip.ringcentral.com', outboundProxy='sip112-191.ringcentral.com:5090',
                    outboundProxyBackup='sip112-192.ringcentral.com:5090', transport='UDP')
    sync.ringcentral({'sipInfo': [identity]})
    assert sorted(sync.resolver) == ['sip112-191.ringcentral.com:5090', 'sip112-192.ringcentral.com:5090']
    settings = dict(proxy='sip:sip.ringcentral.com', outbound='sip112-191.ringcentral.com:5090',
                    realm='sip.ringcentral.com', user='17203861294*115', user_id='802398804016',
                    password='Rc-pass-1', transport='udp', registration_interval=30)
    reports = Reports()
    agent = UserAgent('panel-r', sync.resolver, reports, scale=0.1, timeout=1.0)
    try:
        agent.apply(settings)
        assert reports.wait('registered')['aor'] == 'sip:17203861294*115@sip.ringcentral.com'
        # RingCentral's outbound proxy put in "proxy": the AOR's domain is the proxy: not served
        agent.apply(dict(settings, proxy='sip:sip112-191.ringcentral.com:5090', outbound=''))
        assert reports.wait('failed')['code'] == 404
        # a new identity rotates the device's password: the old authorization id follows it
        sync.ringcentral({'sipInfo': [dict(identity, authorizationId='802398804017', password='Rc-pass-2')]})
        agent.apply(settings)
        assert 'credentials rejected' in reports.wait('failed', count=2)['reason']
        # readDeviceSipInfo's shape: the current identity, its proxies resolve too
        sync.ringcentral(dict(domain='sip.ringcentral.com', userName='17203861294*115', password='Rc-pass-2',
                              authorizationId='802398804017',
                              outboundProxies=[dict(region='NA', proxy='sip10.ringcentral.com:5090')]))
        assert 'sip10.ringcentral.com:5090' in sync.resolver
        agent.apply(dict(settings, outbound='sip10.ringcentral.com:5090', user_id='802398804017',
                         password='Rc-pass-2'))
        reports.wait('registered', count=2)
    finally:
        agent.stop()
        sync.push('ringcentral', {}, {})


def test_panels_of_the_simulator_register_and_report_it():
    from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet
    from ansible_collections.sipfleet.provision.tests.simulator.registration import start_registration

    simulator, urls = start_fleet(2, vobiz=True)
    info = start_registration(simulator, 0.1)
    try:
        vobiz = simulator.targets['vobiz']['app']
        trunk = vobiz.control(_Request('POST', dict(name='fleet')), '/trunks').body
        answer = vobiz.control(_Request('POST', dict(username='fleet1', password='Secret-pass-1')), '/credentials')
        assert answer.status == 201  # a successful write: the registrar has the user before the answer
        assert kamailio.ha1('fleet1', REALM, 'Secret-pass-1') in simulator.registration.registrar.rpc(
            'htable.dump', 'users').stdout
        panel = simulator.targets['panel-001']['app']
        assert panel.registration_state() == 'ERROR'  # factory settings: sip.bas-ip.com does not resolve
        panel.control(_Request('PATCH', dict(SETTINGS, proxy='sip:' + trunk['trunk_domain'])), '/state')
        deadline = time.monotonic() + 5
        while panel.registration_state() != 'OK' and time.monotonic() < deadline:
            time.sleep(0.05)
        assert panel.registration_state() == 'OK'
        assert list(simulator.registration.registrar.registered()) == ['fleet1@' + trunk['trunk_domain']]
        assert simulator.targets['panel-002']['app'].registration_state() == 'ERROR'
        assert info['version'].startswith('kamailio 5.') and info['scale'] == 0.1
    finally:
        simulator.stop()
    assert simulator.registration.registrar.process is None


class _Request:
    def __init__(self, method, body=None):
        self.method, self.body, self.path = method, body, '/'

    def json(self):
        return dict(self.body)
