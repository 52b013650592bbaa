# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_credential_set's and vobiz_credential_info's logic against the Vobiz simulator.

Includes the request-count measurement: a set of 500 credentials converges with
ceil(500 / page_size) list requests plus one request per change.
"""

from __future__ import annotations

import json
import math

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils import _query as query
from ansible_collections.sipfleet.provision.plugins.module_utils import _vobiz as vobiz
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
# account and simulator are the fixtures of test_vobiz.py
from ansible_collections.sipfleet.provision.tests.unit.plugins.module_utils.test_vobiz import (  # noqa: F401 pylint: disable=unused-import
    CREATE, DELETE, LIST, NEW_SECRET, SECRET, UPDATE, account, no_secret, simulator,
)


def set_params(account, credentials, **values):
    return account.params(vobiz.VOBIZ_CREDENTIAL_SET.options.argument_spec(), credentials=[
        dict(dict(password=None, enabled=None, description=None), **item) for item in credentials], **values)


def fleet(count, prefix='fleet1', **values):
    return [dict(username='%s%04d' % (prefix, index), password='Pw-%s%04d' % (prefix, index), **values)
            for index in range(count)]


def test_set_create_converge_update_purge(account):
    account.app.add_credential('other1', SECRET)
    wanted = [dict(username='fleet1a', password=SECRET), dict(username='fleet1b', password=SECRET, enabled=False),
              dict(username='fleet1c', password=SECRET, description='C')]
    params = set_params(account, wanted, purge=True, purge_prefix='fleet1')
    check = vobiz.VOBIZ_CREDENTIAL_SET.execute(params, check_mode=True, diff=True)
    assert check['added'] == ['fleet1a', 'fleet1b', 'fleet1c'] and check['changed']
    assert account.calls() == [LIST] and account.stored('fleet1a') is None
    account.clear()

    real = vobiz.VOBIZ_CREDENTIAL_SET.execute(params, diff=True)
    assert account.calls() == [LIST, CREATE, CREATE, UPDATE, CREATE, UPDATE]
    assert real['diff'] == check['diff']
    for key in ('added', 'updated', 'removed', 'untouched'):
        assert real[key] == check[key]
    assert real['diff']['after']['fleet1b'] == dict(username='fleet1b', enabled=False, description='',
                                                    password='<hidden, sent>')
    assert [c['username'] for c in real['credentials']] == ['fleet1a', 'fleet1b', 'fleet1c']
    assert all(c.get('id') for c in real['credentials']) and no_secret(real)
    account.clear()

    again = vobiz.VOBIZ_CREDENTIAL_SET.execute(params, diff=True)
    assert not again['changed'] and again['untouched'] == ['fleet1a', 'fleet1b', 'fleet1c']
    assert account.calls() == [LIST]
    account.clear()

    account.app.add_credential('fleet1old', SECRET)
    changed = [dict(username='fleet1a', password=SECRET, enabled=False), wanted[1]]
    params = set_params(account, changed, purge=True, purge_prefix='fleet1')
    check = vobiz.VOBIZ_CREDENTIAL_SET.execute(params, check_mode=True, diff=True)
    assert account.calls() == [LIST]
    account.clear()
    real = vobiz.VOBIZ_CREDENTIAL_SET.execute(params, diff=True)
    assert (real['added'], real['updated'], real['removed'], real['untouched']) == \
        ([], ['fleet1a'], ['fleet1c', 'fleet1old'], ['fleet1b'])
    assert real['diff'] == check['diff'] and real['diff']['after'].get('fleet1c') is None
    assert account.calls() == [LIST, UPDATE, DELETE, DELETE]
    assert account.stored('other1') is not None and account.stored('fleet1c') is None
    account.clear()
    assert not vobiz.VOBIZ_CREDENTIAL_SET.execute(params)['changed'] and account.calls() == [LIST]


def test_purge_never_leaves_its_scope(account):
    for name in ('fleet10001', 'fleet2x', 'Fleet1y', 'xfleet1'):
        account.app.add_credential(name, SECRET)
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, [], purge=True, purge_prefix='fleet1'))
    assert result['removed'] == ['fleet10001']
    assert sorted(c['username'] for c in account.app.credentials.values()) == ['Fleet1y', 'fleet2x', 'xfleet1']


def test_without_purge_nothing_is_deleted(account):
    account.app.add_credential('fleet1z', SECRET)
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, [], purge_prefix='fleet1'))
    assert not result['changed'] and account.calls() == [LIST] and account.stored('fleet1z')


@pytest.mark.parametrize('values, message', [
    (dict(purge=True), 'purge needs purge_prefix'),
    (dict(purge=True, purge_prefix=''), 'purge_prefix must not be empty'),
    (dict(purge_prefix='fleet2'), "outside purge_prefix 'fleet2' cannot be managed by this set: fleet1a"),
    (dict(credentials=[dict(username='fleet1a', password=SECRET)] * 2), 'repeated: fleet1a'),
    (dict(credentials=[dict(username='fleet1a', password='short')]), "credentials[0].password must be at least 8"),
    (dict(credentials=[dict(username='fleet1a')], update_password='always'), 'update_password=always needs'),
])
def test_set_bad_input_fails_before_any_request(account, values, message):
    credentials = values.pop('credentials', [dict(username='fleet1a', password=SECRET)])
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, credentials, **values))
    assert message in str(info.value) and account.log() == []


def test_missing_passwords_fail_before_any_write(account):
    account.app.add_credential('fleet1a', SECRET)
    wanted = [dict(username='fleet1a', enabled=False), dict(username='fleet1b'), dict(username='fleet1c')]
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted))
    assert 'need a password: fleet1b, fleet1c' in str(info.value) and account.calls() == [LIST]


def test_set_always_sends_every_password(account):
    vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, [dict(username='fleet1a', password=SECRET)]))
    account.clear()
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(
        account, [dict(username='fleet1a', password=NEW_SECRET)], update_password='always'), diff=True)
    assert result['updated'] == ['fleet1a'] and account.calls() == [LIST, UPDATE]
    assert account.stored('fleet1a')['password'] == NEW_SECRET and no_secret(result)


def test_set_conflicts_adopt_with_one_list_walk_per_conflict(account):
    account.app.options['concurrent_create'] = 2
    wanted = [dict(username='fleet1a', password=SECRET), dict(username='fleet1b', password=SECRET, enabled=False)]
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted))
    assert account.calls() == [LIST, CREATE, LIST, CREATE, LIST, UPDATE]
    assert result['untouched'] == ['fleet1a'] and result['updated'] == ['fleet1b'] and result['added'] == []


def test_set_half_done_run_converges(account):
    account.fault('status', status=503, method='PUT', count=2)
    params = set_params(account, [dict(username='fleet1a', password=SECRET, description='A')])
    with pytest.raises(ApiError):
        vobiz.VOBIZ_CREDENTIAL_SET.execute(params)
    account.clear()
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(params)
    assert result['updated'] == ['fleet1a'] and account.calls() == [LIST, UPDATE]


# --- request counts: the measurement ------------------------------------------------------

@pytest.mark.parametrize('page_size', [100, 50, 37])
def test_500_credentials_converge_with_pages_plus_one_request_per_change(account, page_size):
    pages = math.ceil(500 / page_size)
    wanted = fleet(500)
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted, page_size=page_size))
    assert len(result['added']) == 500 and account.calls() == [LIST] + [CREATE] * 500
    account.clear()

    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted, page_size=page_size))
    assert len(result['untouched']) == 500 and account.calls() == [LIST] * pages
    account.clear()

    # 40 disabled, 10 described, 5 deleted out of band (re-created: POST + PUT for the described one)
    for item in wanted[:40]:
        item['enabled'] = False
    for item in wanted[40:50]:
        item['description'] = 'site %s' % item['username']
    for item in wanted[45:50]:
        account.app.credentials.pop(account.stored(item['username'])['id'])
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted, page_size=page_size))
    assert (len(result['updated']), len(result['added'])) == (45, 5)
    assert sorted(account.calls()) == sorted([LIST] * math.ceil(495 / page_size) + [UPDATE] * 45 + [CREATE, UPDATE] * 5)
    account.clear()

    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted[:450], page_size=page_size,
                                                           purge=True, purge_prefix='fleet1'))
    assert len(result['removed']) == 50 and account.calls() == [LIST] * pages + [DELETE] * 50
    account.clear()
    vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted[:450], page_size=page_size, purge=True,
                                                  purge_prefix='fleet1'))
    assert account.calls() == [LIST] * math.ceil(450 / page_size)


# --- vobiz_credential_info -------------------------------------------------------------------

def info_params(account, **values):
    return account.params(vobiz.VOBIZ_CREDENTIAL_INFO.options.argument_spec(), **values)


def test_info_lists_all_or_one_without_passwords(account):
    account.app.options['extra_fields'] = True
    for name in ('a1', 'b2', 'c3'):
        account.app.add_credential(name, SECRET, enabled=name != 'b2')
    every = vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account), check_mode=True)
    assert [c['username'] for c in every['credentials']] == ['a1', 'b2', 'c3'] and not every['changed']
    assert all('password' not in c for c in every['credentials']) and no_secret(every)
    assert every['credentials'][0]['labels'] == {'source': 'simulator'}
    one = vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, username='b2'))
    assert [c['username'] for c in one['credentials']] == ['b2']
    assert vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, username='zz'))['credentials'] == []
    assert account.calls() == [LIST] * 3


def test_info_query_selects_with_jmespath(account):
    for name in ('a1', 'b2', 'c3'):
        account.app.add_credential(name, SECRET, enabled=name != 'b2')
    result = vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, query='[?enabled==`false`].username'))
    assert result['query_result'] == ['b2'] and len(result['credentials']) == 3
    assert vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, query='length(@)'))['query_result'] == 3


def test_info_bad_query_fails_before_any_request(account):
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, query='[?enabled=='))
    assert 'query is not a valid JMESPath expression' in str(info.value) and account.log() == []


def test_info_without_jmespath_says_which_library(account, monkeypatch):
    monkeypatch.setattr(query, 'HAS_JMESPATH', False)
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account, query='[].username'))
    assert 'jmespath' in str(info.value) and account.log() == []
    assert vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account))['credentials'] == []


def test_results_are_plain_json(account):
    account.app.add_credential('a1', SECRET)
    for result in (vobiz.VOBIZ_CREDENTIAL_INFO.execute(info_params(account)),
                   vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, [dict(username='a1')]), diff=True)):
        assert json.loads(json.dumps(result)) == result


def test_set_failure_after_writes_reports_what_was_done(account):
    account.fault('status', status=503, method='PUT', count=2)
    wanted = [dict(username='fleet1a', password=SECRET), dict(username='fleet1b', password=SECRET, enabled=False),
              dict(username='fleet1c', password=SECRET)]
    with pytest.raises(ApiError) as info:
        vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted))
    failed = info.value.to_result()
    assert failed['changed'] is True and failed['added'] == ['fleet1a', 'fleet1b']
    assert "credential 'fleet1b' was created, but setting enabled failed" in failed['msg']
    assert account.calls() == [LIST, CREATE, CREATE, UPDATE, UPDATE] and account.stored('fleet1c') is None
    assert no_secret(failed)
    account.clear()
    rerun = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted))
    assert rerun['updated'] == ['fleet1b'] and rerun['added'] == ['fleet1c']
    assert account.stored('fleet1b')['enabled'] is False


def test_resend_password_sends_the_named_passwords_only(account):
    account.app.add_credential('fleet1a', SECRET)
    account.app.add_credential('fleet1b', SECRET)
    wanted = [dict(username='fleet1a', password=NEW_SECRET), dict(username='fleet1b', password=NEW_SECRET)]
    result = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted, resend_password=['fleet1b']), diff=True)
    assert result['changed'] and result['updated'] == ['fleet1b'] and result['untouched'] == ['fleet1a']
    assert account.calls() == [LIST, UPDATE]
    assert account.stored('fleet1b')['password'] == NEW_SECRET and account.stored('fleet1a')['password'] == SECRET
    assert no_secret(result)
    account.clear()
    again = vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted), diff=True)
    assert not again['changed'] and account.calls() == [LIST]


def test_resend_password_names_listed_credentials_with_a_password(account):
    wanted = [dict(username='fleet1a')]
    with pytest.raises(Exception) as failure:
        vobiz.VOBIZ_CREDENTIAL_SET.execute(set_params(account, wanted, resend_password=['fleet1a', 'fleet1z']))
    assert 'resend_password needs a password' in str(failure.value)
    assert 'resend_password names credentials that are not listed: fleet1z' in str(failure.value)
    assert account.calls() == []
