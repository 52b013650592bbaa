# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Trunks, IP ACLs and origination URIs of the Vobiz simulator follow Vobiz's API reference
(https://docs.vobiz.ai, its trunk pages): both create bodies, both update rules, attachment by id,
409 on delete."""

from __future__ import annotations

import pytest

BASE = '/api/v1/Account/MA_SIMUL001'
NEWEST = {'name': 'fleet', 'trunk_type': 'OUTBOUND', 'max_concurrent_calls': 5}


def credential(api, username='trunkuser1'):
    answer = api.call('POST', BASE + '/credentials', json={'username': username, 'password': 'Secret-123'})
    assert answer.status_code == 201, answer.text
    return answer.json()['id']


def test_newest_create_defaults_domain_get_list_and_both_spellings(api):
    created = api.call('POST', BASE + '/trunks', json=NEWEST)
    assert created.status_code == 201
    trunk = created.json()
    assert trunk['trunk_domain'] == '%s.sip.vobiz.ai' % trunk['trunk_id'] and trunk['account_id'] == 'MA_SIMUL001'
    assert (trunk['trunk_direction'], trunk['concurrent_calls_limit'], trunk['cps_limit'], trunk['secure'],
            trunk['transport'], trunk['trunk_status']) == ('outbound', 5, 2, False, 'udp', 'active')
    assert 'credential_uuid' not in trunk and 'ipacl_uuid' not in trunk
    assert api.call('GET', BASE + '/trunks/' + trunk['trunk_id']).json() == trunk
    listed = api.call('GET', '/api/v1/account/MA_SIMUL001/trunks').json()
    assert listed['meta'] == {'limit': 20, 'offset': 0, 'total': 1} and listed['objects'] == [trunk]


@pytest.mark.parametrize('body, status, field', [
    ({'name': 'fleet'}, 422, 'trunk_type'),
    (dict(NEWEST, trunk_type='BOTH'), 422, 'trunk_type'),
    (dict(NEWEST, max_concurrent_calls='5'), 422, 'max_concurrent_calls'),
    (dict(NEWEST, name='x' * 256), 422, 'name'),
    (dict(NEWEST, cps_limit=3), 400, None),
    ({'name': 'fleet', 'trunk_direction': 'outbound'}, 400, None),
])
def test_newest_create_refuses(api, body, status, field):
    answer = api.call('POST', BASE + '/trunks', json=body)
    assert answer.status_code == status, answer.text
    if field:
        assert answer.json()['error']['details']['errors'][0]['field'] == field
    assert api.control('GET', '/targets/vobiz/state').json()['trunks'] == []


def test_older_create_takes_every_field_and_checks_attachments(api):
    api.options(trunk_create='older')
    assert api.call('POST', BASE + '/trunks', json=NEWEST).status_code == 400
    missing = api.call('POST', BASE + '/trunks', json={'name': 'fleet', 'credential_uuid': 'nope'})
    assert missing.status_code == 422 and missing.json()['error']['details']['errors'][0]['field'] == 'credential_uuid'
    cid = credential(api)
    body = {'name': 'fleet', 'trunk_status': 'disabled', 'trunk_direction': 'both', 'concurrent_calls_limit': 3,
            'cps_limit': 1, 'transport': 'tcp', 'secure': True, 'credential_uuid': cid}
    trunk = api.call('POST', BASE + '/trunks', json=body).json()
    assert trunk['trunk_status'] == 'inactive' and trunk['credential_uuid'] == cid and trunk['transport'] == 'tcp'
    assert api.call('POST', BASE + '/trunks', json={'name': 'fleet', 'transport': 'tls'}).status_code == 422
    assert api.call('POST', BASE + '/trunks', json={'name': 'fleet'}).status_code == 201  # names are not unique


def test_partial_and_replace_updates(api):
    trunk = api.call('POST', BASE + '/trunks', json=NEWEST).json()
    url = BASE + '/trunks/' + trunk['trunk_id']
    cid = credential(api)
    attached = api.call('PUT', url, json={'credential_uuid': cid, 'enabled': False, 'cps_limit': 4})
    assert attached.status_code == 200
    assert (attached.json()['credential_uuid'], attached.json()['trunk_status'], attached.json()['cps_limit']) == (
        cid, 'inactive', 4)
    assert api.call('PUT', url, json={'credential_uuid': 'unknown'}).status_code == 422
    assert api.call('PUT', url, json={'trunk_domain': 'x.sip.vobiz.ai'}).status_code == 400
    assert api.call('PUT', url, json={'max_concurrent_calls': 4}).status_code == 400
    api.options(trunk_update='replace')
    refused = api.call('PUT', url, json={'cps_limit': 3})
    assert refused.status_code == 422 and refused.json()['error']['details']['errors'][0]['field'] == 'name'
    assert api.call('PUT', url, json={'name': 'f', 'max_concurrent_calls': 7, 'enabled': True,
                                      'concurrent_calls_limit': 7}).status_code == 400
    replaced = api.call('PUT', url, json={'name': 'f', 'max_concurrent_calls': 7, 'enabled': True})
    assert (replaced.json()['concurrent_calls_limit'], replaced.json()['trunk_status']) == (7, 'active')
    assert api.call('PUT', BASE + '/trunks/unknown', json={'name': 'f'}).status_code == 404


def test_delete_404_409_and_cascade(api):
    api.options(trunks_in_use=['busy'])
    busy = api.call('POST', BASE + '/trunks', json=dict(NEWEST, name='busy')).json()
    refused = api.call('DELETE', BASE + '/trunks/' + busy['trunk_id'])
    assert refused.status_code == 409 and refused.json()['error']['message'] == 'Trunk has active calls'
    # docs.vobiz.ai/trunks/delete-trunk: the credentials, IP ACL entries and origination URIs go with it
    trunk = api.call('POST', BASE + '/trunks', json=NEWEST).json()
    cid, kept = credential(api), credential(api, 'kept1')
    acl = api.call('POST', BASE + '/ip-acl', json={'name': 'office', 'ip_address': '198.51.100.0/24'}).json()['id']
    api.call('PUT', BASE + '/trunks/' + trunk['trunk_id'], json={'credential_uuid': cid, 'ipacl_uuid': acl})
    assert api.call('DELETE', BASE + '/trunks/' + trunk['trunk_id']).status_code == 204
    assert api.call('DELETE', BASE + '/trunks/' + trunk['trunk_id']).status_code == 404
    state = api.control('GET', '/targets/vobiz/state').json()
    assert [c['id'] for c in state['credentials']] == [kept] and state['ip_acls'] == []
    api.options(trunk_delete_cascade=False, delete_status=200)           # switched off: attachments stay
    other = api.call('POST', BASE + '/trunks', json=NEWEST).json()
    api.call('PUT', BASE + '/trunks/' + other['trunk_id'], json={'credential_uuid': kept})
    assert api.call('DELETE', BASE + '/trunks/' + other['trunk_id']).json()['status'] == 'success'
    assert [c['id'] for c in api.control('GET', '/targets/vobiz/state').json()['credentials']] == [kept]


def test_list_pages_null_objects_total_count_and_limit_maximum(api):
    api.options(null_objects=True, total_key='total_count')
    empty = api.call('GET', BASE + '/trunks').json()
    assert empty == {'meta': {'limit': 20, 'offset': 0, 'total_count': 0}, 'objects': None}
    for index in range(3):
        api.call('POST', BASE + '/trunks', json=dict(NEWEST, name='t%d' % index))
    page = api.call('GET', BASE + '/trunks', params={'limit': 2, 'offset': 2}).json()
    assert [t['name'] for t in page['objects']] == ['t2'] and page['meta']['total_count'] == 3
    assert api.call('GET', BASE + '/trunks', params={'limit': 101}).status_code == 400


def test_ip_acl_and_origination_uri_objects_and_attachment(api):
    acl = api.call('POST', BASE + '/ip-acl', json={'name': 'office', 'ip_address': '198.51.100.0/24'})
    assert acl.status_code == 201 and acl.json()['enabled'] is True and acl.json()['ip_address'] == '198.51.100.0/24'
    assert api.call('POST', BASE + '/ip-acl', json={'name': 'v6', 'ip_address': '2001:db8::/32'}).status_code == 422
    assert api.call('POST', BASE + '/ip-acl', json={'name': 'bad', 'ip_address': 'nope'}).status_code == 422
    uri = api.call('POST', BASE + '/origination-uris', json={'name': 'pbx', 'sip_uri': 'sip:pbx.example.com'})
    assert (uri.json()['uri'], uri.json()['priority'], uri.json()['weight'], uri.json()['transport']) == (
        'sip:pbx.example.com', 1, 10, 'udp')
    assert 'sip_uri' not in uri.json()
    listed = api.call('GET', BASE + '/trunks/ip-acl').json()['objects']
    assert [a['id'] for a in listed] == [acl.json()['id']]
    assert len(api.call('GET', BASE + '/trunks/origination-uris').json()['objects']) == 1
    trunk = api.call('POST', BASE + '/trunks', json=NEWEST).json()
    both = api.call('PUT', BASE + '/trunks/' + trunk['trunk_id'], json={
        'ipacl_uuid': acl.json()['id'], 'primary_uri_uuid': uri.json()['id'], 'fallback_uri_uuid': acl.json()['id']})
    assert both.status_code == 422 and both.json()['error']['details']['errors'][0]['field'] == 'fallback_uri_uuid'
    changed = api.call('PUT', BASE + '/ip-acl/' + acl.json()['id'], json={'enabled': False})
    assert changed.json()['enabled'] is False
    assert api.call('DELETE', BASE + '/origination-uris/' + uri.json()['id']).status_code == 204
    assert api.call('DELETE', BASE + '/origination-uris/' + uri.json()['id']).status_code == 404


def test_control_routes_for_trunks(api):
    trunk = api.control('POST', '/targets/vobiz/trunks', json={'name': 'oob'}).json()
    assert trunk['trunk_domain'].startswith(trunk['trunk_id'])
    api.control('PATCH', '/targets/vobiz/trunks/' + trunk['trunk_id'], json={'cps_limit': 9})
    assert api.call('GET', BASE + '/trunks/' + trunk['trunk_id']).json()['cps_limit'] == 9
    acl = api.control('POST', '/targets/vobiz/ip-acl', json={'ip_address': '192.0.2.1'}).json()
    state = api.control('GET', '/targets/vobiz/state').json()
    assert [a['id'] for a in state['ip_acls']] == [acl['id']] and len(state['trunks']) == 1
    api.control('DELETE', '/targets/vobiz/state')
    assert api.control('GET', '/targets/vobiz/state').json()['trunks'] == []
    assert api.call('GET', BASE + '/trunks/' + trunk['trunk_id']).status_code == 404
