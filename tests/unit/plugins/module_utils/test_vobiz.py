# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_credential's logic against the Vobiz simulator, request by request."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils import _vobiz as vobiz
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet

LIST, CREATE, UPDATE, DELETE = ('GET list', 'POST credentials', 'PUT credential', 'DELETE credential')
SECRET = 'Trunk-secret-42'
NEW_SECRET = 'Rotated-secret-43'
TOKEN = 'sim-token'


class Account:
    """The simulated account of a test: its app, its log as operations, its parameters."""

    def __init__(self, simulator, url):
        self.simulator = simulator
        self.app = simulator.targets['vobiz']['app']
        self.url = url

    def log(self):
        with self.simulator.lock:
            return [dict(e) for e in self.simulator.log if e['target'] == 'vobiz']

    def calls(self):
        """The request log as operations: 'GET list', 'POST credentials', 'PUT credential', ..."""
        names = []
        for entry in self.log():
            path = entry['path']
            kind = ('list' if path.endswith('/trunks/credentials') else 'credentials'
                    if path.endswith('/credentials') else 'credential')
            names.append('%s %s' % (entry['method'], kind))
        return names

    def clear(self):
        with self.simulator.lock:
            del self.simulator.log[:]

    def fault(self, kind, **options):
        from ansible_collections.sipfleet.provision.tests.simulator.server import Fault
        with self.simulator.lock:
            self.simulator.faults.setdefault('vobiz', []).append(Fault(kind, **options))

    def stored(self, username):
        record = self.app.by_username(username)
        return dict(record) if record else None

    def params(self, spec=None, **values):
        params = dict((name, option.get('default'))
                      for name, option in (spec or vobiz.VOBIZ_CREDENTIAL.options.argument_spec()).items())
        params.update(auth_id='MA_SIMUL001', auth_token=TOKEN, api_url=self.url, retries=1)
        params.update(values)
        return params


@pytest.fixture(scope='module')
def simulator():
    simulator, urls = start_fleet(vobiz=True)
    yield simulator, urls['targets']['vobiz']
    simulator.stop()


@pytest.fixture
def account(simulator):
    """A Vobiz account with no credentials, default options, no faults and an empty log."""
    sim, url = simulator
    account = Account(sim, url)
    account.app.reset()
    with sim.lock:
        sim.faults.clear()
    account.clear()
    yield account
    with sim.lock:
        sim.faults.clear()


def no_secret(*values):
    text = json.dumps(values, default=str)
    return SECRET not in text and NEW_SECRET not in text and TOKEN not in text


# --- the canonical sequence -------------------------------------------------------

def test_create_update_delete_request_by_request(account):
    want = account.params(username='office1', password=SECRET, description='Office 1')
    check = vobiz.VOBIZ_CREDENTIAL.execute(want, check_mode=True, diff=True)
    assert check['changed'] and account.calls() == [LIST]
    assert account.stored('office1') is None
    account.clear()

    real = vobiz.VOBIZ_CREDENTIAL.execute(want, diff=True)
    assert account.calls() == [LIST, CREATE, UPDATE]
    assert real['diff'] == check['diff'] and real['changes'] == check['changes']
    assert real['changes'] == ['username', 'password', 'description']
    assert real['diff'] == dict(before={}, after=dict(username='office1', enabled=True, description='Office 1',
                                                      password='<hidden, sent>'))
    stored = account.stored('office1')
    assert stored['password'] == SECRET and stored['description'] == 'Office 1'
    assert real['credential']['id'] == stored['id'] and 'password' not in real['credential']
    bodies = [e.get('body') for e in account.log()]
    assert bodies[1] == {'username': 'office1', 'password': '***'} and bodies[2] == {'description': 'Office 1'}
    account.clear()

    again = vobiz.VOBIZ_CREDENTIAL.execute(want, diff=True)
    assert not again['changed'] and again['changes'] == [] and account.calls() == [LIST]
    assert again['diff']['before'] == again['diff']['after']
    account.clear()

    update = account.params(username='office1', enabled=False, description='Office 1 (closed)')
    check = vobiz.VOBIZ_CREDENTIAL.execute(update, check_mode=True, diff=True)
    assert check['changed'] and account.calls() == [LIST] and account.stored('office1')['enabled'] is True
    account.clear()
    real = vobiz.VOBIZ_CREDENTIAL.execute(update, diff=True)
    assert account.calls() == [LIST, UPDATE]
    assert account.log()[1]['body'] == {'enabled': False, 'description': 'Office 1 (closed)'}
    assert real['diff'] == check['diff'] and real['changes'] == ['enabled', 'description']
    assert check['credential'] == dict(real['credential'], updated_at=check['credential']['updated_at'])
    assert account.stored('office1')['password'] == SECRET
    account.clear()
    assert not vobiz.VOBIZ_CREDENTIAL.execute(update)['changed'] and account.calls() == [LIST]
    account.clear()

    gone = account.params(username='office1', state='absent')
    check = vobiz.VOBIZ_CREDENTIAL.execute(gone, check_mode=True, diff=True)
    assert check['changed'] and account.calls() == [LIST] and account.stored('office1')
    account.clear()
    real = vobiz.VOBIZ_CREDENTIAL.execute(gone, diff=True)
    assert real == check and account.calls() == [LIST, DELETE] and account.stored('office1') is None
    assert real['diff'] == dict(before=dict(username='office1', enabled=False, description='Office 1 (closed)'),
                                after={})
    account.clear()
    again = vobiz.VOBIZ_CREDENTIAL.execute(gone)
    assert again == dict(changed=False, changes=[], credential={}) and account.calls() == [LIST]


def test_create_without_follow_up_update_when_defaults_match(account):
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office2', password=SECRET, enabled=True))
    # a create lists every option set; the follow-up update goes out only for what differs
    assert result['changes'] == ['username', 'password', 'enabled'] and account.calls() == [LIST, CREATE]


def test_update_password_on_create_never_resends(account):
    account.app.add_credential('office3', 'Old-password-1')
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office3', password=SECRET))
    assert not result['changed'] and account.calls() == [LIST]
    assert account.stored('office3')['password'] == 'Old-password-1'


def test_update_password_always_rotates_on_every_run(account):
    account.app.add_credential('office4', SECRET)
    rotate = account.params(username='office4', password=NEW_SECRET, update_password='always')
    for attempt in range(2):
        account.clear()
        result = vobiz.VOBIZ_CREDENTIAL.execute(rotate, diff=True)
        assert result['changed'] and result['changes'] == ['password']
        assert result['diff']['after']['password'] == '<hidden, sent>' and 'password' not in result['diff']['before']
        assert account.calls() == [LIST, UPDATE] and account.log()[1]['body'] == {'password': '***'}, attempt
    assert account.stored('office4')['password'] == NEW_SECRET
    assert no_secret(result)


def test_absent_in_check_mode_and_diff_without_password(account):
    account.app.add_credential('office5', SECRET, description='x')
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office5', state='absent', password=SECRET),
                                            check_mode=True, diff=True)
    assert result['changed'] and 'password' not in json.dumps(result['diff']) and no_secret(result)


# --- variants of the API -------------------------------------------------------------

@pytest.mark.parametrize('options', [
    {'create_status': 200}, {'delete_status': 200}, {'total_key': 'total_count'}, {'null_objects': True},
    {'conflict_body': 'short'}, {'description': False}, {'extra_fields': True}, {'create_extra': 'accept'},
])
def test_every_variant_converges_the_same(account, options):
    account.app.options.update(options)
    want = account.params(username='office6', password=SECRET, enabled=False, description='Six')
    assert vobiz.VOBIZ_CREDENTIAL.execute(want)['changed']
    assert account.calls() == [LIST, CREATE, UPDATE]
    stored = account.stored('office6')
    assert (stored['enabled'], stored['description'], stored['password']) == (False, 'Six', SECRET)
    account.clear()
    again = vobiz.VOBIZ_CREDENTIAL.execute(want, diff=True)
    assert not again['changed'] and account.calls() == [LIST]
    account.clear()
    assert vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office6', state='absent'))['changed']
    assert account.calls() == [LIST, DELETE] and account.stored('office6') is None


def test_description_missing_from_answers_is_not_compared(account):
    account.app.options['description'] = False
    account.app.add_credential('office7', SECRET, description='set elsewhere')
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office7', description='mine'), diff=True)
    assert not result['changed'] and account.calls() == [LIST]
    assert 'description' not in result['diff']['before'] and 'description' not in result['credential']


def test_description_written_after_create_even_when_answers_lack_it(account):
    account.app.options['description'] = False
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office8', password=SECRET, description='Eight'))
    assert account.calls() == [LIST, CREATE, UPDATE] and account.stored('office8')['description'] == 'Eight'
    assert result['credential']['description'] == 'Eight'


def test_null_description_reads_as_empty(account):
    account.app.add_credential('office9', SECRET, description=None)
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office9', description=''))
    assert not result['changed']


@pytest.mark.parametrize('conflict_body', ['envelope', 'short'])
def test_conflict_on_create_adopts_the_credential(account, conflict_body):
    account.app.options.update(conflict_body=conflict_body, concurrent_create=1)
    want = account.params(username='office10', password=SECRET, enabled=False)
    result = vobiz.VOBIZ_CREDENTIAL.execute(want, diff=True)
    assert [e['status'] for e in account.log()] == [200, 409, 200, 200]
    assert account.calls() == [LIST, CREATE, LIST, UPDATE]
    assert result['changed'] and result['changes'] == ['enabled']
    assert result['diff']['before'] == dict(username='office10', enabled=True, description='')
    assert account.stored('office10')['enabled'] is False


def test_conflict_on_create_without_differences_is_not_a_change(account):
    account.app.options.update(concurrent_create=1)
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office11', password=SECRET))
    assert not result['changed'] and account.calls() == [LIST, CREATE, LIST]


def test_lowercase_account_path_is_served_too(account):
    account.app.add_credential('office12', SECRET)
    import requests
    answer = requests.get(account.url + '/api/v1/account/MA_SIMUL001/trunks/credentials',
                          headers={'X-Auth-ID': 'MA_SIMUL001', 'X-Auth-Token': TOKEN}, timeout=5)
    assert answer.status_code == 200 and answer.json()['objects'][0]['username'] == 'office12'
    vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office12'))
    assert all('/api/v1/Account/MA_SIMUL001/' in e['path'] for e in account.log()[1:])


def test_strict_update_names_the_missing_password(account):
    account.app.options['strict_update'] = True
    account.app.add_credential('office13', SECRET)
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office13', enabled=False))
    text = str(info.value)
    assert info.value.status == 422 and 'requires "password" on every update' in text
    assert 'update_password=always' in text and "'office13'" in text
    assert account.calls() == [LIST, UPDATE]
    account.clear()
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office13', enabled=False, password=SECRET,
                                                           update_password='always'))
    assert result['changes'] == ['enabled', 'password'] and account.stored('office13')['enabled'] is False


def test_delete_in_use_fails_saying_so(account):
    account.app.add_credential('office14', SECRET)
    account.app.options['in_use'] = ['office14']
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office14', state='absent'))
    assert info.value.status == 409 and 'in use by active calls' in str(info.value)
    assert str(info.value).startswith('DELETE %s/api/v1/Account/MA_SIMUL001/credentials/' % account.url)
    assert account.stored('office14') is not None


def test_delete_of_an_unknown_id_is_already_absent(account):
    account.app.add_credential('office15', SECRET)
    account.fault('status', status=404, method='DELETE')
    result = vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office15', state='absent'))
    assert result['changed'] is False and account.calls() == [LIST, DELETE]


# --- pagination ------------------------------------------------------------------------

@pytest.mark.parametrize('count, page_size, pages', [(0, 10, 1), (9, 10, 1), (10, 10, 1), (21, 10, 3), (30, 7, 5)])
@pytest.mark.parametrize('variant', [{}, {'total_key': 'total_count'}, {'null_objects': True}])
def test_pagination_stops_by_the_rules(account, count, page_size, pages, variant):
    account.app.options.update(variant)
    for index in range(count):
        account.app.add_credential('user%03d' % index, SECRET)
    found = vobiz.VOBIZ_CREDENTIAL_INFO.execute(account.params(vobiz.VOBIZ_CREDENTIAL_INFO.options.argument_spec(), page_size=page_size))
    assert [c['username'] for c in found['credentials']] == ['user%03d' % i for i in range(count)]
    queries = [e['query'] for e in account.log()]
    assert len(queries) == pages
    assert queries == [{'limit': str(page_size), 'offset': str(page_size * i)} for i in range(pages)]


def test_pagination_without_total_stops_at_a_short_or_empty_page(account):
    class Response:
        def __init__(self, body):
            self.content, self.body, self.status_code = b'x', body, 200

        def json(self):
            return self.body
    pages = [{'objects': [{'username': 'a'}, {'username': 'b'}]}, {'objects': [{'username': 'c'}]}]
    client = vobiz.VobizClient(account.params(page_size=2))
    client.http.request = lambda *args, **kwargs: Response(pages.pop(0))
    assert [o['username'] for o in client.list_objects('/trunks/credentials', 'username')] == ['a', 'b', 'c']
    assert pages == []


# --- input, errors, secrets ----------------------------------------------------------------

@pytest.mark.parametrize('values, message', [
    ({'password': 'short'}, 'password must be at least 8 characters'),
    ({'username': ''}, 'username must be 1 to 255 of the characters Vobiz allows'),
    ({'username': 'a/b'}, 'username must be 1 to 255 of the characters Vobiz allows'),
    ({'username': 'lobby 1'}, 'no spaces, other symbols or line breaks'),
    ({'username': 'lobby1\n'}, 'no spaces, other symbols or line breaks'),
    ({'username': 'lobby\t1'}, 'no spaces, other symbols or line breaks'),
    ({'username': 'lobbyé1'}, 'ASCII letters, digits'),
    ({'username': 'lobby\u0661'}, 'ASCII letters, digits'),
    ({'username': 'a' * 5000}, 'username must be 1 to 255'),
    ({'update_password': 'always'}, 'update_password=always needs a password'),
    ({'page_size': 0}, 'page_size must be at least 1'),
    ({'auth_id': 'MA/../x'}, 'auth_id must be'),
    ({'api_url': 'api.vobiz.ai'}, 'api_url must be an http:// or https:// URL'),
    ({'api_url': 'ftp://api.vobiz.ai'}, 'api_url must be an http:// or https:// URL'),
])
def test_bad_input_fails_before_any_request(account, values, message):
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(**dict(dict(username='office16'), **values)))
    assert message in str(info.value) and account.log() == []


def test_create_without_password_fails_after_the_read_only(account):
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office17', enabled=True))
    assert 'must be created, but no "password" was given' in str(info.value) and account.calls() == [LIST]


@pytest.mark.parametrize('header', ['auth_token', 'auth_id'])
def test_wrong_credentials_are_a_clear_401_without_secrets(account, header):
    wrong = 'wrong-token-999' if header == 'auth_token' else 'MA_OTHER001'
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office18', **{header: wrong}))
    assert info.value.status == 401 and info.value.code == 'UNAUTHORIZED'
    assert 'wrong-token-999' not in str(info.value) and TOKEN not in str(info.value)


def test_server_validation_errors_name_fields_but_never_values(account):
    client = vobiz.VobizClient(account.params())
    with pytest.raises(ApiError) as info:
        client.create_credential('office19', 'Short1')  # below the API's minimum: the server's 422 echoes the value
    assert info.value.status == 422 and info.value.code == 'VALIDATION_ERROR'
    assert 'password: Password must be at least 8 characters' in str(info.value)
    assert 'Short1' not in str(info.value)
    assert account.log()[0]['body'] == {'username': 'office19', 'password': '***'}


def test_half_done_create_converges_on_the_next_run(account):
    account.fault('status', status=503, method='PUT', count=2)
    want = account.params(username='office20', password=SECRET, enabled=False, description='Twenty')
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(want)
    assert info.value.status == 503 and 'gave up after 1 retries' in str(info.value)
    assert account.calls() == [LIST, CREATE, UPDATE, UPDATE] and account.stored('office20')['enabled'] is True
    # what was done is reported (changed, the created credential), what was not is the failure
    failed = info.value.to_result()
    assert failed['changed'] is True and failed['credential']['username'] == 'office20'
    assert "credential 'office20' was created, but setting description and enabled failed" in failed['msg']
    assert SECRET not in json.dumps(failed)
    account.clear()
    result = vobiz.VOBIZ_CREDENTIAL.execute(want)
    assert result['changed'] and result['changes'] == ['enabled', 'description'] and account.calls() == [LIST, UPDATE]
    account.clear()
    assert not vobiz.VOBIZ_CREDENTIAL.execute(want)['changed'] and account.calls() == [LIST]


def test_429_is_retried_then_given_up_with_a_clear_error(account):
    account.fault('status', status=429, retry_after=0, method='GET')
    assert vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office21', password=SECRET))['changed']
    assert [e['status'] for e in account.log()] == [429, 200, 201]
    account.clear()
    account.fault('status', status=429, count=5)
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office21', retries=2, retry_max_wait=5))
    assert info.value.status == 429 and info.value.code == 'RATE_LIMIT_EXCEEDED'
    assert 'rate limited, gave up after 2 retries' in str(info.value)
    assert len(account.log()) == 3
    account.clear()
    with account.simulator.lock:
        account.simulator.faults.clear()
    account.fault('status', status=429, retry_after=120, count=5)
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office21', retry_max_wait=5))
    assert 'Retry-After 120s' in str(info.value) and len(account.log()) == 1


def test_dropped_create_is_not_resent_and_the_rerun_converges(account):
    account.fault('drop', method='POST')
    with pytest.raises(ApiError, match='not resent: the POST may have reached the server'):
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office22', password=SECRET))
    assert account.calls() == [LIST, CREATE] and account.stored('office22') is None
    account.clear()
    assert vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office22', password=SECRET))['changed']
    assert account.calls() == [LIST, CREATE] and account.stored('office22')


def test_inactive_account_fails_with_its_code(account):
    account.app.options['active'] = False
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office23'))
    assert info.value.status == 403 and info.value.code == 'ACCOUNT_INACTIVE'


def test_no_secret_in_results_diffs_or_errors(account):
    results = [vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office24', password=SECRET), diff=True),
               vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office24', password=NEW_SECRET,
                                                             update_password='always'), diff=True)]
    account.app.options['in_use'] = ['office24']
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL.execute(account.params(username='office24', state='absent', password=SECRET))
    assert no_secret(results, str(info.value), info.value.to_result())
    assert '<redacted>' not in json.dumps(results)
    assert all(re.sub(r'"password": "\*\*\*"', '', json.dumps(e)).count(SECRET) == 0 for e in account.log())
