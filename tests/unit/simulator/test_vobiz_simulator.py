# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Vobiz simulator follows Vobiz's API reference (https://docs.vobiz.ai): auth, validation,
variants, control routes."""

from __future__ import annotations

import pytest

AUTH = {'X-Auth-ID': 'MA_SIMUL001', 'X-Auth-Token': 'sim-token'}
BASE = '/api/v1/Account/MA_SIMUL001'


def test_constructible_without_arguments():
    from ansible_collections.sipfleet.provision.tests.simulator.vobiz import VobizAccount
    account = VobizAccount()
    assert (account.auth_id, account.auth_token) == ('MA_SIMUL001', 'sim-token')


@pytest.mark.parametrize('headers, path', [
    ({}, BASE + '/trunks/credentials'),
    ({'X-Auth-ID': 'MA_SIMUL001', 'X-Auth-Token': 'nope'}, BASE + '/trunks/credentials'),
    ({'X-Auth-ID': 'MA_OTHER001', 'X-Auth-Token': 'sim-token'}, BASE + '/trunks/credentials'),
    (AUTH, '/api/v1/Account/MA_OTHER001/trunks/credentials'),
])
def test_401_on_wrong_headers_or_path(api, headers, path):
    answer = api.call('GET', path, headers=headers)
    assert answer.status_code == 401 and answer.json()['error']['code'] == 'UNAUTHORIZED'
    assert answer.json()['status'] == 'error' and answer.json()['requestId'].startswith('req_')


def test_create_list_update_delete_and_both_path_spellings(api):
    created = api.call('POST', BASE + '/credentials', json={'username': 'abc1', 'password': 'Secret-123'})
    assert created.status_code == 201
    obj = created.json()
    assert obj['password'] == '<redacted>' and obj['realm'] == 'MA_SIMUL001.sip.vobiz.ai' and obj['enabled'] is True
    listed = api.call('GET', '/api/v1/account/MA_SIMUL001/trunks/credentials').json()
    assert listed['meta'] == {'limit': 20, 'offset': 0, 'total': 1} and listed['objects'] == [obj]
    updated = api.call('PUT', BASE + '/credentials/' + obj['id'], json={'enabled': False, 'description': 'd'})
    assert updated.status_code == 200 and updated.json()['enabled'] is False and updated.json()['description'] == 'd'
    assert api.call('DELETE', BASE + '/credentials/' + obj['id']).status_code == 204
    assert api.call('DELETE', BASE + '/credentials/' + obj['id']).json()['error']['code'] == 'NOT_FOUND'
    assert api.call('PUT', BASE + '/credentials/' + obj['id'], json={'enabled': True}).status_code == 404


def test_validation(api):
    short = api.call('POST', BASE + '/credentials', json={'username': 'abc2', 'password': 'short'})
    assert short.status_code == 422 and short.json()['error']['code'] == 'VALIDATION_ERROR'
    assert short.json()['error']['details']['errors'][0]['field'] == 'password'
    assert api.call('POST', BASE + '/credentials', json={'username': 'abc2'}).status_code == 422
    assert api.call('POST', BASE + '/credentials', data='username=abc2',
                    headers=dict(AUTH, **{'Content-Type': 'application/x-www-form-urlencoded'})).status_code == 400
    extra = api.call('POST', BASE + '/credentials', json={'username': 'abc2', 'password': 'Secret-123', 'enabled': False})
    assert extra.status_code == 400
    api.options(create_extra='accept')
    accepted = api.call('POST', BASE + '/credentials', json={'username': 'abc2', 'password': 'Secret-123', 'enabled': False})
    assert accepted.status_code == 201 and accepted.json()['enabled'] is False
    cid = accepted.json()['id']
    assert api.call('PUT', BASE + '/credentials/' + cid, json={'username': 'x'}).status_code == 400
    assert api.call('PUT', BASE + '/credentials/' + cid, json={'enabled': 'yes'}).status_code == 422
    assert api.call('PUT', BASE + '/credentials/' + cid, json={'password': 'short'}).status_code == 422
    api.options(reject_punctuation=True)
    assert api.call('POST', BASE + '/credentials', json={'username': 'a_b', 'password': 'Secret-123'}).status_code == 400
    assert api.call('GET', BASE + '/trunks/credentials', params={'limit': 0}).status_code == 400


@pytest.mark.parametrize('shape, expected', [
    ('envelope', lambda body: body['error']['code'] == 'DUPLICATE_USERNAME'),
    ('short', lambda body: body == {'error': 'Username already exists', 'code': 409}),
])
def test_duplicate_username_409_shapes(api, shape, expected):
    api.options(conflict_body=shape)
    body = {'username': 'dup1', 'password': 'Secret-123'}
    assert api.call('POST', BASE + '/credentials', json=body).status_code == 201
    answer = api.call('POST', BASE + '/credentials', json=body)
    assert answer.status_code == 409 and expected(answer.json())


def test_variant_switches(api):
    api.options(create_status=200, delete_status=200, total_key='total_count', null_objects=True,
                description=False, extra_fields=True, strict_update=True, in_use=['busy1'])
    empty = api.call('GET', BASE + '/trunks/credentials')
    assert empty.json()['objects'] is None and empty.json()['meta']['total_count'] == 0
    created = api.call('POST', BASE + '/credentials', json={'username': 'busy1', 'password': 'Secret-123'})
    assert created.status_code == 200 and 'description' not in created.json() and 'labels' in created.json()
    assert created.headers['Deprecation'] == 'true' and 'Sunset' in created.headers
    cid = created.json()['id']
    strict = api.call('PUT', BASE + '/credentials/' + cid, json={'enabled': False})
    assert strict.status_code == 422 and strict.json()['error']['details']['errors'][0]['field'] == 'password'
    busy = api.call('DELETE', BASE + '/credentials/' + cid)
    assert busy.status_code == 409 and 'in use by active calls' in busy.json()['error']['message']
    api.options(in_use=[])
    deleted = api.call('DELETE', BASE + '/credentials/' + cid)
    assert deleted.status_code == 200 and deleted.json()['status'] == 'success'
    api.options(concurrent_create=1)
    raced = api.call('POST', BASE + '/credentials', json={'username': 'race1', 'password': 'Secret-123'})
    assert raced.status_code == 409
    assert [c['username'] for c in api.control('GET', '/targets/vobiz/state').json()['credentials']] == ['race1']
    api.options(active=False)
    assert api.call('GET', BASE + '/trunks/credentials').json()['error']['code'] == 'ACCOUNT_INACTIVE'
    assert api.control('PATCH', '/targets/vobiz/options', json={'nope': 1}).status_code == 400


def test_control_routes_out_of_band_changes_and_account(api):
    assert api.control('POST', '/targets/vobiz/credentials',
                       json={'username': 'oob1', 'password': 'Real-pass-1', 'description': 'x'}).status_code == 201
    state = api.control('GET', '/targets/vobiz/state').json()
    assert state['credentials'][0]['password'] == 'Real-pass-1' and state['options']['create_status'] == 201
    assert api.control('PATCH', '/targets/vobiz/credentials/oob1', json={'enabled': False}).status_code == 200
    listed = api.call('GET', BASE + '/trunks/credentials').json()['objects']
    assert listed[0]['enabled'] is False and listed[0]['password'] == '<redacted>'
    assert api.control('DELETE', '/targets/vobiz/credentials/oob1').status_code == 200
    assert api.control('DELETE', '/targets/vobiz/credentials/oob1').status_code == 404
    assert api.control('PATCH', '/targets/vobiz/account', json={'auth_token': 'rotated'}).status_code == 200
    assert api.call('GET', '/api/v1/auth/me').status_code == 401
    assert api.call('GET', '/api/v1/auth/me', headers=dict(AUTH, **{'X-Auth-Token': 'rotated'})).status_code == 200
    api.control('PATCH', '/targets/vobiz/account', json={'auth_token': 'sim-token'})


def test_faults_answer_the_vobiz_envelope_and_log_masks_passwords(api):
    api.control('POST', '/faults', json={'target': 'vobiz', 'kind': 'status', 'status': 429, 'retry_after': 3})
    limited = api.call('GET', BASE + '/trunks/credentials')
    assert limited.status_code == 429 and limited.headers['Retry-After'] == '3'
    assert limited.json()['error']['code'] == 'RATE_LIMIT_EXCEEDED' and limited.json()['status'] == 'error'
    api.control('POST', '/faults', json={'target': 'vobiz', 'kind': 'status', 'status': 503})
    assert api.call('GET', BASE + '/trunks/credentials').json()['error']['code'] == 'SERVICE_UNAVAILABLE'
    api.call('POST', BASE + '/credentials', json={'username': 'log1', 'password': 'Secret-123'})
    log = api.control('GET', '/log', params={'target': 'vobiz'}).json()
    assert [e['status'] for e in log] == [429, 503, 201]
    assert log[-1]['body'] == {'username': 'log1', 'password': '***'} and 'Secret-123' not in str(log)
