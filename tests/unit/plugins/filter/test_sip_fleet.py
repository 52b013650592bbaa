# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sip_fleet filters: what the sip_fleet role decides for every panel of the play."""

from __future__ import annotations

import pytest

from ansible_collections.sipfleet.provision.plugins.filter import sip_fleet
from ansible_collections.sipfleet.provision.plugins.filter.sip_identity import basip_sip_options

SECRET = 'Xy7Hk2Lm9Q'
TRUNK_PASSWORD = 'Tr4nkPass!'
DEVICE_ID = '802398804016'
IDENTITY = {
    'username': '17203861294*115', 'password': SECRET, 'authorization_id': DEVICE_ID,
    'domain': 'sip.ringcentral.com', 'outbound_proxy': 'sip112-191.ringcentral.com:5090',
    'transport': 'UDP', 'stun_servers': ['stun1.ringcentral.com:19302'],
}
CONNECTION = dict(sip_fleet_panel_api_url='https://192.0.2.11', sip_fleet_panel_api_username='admin',
                  sip_fleet_panel_api_password='123456', sip_fleet_panel_validate_certs=True,
                  sip_fleet_panel_ca_path=None)


def vobiz(**change):
    values = dict(CONNECTION, sip_fleet_source='vobiz', sip_fleet_username='fleetpanel001',
                  sip_fleet_trunk_password=TRUNK_PASSWORD, sip_fleet_credential_description='panel panel-001',
                  sip_fleet_vobiz_realm='MA1234.sip.vobiz.ai', sip_fleet_transport='udp',
                  sip_fleet_username_prefix='fleet', sip_fleet_rotate=False, sip_fleet_rotate_mode='in_place')
    values.update(change)
    return values


def ringcentral(**change):
    values = dict(CONNECTION, sip_fleet_source='ringcentral', sip_fleet_ringcentral_device_id=DEVICE_ID,
                  sip_fleet_ringcentral_domain='sip.ringcentral.com', sip_fleet_ringcentral_transport='UDP',
                  sip_fleet_rotate=False, sip_fleet_ringcentral_refresh=False)
    values.update(change)
    return values


def test_filter_names():
    filters = sip_fleet.FilterModule().filters()
    assert sorted(filters) == sorted('sip_fleet_' + name for name in (
        'device_errors', 'hosts_of', 'panels', 'credentials', 'vobiz_settings', 'rc_plan', 'rc_device_ids',
        'rc_settings', 'previous_users', 'stopped', 'failures'))
    assert filters['sip_fleet_rc_settings'] is sip_fleet.rc_settings


# --- device_errors -----------------------------------------------------------------------------

@pytest.mark.parametrize('device_id', ['802398804016', 802398804016, '0', '1' * 20])
def test_device_id_of_digits_is_usable(device_id):
    assert sip_fleet.device_errors({'p1': ringcentral(sip_fleet_ringcentral_device_id=device_id)}) == {}


@pytest.mark.parametrize('device_id', ['', 'abc', '80239880401a', '../..', '802398804016\n', ' 802398804016',
                                       '1' * 21, '1' * 100000, 8.5, '8.5', True, '\u0661\u0662'])
def test_device_id_not_of_1_to_20_digits_is_an_error(device_id):
    errors = sip_fleet.device_errors({'p1': ringcentral(sip_fleet_ringcentral_device_id=device_id)})
    assert list(errors) == ['p1']
    assert errors['p1'].startswith('p1: ') and 'sip_fleet_ringcentral_device_id (1 to 20 digits)' in errors['p1']


def test_a_bad_device_id_is_an_error_even_with_a_serial():
    values = ringcentral(sip_fleet_ringcentral_device_id='../..', sip_fleet_ringcentral_device_serial='A1B2')
    assert list(sip_fleet.device_errors({'p1': values})) == ['p1']


def test_device_named_by_nothing_is_an_error():
    errors = sip_fleet.device_errors({'p1': ringcentral(sip_fleet_ringcentral_device_id=None), 'p2': vobiz()})
    assert list(errors) == ['p1'] and 'sip_fleet_ringcentral_device_id' in errors['p1']


@pytest.mark.parametrize('key', ['sip_fleet_ringcentral_device_serial', 'sip_fleet_ringcentral_device_name'])
def test_device_named_by_serial_or_name_is_usable(key):
    assert sip_fleet.device_errors({'p1': ringcentral(sip_fleet_ringcentral_device_id=None, **{key: 'Gate'})}) == {}


def test_device_errors_ignore_other_sources():
    assert sip_fleet.device_errors({'v1': vobiz(sip_fleet_ringcentral_device_id='../..'), 'x': {}}) == {}


# --- hosts_of, panels, credentials, vobiz_settings ---------------------------------------------

def test_hosts_of_keeps_the_play_order_and_among():
    checked = dict((host, vobiz() if source == 'v' else ringcentral())
                   for host, source in (('c', 'v'), ('a', 'r'), ('b', 'v'), ('d', 'v')))
    assert sip_fleet.hosts_of(checked, 'vobiz') == ['c', 'b', 'd']
    assert sip_fleet.hosts_of(checked, 'ringcentral') == ['a']
    assert sip_fleet.hosts_of(checked, 'vobiz', ['d', 'c', 'a', 'unknown']) == ['c', 'd']
    assert sip_fleet.hosts_of(checked, 'vobiz', []) == []
    assert sip_fleet.hosts_of(checked, 'other') == []


def test_hosts_of_any_source_without_the_hosts_left_out():
    checked = dict((host, vobiz() if source == 'v' else ringcentral())
                   for host, source in (('c', 'v'), ('a', 'r'), ('b', 'v'), ('d', 'v')))
    assert sip_fleet.hosts_of(checked) == ['c', 'a', 'b', 'd']
    assert sip_fleet.hosts_of(checked, without=[{'a': 'its error'}, ['d']]) == ['c', 'b']
    assert sip_fleet.hosts_of(checked, 'vobiz', ['c', 'b'], without=[['b']]) == ['c']


def test_panels_drop_none_values_and_merge_settings():
    checked = {'p1': vobiz(), 'p2': vobiz(sip_fleet_panel_api_username=None, sip_fleet_panel_ca_path='/ca.pem')}
    settings = {'p1': {'transport': 'udp', 'stun': None, 'api_url': 'https://192.0.2.99'}}
    assert sip_fleet.panels(checked, ['p2', 'p1'], settings) == [
        dict(host='p2', options=dict(api_url='https://192.0.2.11', api_password='123456', validate_certs=True,
                                     ca_path='/ca.pem')),
        dict(host='p1', options=dict(api_url='https://192.0.2.99', api_username='admin', api_password='123456',
                                     validate_certs=True, transport='udp')),
    ]
    assert sip_fleet.panels(checked, ['p1']) == sip_fleet.panels(checked, ['p1'], None)
    assert sip_fleet.panels(checked, []) == []


def test_panels_keep_false_values():
    options = sip_fleet.panels({'p1': vobiz(sip_fleet_panel_validate_certs=False)}, ['p1'])[0]['options']
    assert options['validate_certs'] is False


def test_credentials():
    checked = {'p1': vobiz(), 'p2': vobiz(sip_fleet_username='fleetpanel002', sip_fleet_credential_description='two')}
    assert sip_fleet.credentials(checked, ['p2', 'p1']) == [
        dict(username='fleetpanel002', password=TRUNK_PASSWORD, description='two'),
        dict(username='fleetpanel001', password=TRUNK_PASSWORD, description='panel panel-001')]


def test_vobiz_settings():
    settings = sip_fleet.vobiz_settings({'p1': vobiz(), 'p2': vobiz()}, ['p1'], 'fleet.sip.vobiz.ai')
    assert settings == {'p1': dict(proxy='sip:fleet.sip.vobiz.ai', realm='MA1234.sip.vobiz.ai', user='fleetpanel001',
                                   user_id='fleetpanel001', password=TRUNK_PASSWORD, transport='udp',
                                   update_password='on_change')}


def test_vobiz_settings_on_rotation_always_update_the_password():
    for mode in ('in_place', 'new_credential'):
        values = vobiz(sip_fleet_rotate=True, sip_fleet_rotate_mode=mode)
        assert sip_fleet.vobiz_settings({'p1': values}, ['p1'], 'd')['p1']['update_password'] == 'always'


def test_vobiz_settings_stun_and_registration_interval_only_when_set():
    stun = {'ip': 'stun.example.com', 'port': 3478}
    values = vobiz(sip_fleet_stun=stun, sip_fleet_registration_interval=300)
    settings = sip_fleet.vobiz_settings({'p1': values, 'p2': vobiz(sip_fleet_stun=None)}, ['p1', 'p2'], 'd')
    assert (settings['p1']['stun'], settings['p1']['registration_interval']) == (stun, 300)
    assert 'stun' not in settings['p2'] and 'registration_interval' not in settings['p2']


# --- rc_plan, rc_device_ids --------------------------------------------------------------------

def now_realm(realm):
    return {'settings': {'realm': realm, 'user': 'x'}}


@pytest.mark.parametrize('panel_now, change, identity', [
    (now_realm('sip.ringcentral.com'), {}, False),
    (now_realm('pbx.example.com'), {}, True),
    (now_realm(None), {}, True),
    (None, {}, True),
    ({'failed': True, 'msg': 'no answer'}, {}, True),
    (now_realm('sip.ringcentral.com'), dict(sip_fleet_ringcentral_refresh=True), True),
    (now_realm('sip.ringcentral.com'), dict(sip_fleet_rotate=True), True),
    (now_realm('sip.example.net'), dict(sip_fleet_ringcentral_domain='sip.example.net'), False),
])
def test_rc_plan_identity(panel_now, change, identity):
    panels_now = {} if panel_now is None else {'p1': panel_now}
    plan = sip_fleet.rc_plan({'p1': ringcentral(**change)}, ['p1'], panels_now, False, False)
    assert plan == {'p1': dict(identity=identity, wants=identity, lookup=False, device_id=DEVICE_ID,
                               serial=None, name=None)}


@pytest.mark.parametrize('drift, check_mode', [(True, False), (False, True), (True, True)])
def test_rc_plan_never_fetches_an_identity_in_drift_or_check_mode(drift, check_mode):
    values = ringcentral(sip_fleet_rotate=True, sip_fleet_ringcentral_refresh=True)
    entry = sip_fleet.rc_plan({'p1': values}, ['p1'], {}, drift, check_mode)['p1']
    assert entry['identity'] is False
    assert entry['wants'] is drift


def test_rc_plan_looks_up_a_device_without_id_only_when_it_wants_ringcentral():
    values = ringcentral(sip_fleet_ringcentral_device_id=None, sip_fleet_ringcentral_device_serial='A1B2',
                         sip_fleet_ringcentral_device_name='Gate')
    checked = {'p1': values, 'p2': ringcentral(sip_fleet_ringcentral_device_id=802398804017)}
    plan = sip_fleet.rc_plan(checked, ['p1', 'p2'], {}, False, False)
    assert plan['p1'] == dict(identity=True, wants=True, lookup=True, device_id=None, serial='A1B2', name='Gate')
    assert plan['p2']['device_id'] == '802398804017' and plan['p2']['lookup'] is False
    converged = sip_fleet.rc_plan(checked, ['p1'], {'p1': now_realm('sip.ringcentral.com')}, False, False)
    assert converged['p1']['lookup'] is False
    assert sip_fleet.rc_plan(checked, ['p1'], {}, True, False)['p1']['lookup'] is True
    assert list(sip_fleet.rc_plan(checked, ['p2'], {}, False, False)) == ['p2']


def entry(wants=True, device_id=None, serial=None, name=None):
    return dict(identity=wants, wants=wants, lookup=wants and device_id is None, device_id=device_id,
                serial=serial, name=name)


DEVICES = [dict(id=802398804017, serial='A1', name='Gate'), dict(id='802398804018', serial='B2', name='Hall'),
           dict(id='802398804019', serial='C3', name='Hall')]


def test_rc_device_ids_by_id_serial_and_name():
    plan = {'by-id': entry(device_id=DEVICE_ID), 'by-serial': entry(serial='A1', name='Hall'),
            'by-name': entry(name='Gate'), 'converged': entry(wants=False, serial='B2')}
    assert sip_fleet.rc_device_ids(plan, DEVICES) == dict(
        ids={'by-id': DEVICE_ID, 'by-serial': '802398804017', 'by-name': '802398804017'}, errors={})


def test_rc_device_ids_need_exactly_one_match():
    plan = {'none': entry(serial='Z9'), 'two': entry(name='Hall'), 'one': entry(serial='C3')}
    result = sip_fleet.rc_device_ids(plan, DEVICES)
    assert result['ids'] == {'one': '802398804019'}
    assert result['errors'] == {'none': 'none: 0 RingCentral devices have the serial Z9; exactly one must',
                                'two': 'two: 2 RingCentral devices have the name Hall; exactly one must'}
    assert sip_fleet.rc_device_ids({'p1': entry(serial='A1')}, None)['errors']['p1'].startswith('p1: 0 ')


# --- rc_settings -------------------------------------------------------------------------------

def identities(*items):
    return {DEVICE_ID: {'sip_info': list(items), 'device': {'id': DEVICE_ID}}}


READ = dict(domain='sip.ringcentral.com', user_name='17203861294*115', password=None, authorization_id=DEVICE_ID,
            outbound_proxies=[dict(region='NA', proxy='sip112-191.ringcentral.com:5090',
                                   proxy_tls='sip112-191.ringcentral.com:5096')])


def rc_settings(plan_entry, values=None, found=None, devices_now=None, drift=False, device_ids=None):
    checked = {'p1': values or ringcentral()}
    return sip_fleet.rc_settings(checked, {'p1': plan_entry}, {'p1': DEVICE_ID} if device_ids is None else device_ids,
                                 found, devices_now, drift)


def test_rc_settings_of_a_fetched_identity_are_those_of_its_first_sip_info():
    other = dict(IDENTITY, username='other', domain='sip.example.net')
    result = rc_settings(entry(device_id=DEVICE_ID), found=identities(IDENTITY, other))
    assert result == dict(settings={'p1': dict(basip_sip_options(IDENTITY), update_password='on_change')},
                          errors={})
    rotated = rc_settings(entry(device_id=DEVICE_ID), ringcentral(sip_fleet_rotate=True), identities(IDENTITY))
    assert rotated['settings']['p1']['update_password'] == 'always'


@pytest.mark.parametrize('found', [None, {}, {'802398809999': {'sip_info': [IDENTITY]}}, {DEVICE_ID: {}}])
def test_rc_settings_without_an_identity_is_an_error(found):
    result = rc_settings(entry(device_id=DEVICE_ID), found=found)
    assert result == dict(settings={}, errors={
        'p1': 'p1: RingCentral returned no SIP identity for device %s' % DEVICE_ID})


def test_rc_settings_an_identity_the_panel_would_reject_is_the_panels_error():
    """One panel's unusable identity is its own error; the other panels keep their settings."""
    checked = {'p1': ringcentral(), 'p2': ringcentral(sip_fleet_ringcentral_device_id='802398804017')}
    found = dict(identities(dict(IDENTITY, outbound_proxy=None)), **{'802398804017': {'sip_info': [IDENTITY]}})
    result = sip_fleet.rc_settings(checked, {'p1': entry(device_id=DEVICE_ID), 'p2': entry(device_id='802398804017')},
                                   {'p1': DEVICE_ID, 'p2': '802398804017'}, found, [], False)
    assert list(result['settings']) == ['p2']
    assert result['errors']['p1'].startswith('p1: basip_sip_options: the SIP identity has no outbound_proxy')
    assert SECRET not in str(result['errors'])


@pytest.mark.parametrize('transport, port', [('TLS', 5096), ('UDP', 5090), ('TCP', 5090)])
def test_rc_settings_in_drift_are_the_read_only_sip_info(transport, port):
    """The outbound proxy of the panel's transport: proxy_tls for TLS, as a converge writes it."""
    devices_now = [dict(id=802398804017, sip_info={}), dict(id=DEVICE_ID, sip_info=READ)]
    result = rc_settings(entry(wants=False, device_id=DEVICE_ID), devices_now=devices_now, drift=True,
                         values=ringcentral(sip_fleet_ringcentral_transport=transport))
    assert result == dict(settings={'p1': dict(
        proxy='sip:sip.ringcentral.com', outbound='sip:sip112-191.ringcentral.com:%d' % port, realm='sip.ringcentral.com',
        user='17203861294*115', user_id=DEVICE_ID, transport=transport.lower(), update_password='on_change')}, errors={})


def test_rc_settings_in_drift_of_a_tls_panel_without_a_tls_proxy_fail_that_panel_alone():
    read = dict(READ, outbound_proxies=[dict(region='NA', proxy='sip112-191.ringcentral.com:5090')])
    result = rc_settings(entry(wants=False, device_id=DEVICE_ID), drift=True, devices_now=[dict(id=DEVICE_ID, sip_info=read)],
                         values=ringcentral(sip_fleet_ringcentral_transport='TLS'))
    assert result == dict(settings={}, errors={'p1': 'p1: RingCentral has no SIP info for device %s (outbound_proxies)'
                                                     % DEVICE_ID})


@pytest.mark.parametrize('devices_now', [None, [], [dict(id='802398804017', sip_info=READ)],
                                         [dict(id=DEVICE_ID, sip_info=None)], [dict(id=DEVICE_ID)]])
def test_rc_settings_in_drift_without_sip_info_is_an_error(devices_now):
    result = rc_settings(entry(wants=False, device_id=DEVICE_ID), devices_now=devices_now, drift=True)
    assert result == dict(settings={}, errors={'p1': 'p1: RingCentral has no SIP info for device %s '
                                                     '(domain, outbound_proxies, user_name, authorization_id)' % DEVICE_ID})


def test_rc_settings_in_drift_without_an_outbound_proxy_fail_that_panel_alone():
    result = rc_settings(entry(wants=False, device_id=DEVICE_ID), drift=True,
                         devices_now=[dict(id=DEVICE_ID, sip_info=dict(READ, outbound_proxies=[]))])
    assert result == dict(settings={}, errors={'p1': 'p1: RingCentral has no SIP info for device %s (outbound_proxies)'
                                                     % DEVICE_ID})


def test_rc_settings_of_a_converged_panel_are_realm_and_transport_only():
    values = ringcentral(sip_fleet_ringcentral_transport='TCP', sip_fleet_ringcentral_domain='sip.example.net')
    result = rc_settings(entry(wants=False, device_id=DEVICE_ID), values, found=identities(IDENTITY),
                         devices_now=[dict(id=DEVICE_ID, sip_info=READ)])
    assert result == dict(settings={'p1': dict(realm='sip.example.net', transport='tcp', update_password='on_change')},
                          errors={})
    assert rc_settings(entry(wants=False), device_ids={})['settings']['p1']['realm'] == 'sip.ringcentral.com'


# --- previous_users ----------------------------------------------------------------------------

def rotating(**change):
    return vobiz(**dict(dict(sip_fleet_rotate=True, sip_fleet_rotate_mode='new_credential',
                             sip_fleet_username='fleetpanel001-g1'), **change))


def previous(values, user='fleetpanel001', done=None):
    panels_now = {'p1': {'settings': {'user': user}}} if user is not None else {}
    converged = {'p1': {'changed': True} if done is None else done}
    return sip_fleet.previous_users({'p1': values}, ['p1'], panels_now, converged)


def test_previous_user_of_a_converged_rotated_panel():
    assert previous(rotating()) == [dict(host='p1', username='fleetpanel001')]
    assert previous(rotating(sip_fleet_vobiz_trunk={'name': 'fleet-panels', 'credential': 'fleetpanel002'})) == [
        dict(host='p1', username='fleetpanel001')]
    assert previous(rotating(), done={'changed': False}) == [dict(host='p1', username='fleetpanel001')]


@pytest.mark.parametrize('values, user, done', [
    (vobiz(sip_fleet_rotate_mode='new_credential'), 'fleetpanel001', None),  # no rotation
    (rotating(sip_fleet_rotate_mode='in_place'), 'fleetpanel001', None),
    (rotating(), 'fleetpanel001', {}),  # not converged
    (rotating(), 'fleetpanel001', {'failed': True, 'msg': 'refused'}),
    (rotating(), 'fleetpanel001', {'failed': True, 'unreachable': True}),
    (rotating(), 'fleetpanel001', {'unreachable': True}),
    (rotating(), 'fleetpanel001-g1', None),  # its current credential
    (rotating(), 'otherpanel001', None),  # outside the prefix
    (rotating(), '', None),
    (rotating(), None, None),  # not read before
    (rotating(sip_fleet_vobiz_trunk={'credential': 'fleetpanel001'}), 'fleetpanel001', None),  # the trunk's
])
def test_no_previous_user(values, user, done):
    assert previous(values, user, done) == []


def test_previous_users_keep_the_order_of_hosts():
    checked = {'p1': rotating(), 'p2': rotating(sip_fleet_username='fleetpanel002-g1')}
    panels_now = {'p1': {'settings': {'user': 'fleetpanel001'}}, 'p2': {'settings': {'user': 'fleetpanel002'}}}
    converged = {'p1': {'changed': True}, 'p2': {'changed': True}}
    assert sip_fleet.previous_users(checked, ['p2', 'p1'], panels_now, converged) == [
        dict(host='p2', username='fleetpanel002'), dict(host='p1', username='fleetpanel001')]
    assert sip_fleet.previous_users(checked, ['p2'], panels_now, {}) == []


# --- stopped, failures -------------------------------------------------------------------------

def test_stopped_with_an_error_every_panel_fails():
    assert sip_fleet.stopped(['p1', 'p2'], 'no trunk', 'fleet.sip.vobiz.ai', 'fleet-panels') == {
        'p1': dict(failed=True, changed=False, msg='no trunk'), 'p2': dict(failed=True, changed=False, msg='no trunk')}


def test_stopped_without_a_trunk_domain_every_panel_is_ok_with_the_reason():
    result = sip_fleet.stopped(['p1'], '', '', 'fleet-panels')
    assert result == {'p1': dict(changed=False, msg='The trunk fleet-panels does not exist yet (check mode): '
                                                    'its domain is known after the first real run.')}


def test_stopped_with_a_trunk_domain_nothing():
    assert sip_fleet.stopped(['p1'], '', 'fleet.sip.vobiz.ai', 'fleet-panels') == {}
    assert sip_fleet.stopped([], 'no trunk', '', 'fleet-panels') == {}


def test_failures_of_a_dict():
    assert sip_fleet.failures({'p1': 'bad', 'p2': 'worse'}) == {
        'p1': dict(failed=True, changed=False, msg='bad'), 'p2': dict(failed=True, changed=False, msg='worse')}
    assert sip_fleet.failures({'p1': 'bad'}, 'Stopped: ') == {'p1': dict(failed=True, changed=False, msg='Stopped: bad')}
    assert sip_fleet.failures({}) == {}


def test_failures_of_loop_results_are_the_failed_items():
    results = [dict(item=dict(host='p1', username='a'), failed=True, msg='HTTP 500'),
               dict(item=dict(host='p2', username='b'), changed=True),
               dict(item=dict(host='p3', username='c'), failed=False, msg='ok'),
               dict(item=dict(host='p4', username='d'), failed=True),
               dict(item=dict(host='p5', username='e'), failed=True, msg='')]
    assert sip_fleet.failures(results, 'Not deleted: ') == {
        'p1': dict(failed=True, changed=False, msg='Not deleted: HTTP 500'),
        'p4': dict(failed=True, changed=False, msg='Not deleted: (no message)'),
        'p5': dict(failed=True, changed=False, msg='Not deleted: (no message)')}
    assert sip_fleet.failures([]) == {}
