# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sip_fleet role's filters: every panel checked before any request, each failure its own."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.sipfleet.provision.plugins.filter.sip_fleet import (
    sip_fleet_plan, sip_fleet_previous_credentials, sip_fleet_ringcentral, sip_fleet_settings, username,
)

ROLE = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'sip_fleet')
with open(os.path.join(ROLE, 'defaults', 'main.yml')) as handle:
    DEFAULTS = yaml.safe_load(handle)
with open(os.path.join(ROLE, 'meta', 'argument_specs.yml')) as handle:
    SPECS = yaml.safe_load(handle)['argument_specs']
PLAY = dict(mode='enforce', rotate=False, check_mode=False, vobiz_realm='MA_X.sip.vobiz.ai', wait_for_registration=False)
WEB = 'Web-pass-123'


def vobiz(address, password='Trunk-pass-1', **extra):
    return dict(dict(ansible_host=address, sip_fleet_panel_api_password=WEB, sip_fleet_trunk_password=password,
                     sip_fleet_username_prefix='bld1'), **extra)


def ringcentral(address, **extra):
    return dict(dict(ansible_host=address, sip_fleet_panel_api_password=WEB, sip_fleet_source='ringcentral'), **extra)


def plan(hostvars, play=None):
    return sip_fleet_plan(hostvars, list(hostvars), DEFAULTS, SPECS, play or PLAY)


def test_defaults_and_the_user_name_rule():
    result = plan(dict(('panel-%03d' % n, vobiz('127.0.0.%d' % n)) for n in (1, 2)))
    assert result['errors'] == {}
    assert result['vobiz'] == ['panel-001', 'panel-002'] and result['ringcentral'] == []
    panel = result['panels']['panel-001']
    assert panel['sip_fleet_panel_api_url'] == 'http://127.0.0.1'
    assert panel['sip_fleet_username'] == 'bld1panel001'
    assert panel['sip_fleet_transport'] == 'udp' and panel['sip_fleet_panel_api_username'] == 'admin'
    assert result['credentials'][1] == dict(username='bld1panel002', password='Trunk-pass-1', description='panel panel-002')
    assert username('lobby_1', 'p', 2) == 'plobby1-g2'


@pytest.mark.parametrize('bad, expected', [
    (dict(sip_fleet_trunk_password=None), 'panel-002: missing required arguments: sip_fleet_trunk_password'),
    (dict(sip_fleet_panel_api_password=None), 'panel-002: missing required arguments: sip_fleet_panel_api_password'),
    (dict(sip_fleet_trunk_password='x' * 32), 'panel-002: the panel would refuse its settings: '),
    (dict(sip_fleet_trunk_password='Pässword-123'), 'panel-002: the panel would refuse its settings: '),
    (dict(sip_fleet_stun=dict(ip='stun.example.com', port=70000)), 'panel-002: the panel would refuse its settings: '),
    (dict(sip_fleet_stun=dict(ip='stun.example.com', port=0)), 'panel-002: the panel would refuse its settings: '),
    (dict(sip_fleet_registration_interval=5), 'panel-002: the panel would refuse its settings: '),
    (dict(sip_fleet_transport='sctp'), 'panel-002: value of sip_fleet_transport must be one of'),
    (dict(sip_fleet_source='sms'), "panel-002: sip_fleet_source is 'sms'"),
    (dict(sip_fleet_panel_api_password=''), 'panel-002: the panel would refuse its settings: api_password is empty'),
    (dict(sip_fleet_panel_api_url='http://127.0.0.2:0'), "panel-002: the panel would refuse its settings: api_url has the port '0'"),
    (dict(sip_fleet_panel_api_url='http://127.0.0.2:70000'), "panel-002: the panel would refuse its settings: api_url has the port"),
    (dict(sip_fleet_panel_api_url='https://127.0.0.2:99999'), "panel-002: the panel would refuse its settings: api_url has the port"),
], ids=['null-trunk-password', 'null-web-password', 'long-password', 'non-ascii-password', 'port-70000', 'port-0',
        'interval', 'transport', 'source', 'empty-web-password', 'api-port-0', 'api-port-70000', 'api-port-99999'])
def test_one_panel_with_bad_input_fails_alone_before_any_request(bad, expected):
    hostvars = dict(('panel-%03d' % n, vobiz('127.0.0.%d' % n)) for n in (1, 2, 3))
    hostvars['panel-002'].update(bad)
    result = plan(hostvars)
    assert list(result['errors']) == ['panel-002']
    assert result['errors']['panel-002'].startswith(expected)
    assert 'Trunk-pass' not in result['errors']['panel-002'] and WEB not in result['errors']['panel-002']
    if 'would refuse' in expected:  # names the variable to fix
        assert ' (check sip_fleet_' in result['errors']['panel-002']
    assert result['vobiz'] == ['panel-001', 'panel-003']
    assert [c['username'] for c in result['credentials']] == ['bld1panel001', 'bld1panel003']


def test_a_ringcentral_panel_needs_no_trunk_password_but_a_device():
    result = plan(dict(lobby=ringcentral('127.0.0.1', sip_fleet_ringcentral_device_id='802398804016'),
                       garage=ringcentral('127.0.0.2'), gate=ringcentral('127.0.0.3', sip_fleet_ringcentral_device_id='12ab')))
    assert result['ringcentral'] == ['lobby']
    assert set(result['errors']) == {'garage', 'gate'}
    assert 'sip_fleet_ringcentral_device_id' in result['errors']['garage']


def test_two_hosts_on_one_panel_and_colliding_user_names_fail_naming_each_other():
    result = plan(dict(lobby=vobiz('127.0.0.1'), LOBBY=vobiz('127.0.0.2', sip_fleet_panel_api_url='HTTP://LOBBY-A.example.com'),
                       other=vobiz('127.0.0.3', sip_fleet_panel_api_url='http://lobby-a.example.com'),
                       **{'panel-001': vobiz('127.0.0.4'), 'panel_001': vobiz('127.0.0.5')}))
    assert result['errors']['LOBBY'].startswith('LOBBY: reaches the same panel (sip_fleet_panel_api_url) as other')
    assert result['errors']['other'].startswith('other: reaches the same panel (sip_fleet_panel_api_url) as LOBBY')
    assert 'lobby' not in result['errors']  # its own user name bld1lobby, its own panel
    assert result['errors']['panel-001'].startswith('panel-001: has the same Vobiz user name (sip_fleet_username) as panel_001')
    assert result['vobiz'] == ['lobby']


def test_a_variable_that_cannot_be_evaluated_fails_its_panel():
    class Vars(dict):
        def __getitem__(self, key):
            if key == 'sip_fleet_trunk_password':
                from ansible.errors import AnsibleUndefinedVariable
                raise AnsibleUndefinedVariable("'vault_trunk_passwords' is undefined")
            return dict.__getitem__(self, key)
    result = plan(dict(one=Vars(vobiz('127.0.0.1')), two=vobiz('127.0.0.2')))
    assert result['errors']['one'].startswith('one: sip_fleet_trunk_password cannot be evaluated')
    assert result['vobiz'] == ['two']


def _panels(settings):
    """host -> options, out of the buckets of the settings' panels."""
    return dict((host, options) for bucket in settings['panels'].values() for host, options in bucket.items())


def test_settings_file_each_panel_under_its_name_s_last_two_characters():
    hostvars = dict(('panel-%03d' % number, vobiz('127.0.0.%d' % number)) for number in range(1, 121))
    settings = sip_fleet_settings(plan(hostvars), PLAY, vobiz=dict(domain='t1.sip.vobiz.ai', error=''))
    assert len(settings['panels']) == 100 and set(settings['panels']['01']) == {'panel-001', 'panel-101'}
    assert settings['panels']['20']['panel-120']['api_url'] == 'http://127.0.0.120'
    assert len(_panels(settings)) == 120 and settings['errors'] == {}


def test_settings_isolate_each_source_failure():
    result = plan(dict(v1=vobiz('127.0.0.1'), r1=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_id='1'),
                       r2=ringcentral('127.0.0.3', sip_fleet_ringcentral_device_id='2')))
    realms = [dict(item='r1', query_result=dict(realm='sip.ringcentral.com', transport='udp')),
              dict(item='r2', query_result=dict(realm='pbx.example.com', transport='udp'))]
    rc = sip_fleet_ringcentral(result, realms, PLAY)
    assert rc == dict(needing=dict(r2='2'), errors={})
    # RingCentral down: only r2, which needed it, fails; the Vobiz panel and r1 converge
    settings = sip_fleet_settings(result, PLAY, vobiz=dict(domain='t1.sip.vobiz.ai', error=''),
                                  ringcentral=dict(rc, identities={}, error='RingCentral: HTTP 503'))
    assert set(_panels(settings)) == {'v1', 'r1'} and list(settings['errors']) == ['r2']
    assert 'HTTP 503' in settings['errors']['r2']
    assert _panels(settings)['v1']['proxy'] == 'sip:t1.sip.vobiz.ai'
    assert _panels(settings)['r1'] == dict(realm='sip.ringcentral.com', transport='udp', api_url='http://127.0.0.2',
                                           api_username='admin', api_password=WEB, validate_certs=True,
                                           update_password='on_change')
    # Vobiz down: only the Vobiz panel fails
    settings = sip_fleet_settings(result, PLAY, vobiz=dict(error='HTTP 500'), ringcentral=dict(needing={}))
    assert list(settings['errors']) == ['v1'] and set(_panels(settings)) == {'r1', 'r2'}


def test_no_identity_is_minted_in_drift_or_check_mode():
    result = plan(dict(r1=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_id='1', sip_fleet_ringcentral_refresh=True)))
    for play in (dict(PLAY, mode='drift'), dict(PLAY, check_mode=True)):
        assert sip_fleet_ringcentral(result, [], play)['needing'] == {}
    assert sip_fleet_ringcentral(result, [], PLAY)['needing'] == dict(r1='1')


def test_devices_named_by_serial_resolve_to_exactly_one():
    result = plan(dict(r1=ringcentral('127.0.0.1', sip_fleet_ringcentral_device_serial='S1'),
                       r2=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_serial='S2')))
    assert sip_fleet_ringcentral(result, [], PLAY)['needing'] == dict(r1=None, r2=None)
    devices = [dict(id=7, serial='S1'), dict(id=8, serial='S2'), dict(id=9, serial='S2')]
    rc = sip_fleet_ringcentral(result, [], PLAY, devices)
    assert rc['needing'] == dict(r1='7') and 'r2: 2 RingCentral devices have the serial S2' in rc['errors']['r2']


def test_previous_credentials_of_a_new_credential_rotation():
    result = plan(dict(a=vobiz('127.0.0.1', sip_fleet_credential_generation=2),
                       b=vobiz('127.0.0.2', sip_fleet_credential_generation=1), c=vobiz('127.0.0.3')))
    assert result['panels']['a']['sip_fleet_username'] == 'bld1a-g2'
    assert sip_fleet_previous_credentials(result, ['a', 'b', 'c']) == [dict(host='a', username='bld1a-g1'),
                                                                       dict(host='b', username='bld1b')]
    assert sip_fleet_previous_credentials(result, ['a', 'b'], 'bld1b') == [dict(host='a', username='bld1a-g1')]
    assert sip_fleet_previous_credentials(result, ['c']) == []


def test_a_drift_run_compares_what_an_enforce_run_writes():
    """Panel by panel, for every source: the options of a drift (check-mode) run are those an enforce
    run gives a converged fleet; RingCentral's read-only SIP info (its per-region proxies) is not read."""
    hostvars = dict(v1=vobiz('127.0.0.1'), r1=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_id='1'))
    converged = [dict(item='r1', query_result=dict(realm='sip.ringcentral.com', transport='udp'))]
    vobiz_state = dict(domain='t1.sip.vobiz.ai', error='')
    results = []
    for play in (PLAY, dict(PLAY, mode='drift', check_mode=True)):
        result = plan(hostvars, play)
        rc = sip_fleet_ringcentral(result, converged if not play['check_mode'] else [], play)
        results.append(sip_fleet_settings(result, play, vobiz=vobiz_state, ringcentral=rc))
    enforce, drift = results
    assert drift == enforce and set(_panels(drift)) == {'v1', 'r1'}


def test_a_ringcentral_panel_whose_transport_drifted_gets_a_new_identity():
    """Writing the transport needs the SIP password, which only a new identity gives."""
    result = plan(dict(r1=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_id='1')))
    drifted = [dict(item='r1', query_result=dict(realm='sip.ringcentral.com', transport='tcp'))]
    assert sip_fleet_ringcentral(result, drifted, PLAY)['needing'] == dict(r1='1')


@pytest.mark.parametrize('realm', ['MA_X.sip.vobiz.ai:0', 'MA_X.sip.vobiz.ai:70000', 'MA_X sip', ''])
def test_a_bad_realm_fails_every_vobiz_panel_naming_the_variable(realm):
    result = plan(dict(('panel-%03d' % n, vobiz('127.0.0.%d' % n)) for n in (1, 2)), dict(PLAY, vobiz_realm=realm))
    assert sorted(result['errors']) == ['panel-001', 'panel-002'] and result['credentials'] == []
    assert result['errors']['panel-001'].startswith('panel-001: the panel would refuse its settings: realm must be')
    assert result['errors']['panel-001'].endswith('(check sip_fleet_vobiz_realm)')


def test_the_panels_of_an_unfinished_rotation_are_finished_and_no_other():
    hostvars = dict(v1=vobiz('127.0.0.1'), v2=vobiz('127.0.0.2'), v3=vobiz('127.0.0.3', sip_fleet_transport='sctp'),
                    r1=ringcentral('127.0.0.4', sip_fleet_ringcentral_device_id='1'),
                    r2=ringcentral('127.0.0.5', sip_fleet_ringcentral_device_id='2'))
    result = sip_fleet_plan(hostvars, list(hostvars), DEFAULTS, SPECS, PLAY, ['v1', 'v3', 'r1', 'elsewhere'])
    assert result['repair'] == ['v1', 'r1']  # v3 failed its checks; elsewhere is not in the play
    assert result['resend'] == ['bld1v1']
    held = [dict(item=host, query_result=dict(realm='sip.ringcentral.com', transport='udp')) for host in ('r1', 'r2')]
    rc = sip_fleet_ringcentral(result, held, PLAY)
    assert rc['needing'] == dict(r1='1')  # r2 holds its identity and was not in the rotation
    settings = sip_fleet_settings(result, PLAY, vobiz=dict(domain='t1.sip.vobiz.ai'),
                                  ringcentral=dict(rc, identities={}))
    assert dict((h, o['update_password']) for h, o in _panels(settings).items()) == dict(
        v1='always', v2='on_change', r2='on_change')
    assert plan(hostvars)['repair'] == [] and plan(hostvars)['resend'] == []


def test_a_ringcentral_panel_that_does_not_register_gets_a_new_identity():
    result = plan(dict(r1=ringcentral('127.0.0.1', sip_fleet_ringcentral_device_id='1'),
                       r2=ringcentral('127.0.0.2', sip_fleet_ringcentral_device_id='2'),
                       r3=ringcentral('127.0.0.3', sip_fleet_ringcentral_device_id='3')))
    held = dict(realm='sip.ringcentral.com', transport='udp')
    read = [dict(item='r1', query_result=dict(held, registered=False)),   # ERROR: superseded
            dict(item='r2', query_result=dict(held, registered=True)),
            dict(item='r3', query_result=dict(held, registered=None))]    # no status: not known
    assert sip_fleet_ringcentral(result, read, PLAY)['needing'] == dict(r1='1')
