# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The panels' SIP user agent against a tiny in-process registrar: digest, refresh, unregister."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest

from ansible_collections.sipfleet.provision.tests.simulator.sip_ua import (
    UserAgent, digest_authorization, parse_params, split_host_port)
from ansible_collections.sipfleet.provision.tests.unit.simulator.fake_registrar import FakeRegistrar

DOMAIN, REALM = 'trunk1.sip.vobiz.ai', 'MA_SIMUL001.sip.vobiz.ai'
SETTINGS = dict(proxy='sip:' + DOMAIN, realm=REALM, user='fleet1', user_id='', password='Secret-pass-1',
                transport='udp', registration_interval=30, outbound='')


class Reports:
    """What the user agent reported, with a bounded wait for a state."""

    def __init__(self):
        self.items = []
        self.changed = threading.Condition()

    def __call__(self, status):
        with self.changed:
            self.items.append(status)
            self.changed.notify_all()

    def states(self):
        return [item['state'] for item in self.items]

    def wait(self, state, count=1, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.states().count(state) < count:
                left = deadline - time.monotonic()
                assert left > 0, 'no %d x %s within %.0f s: %s' % (count, state, timeout, self.items)
                self.changed.wait(left)
        return [item for item in self.items if item['state'] == state][count - 1]


@pytest.fixture(params=[True, False], ids=['qop', 'no-qop'])
def registrar(request):
    server = FakeRegistrar({DOMAIN: REALM}, {(REALM, 'fleet1'): 'Secret-pass-1'}, qop=request.param)
    yield server
    server.stop()


@pytest.fixture
def agent(registrar):
    reports = Reports()
    ua = UserAgent('panel-001', {DOMAIN + ':5060': ('127.0.0.1', registrar.port)}, reports, scale=0.05, timeout=1.0)
    ua.reports = reports
    yield ua
    ua.stop()


def test_rfc2617_example():
    # RFC 2617 section 3.5: the worked example (GET of /dir/index.html as Mufasa).
    challenge = parse_params('realm="testrealm@host.com", qop="auth,auth-int", '
                             'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    value = digest_authorization(challenge, 'GET', '/dir/index.html', 'Mufasa', 'Circle Of Life', cnonce='0a4f113b')
    answer = parse_params(value[7:])
    assert answer['response'] == '6629fae49393a05397450978507c4ef1'
    assert (answer['qop'], answer['nc'], answer['opaque']) == ('auth', '00000001', '5ccc069c403ebaf9f0171e9517f40e41')


def test_digest_without_qop_is_rfc2069_form():
    challenge = dict(realm='r', nonce='n')
    answer = parse_params(digest_authorization(challenge, 'REGISTER', 'sip:d', 'u', 'p')[7:])
    ha1, ha2 = (hashlib.md5(t.encode()).hexdigest() for t in ('u:r:p', 'REGISTER:sip:d'))
    assert answer['response'] == hashlib.md5(('%s:n:%s' % (ha1, ha2)).encode()).hexdigest()
    assert 'qop' not in answer and 'cnonce' not in answer


@pytest.mark.parametrize('challenge, message', [
    (dict(realm='r', nonce='n', algorithm='SHA-256'), 'unsupported digest algorithm SHA-256'),
    (dict(realm='r', nonce='n', qop='auth-int'), 'unsupported qop auth-int'),
])
def test_digest_refuses_what_it_cannot_answer(challenge, message):
    with pytest.raises(ValueError, match=message):
        digest_authorization(challenge, 'REGISTER', 'sip:d', 'u', 'p')


def test_host_port():
    assert split_host_port('sip:sip.example.com') == ('sip.example.com', 5060)
    assert split_host_port('sip112-191.ringcentral.com:5090') == ('sip112-191.ringcentral.com', 5090)
    assert split_host_port('sip:u@10.0.0.1:5080;transport=tcp') == ('10.0.0.1', 5080)


@pytest.mark.parametrize('transport', ['udp', 'tcp'])
def test_registers_refreshes_and_unregisters(agent, registrar, transport):
    agent.apply(dict(SETTINGS, transport=transport))
    first = agent.reports.wait('registered')
    assert (first['code'], first['aor'], first['transport']) == (200, 'sip:fleet1@' + DOMAIN, transport)
    assert first['expires'] == 2  # 30 s scaled by 0.05, rounded
    assert registrar.registered() == ['sip:fleet1@' + DOMAIN]
    agent.reports.wait('registered', count=3)
    lines = [(r['transport'], r['credentials'], r['status']) for r in registrar.requests]
    assert lines[:2] == [(transport, False, 401), (transport, True, 200)]
    assert len(lines) >= 6 and all(line[0] == transport for line in lines)
    agent.stop()
    assert registrar.requests[-1]['expires'] == '0' and registrar.requests[-1]['status'] == 200
    assert registrar.registered() == []
    assert agent.reports.states()[-1] == 'unregistered'


def test_auth_user_is_user_id_when_set(registrar, agent):
    registrar.users = {(REALM, 'auth77'): 'Secret-pass-1'}
    agent.apply(dict(SETTINGS, user_id='auth77'))
    assert agent.reports.wait('registered')['aor'] == 'sip:fleet1@' + DOMAIN


def test_wrong_password_fails_with_401_and_no_binding(agent, registrar):
    agent.apply(dict(SETTINGS, password='Wrong-pass-1'))
    failed = agent.reports.wait('failed')
    assert failed['code'] == 401 and 'credentials rejected' in failed['reason']
    assert [r['credentials'] for r in registrar.requests[:2]] == [False, True]
    assert registrar.registered() == []
    assert all('Wrong-pass-1' not in str(item) for item in agent.reports.items)


def test_wrong_realm_sends_no_credentials(agent, registrar):
    agent.apply(dict(SETTINGS, realm='sip.vobiz.ai'))
    failed = agent.reports.wait('failed')
    assert failed['code'] == 401
    assert failed['reason'] == 'challenge realm %s is not the configured realm sip.vobiz.ai' % REALM
    assert not any(r['credentials'] for r in registrar.requests)


def test_unknown_domain_is_404(agent, registrar):
    agent.resolver['pbx.example.com:5060'] = ('127.0.0.1', registrar.port)
    agent.apply(dict(SETTINGS, proxy='sip:pbx.example.com'))
    assert agent.reports.wait('failed')['code'] == 404


def test_unresolvable_name_sends_nothing(agent, registrar):
    agent.apply(dict(SETTINGS, proxy='sip:elsewhere.example.net'))
    failed = agent.reports.wait('failed')
    assert (failed['code'], failed['reason']) == (None, 'cannot resolve elsewhere.example.net:5060')
    assert registrar.requests == []


def test_outbound_proxy_is_the_next_hop(agent, registrar):
    agent.resolver.clear()
    agent.resolver['edge.example.net:5090'] = ('127.0.0.1', registrar.port)
    agent.apply(dict(SETTINGS, outbound='edge.example.net:5090'))
    assert agent.reports.wait('registered')['aor'] == 'sip:fleet1@' + DOMAIN
    assert registrar.requests[0]['line'] == 'REGISTER sip:%s SIP/2.0' % DOMAIN


def test_settings_change_unregisters_the_old_account_first(agent, registrar):
    registrar.users[(REALM, 'fleet2')] = 'Secret-pass-2'
    agent.apply(SETTINGS)
    agent.reports.wait('registered')
    agent.apply(dict(SETTINGS, user='fleet2', password='Secret-pass-2'))
    second = agent.reports.wait('registered', count=2)
    assert second['aor'] == 'sip:fleet2@' + DOMAIN
    assert 'unregistered' in agent.reports.states()
    assert registrar.registered() == ['sip:fleet2@' + DOMAIN]


def test_disabled_and_incomplete_send_nothing_more(agent, registrar):
    agent.apply(SETTINGS)
    agent.reports.wait('registered')
    agent.apply(SETTINGS, enabled=False)
    assert agent.reports.wait('disabled')['state'] == 'disabled'
    assert registrar.registered() == []
    agent.apply(dict(SETTINGS, password=''))
    agent.reports.wait('incomplete')
    count = len(registrar.requests)
    time.sleep(0.3)
    assert len(registrar.requests) == count


def test_tls_is_reported_not_simulated(agent, registrar):
    agent.apply(dict(SETTINGS, transport='tls'))
    assert agent.reports.wait('failed')['reason'] == 'transport tls is not simulated'
    assert registrar.requests == []


def test_server_error_is_reported_and_retried(agent, registrar):
    registrar.answer = 503
    agent.apply(SETTINGS)
    assert agent.reports.wait('failed', count=2)['code'] == 503
    registrar.answer = None
    agent.reports.wait('registered', timeout=5)


def test_no_answer_is_408_within_the_timeout(registrar):
    reports = Reports()
    registrar.stop()
    ua = UserAgent('panel-009', {DOMAIN + ':5060': ('127.0.0.1', registrar.port)}, reports, scale=0.05, timeout=0.5)
    try:
        started = time.monotonic()
        ua.apply(SETTINGS)
        failed = reports.wait('failed', timeout=3)
        assert failed['code'] in (408, 503) and time.monotonic() - started < 2
    finally:
        ua.stop()
