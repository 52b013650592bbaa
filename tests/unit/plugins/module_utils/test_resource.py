# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sipfleet.provision.plugins.module_utils._http import InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    MASK, MASK_SENT, Adapter, Exists, Field, Options, WouldFail, build_diff, changed_fields, desired_state, ensure,
    plan_update, mask_secrets, simulate_update,
)

FIELDS = (
    Field('name'),
    Field('secret', write_only=True),
    Field('mode', normalise=str.lower),
    Field('net', children=(Field('ip'), Field('port', normalise=int))),
    Field('note', absent_is_unknown=True),
    Field('id', read_only=True),
)
CURRENT = {'id': 7, 'name': 'a', 'secret': 'WebPass', 'mode': 'UDP', 'net': {'ip': '1.2.3.4', 'port': '5060'},
           'extra': 'kept'}


def test_desired_state_keeps_only_what_the_user_set():
    params = {'name': 'a', 'secret': None, 'mode': None, 'net': {'ip': None, 'port': 5060}, 'id': 9, 'other': 1}
    assert desired_state(FIELDS, params) == {'name': 'a', 'net': {'port': 5060}}
    assert desired_state(FIELDS, {'net': {'ip': None, 'port': None}}) == {}


def test_compare_normalises_both_sides_and_skips_write_only():
    desired = {'name': 'a', 'secret': 'x', 'mode': 'udp', 'net': {'port': 5060}}
    assert changed_fields(FIELDS, desired, CURRENT) == []
    assert changed_fields(FIELDS, {'net': {'ip': '9.9.9.9', 'port': 5061}}, CURRENT) == ['net.ip', 'net.port']


def test_absent_is_unknown_and_missing_values_differ():
    assert changed_fields(FIELDS, {'note': 'x'}, CURRENT) == []
    assert changed_fields(FIELDS, {'note': 'x'}, dict(CURRENT, note='y')) == ['note']
    assert changed_fields(FIELDS, {'mode': 'tcp'}, {}) == ['mode']
    assert changed_fields(FIELDS, {'net': {'port': 1}}, {'net': None}) == ['net.port']


def test_simulate_update_merges_deeply_without_touching_current():
    after = simulate_update(CURRENT, {'net': {'port': 1}, 'name': 'b'})
    assert after['net'] == {'ip': '1.2.3.4', 'port': 1}
    assert after['name'] == 'b' and after['extra'] == 'kept'
    assert CURRENT['net']['port'] == '5060'


def test_plan_update_returns_current_when_converged():
    changes, after = plan_update(FIELDS, {'name': 'a', 'secret': 's3'}, CURRENT)
    assert changes == [] and after is CURRENT


def test_plan_update_sends_secret_with_any_change():
    changes, after = plan_update(FIELDS, {'name': 'b', 'secret': 's3'}, CURRENT)
    assert changes == ['name'] and after['secret'] == 's3'


def test_plan_update_always_counts_secret_as_change():
    changes, after = plan_update(FIELDS, {'secret': 's3'}, CURRENT, update_secrets='always')
    assert changes == ['secret'] and after['secret'] == 's3'
    assert plan_update(FIELDS, {'name': 'a'}, CURRENT, update_secrets='always')[0] == []


def test_mask_secrets_and_diff_never_show_secret_values():
    after = simulate_update(CURRENT, {'secret': 'hunter22', 'name': 'b'})
    assert mask_secrets(FIELDS, after)['secret'] == MASK
    diff = build_diff(FIELDS, CURRENT, after, sent=('secret',))
    assert diff['before']['secret'] == MASK and diff['after']['secret'] == MASK_SENT
    quiet = build_diff(FIELDS, CURRENT, CURRENT)
    assert 'secret' not in quiet['before'] and 'secret' not in quiet['after']
    assert 'hunter22' not in repr(diff) and 'WebPass' not in repr(diff) and 'WebPass' not in repr(quiet)


# --- options from the field table ---------------------------------------------------------
def _even(name, value):
    return None if value % 2 == 0 else '%s must be even' % name


OPTION_FIELDS = (
    Field('url', required=True, env=['THING_URL'], control=True),
    Field('token', no_log=True, control=True),
    Field('flag', no_log=False, choices=['a', 'b'], default='a', control=True),
    Field('count', type='int', validate=_even),
    Field('net', type='dict', children=(Field('port', type='int', validate=_even),)),
    Field('id', read_only=True),
)


def test_argument_spec_is_derived_from_the_field_table():
    spec = Options(OPTION_FIELDS, extra=dict(timeout=dict(type='float', default=10))).argument_spec()
    assert spec == dict(
        url=dict(type='str', required=True, fallback=(env_fallback, ['THING_URL'])),
        token=dict(type='str', no_log=True),
        flag=dict(type='str', choices=['a', 'b'], default='a', no_log=False),
        count=dict(type='int'),
        net=dict(type='dict', options=dict(port=dict(type='int'))),
        timeout=dict(type='float', default=10),
    )


def test_rules_reach_the_validator_and_input_checks_name_the_option():
    options = Options(OPTION_FIELDS, required_together=[['count', 'net']], mutually_exclusive=[])
    assert options.validator_kwargs()['required_together'] == [['count', 'net']]
    assert 'mutually_exclusive' not in options.validator_kwargs()
    result = ArgumentSpecValidator(**options.validator_kwargs()).validate(dict(url='http://x', count=2))
    assert 'parameters are required together: count, net' in result.errors.msg
    with pytest.raises(InputError) as info:
        options.check(dict(url='http://x', count=3, net=dict(port=5)))
    assert str(info.value) == 'count must be even; net.port must be even'
    assert info.value.to_result() == dict(msg='count must be even; net.port must be even')
    options.check(dict(url='http://x', count=None, net=None))


# --- ensure(): the lifecycle ------------------------------------------------------------------
class Things(Adapter):
    """An in-memory service: one object per name, the log of what was called."""

    fields = (Field('name'), Field('secret', write_only=True), Field('size', type='int', service_default=1),
              Field('state', control=True))
    result_key = 'thing'

    def __init__(self, store=None, conflict=False):
        self.store, self.calls, self.conflict = dict(store or {}), [], conflict

    def find(self, params):
        self.calls.append('find')
        found = self.store.get(params['name'])
        return dict(found) if found else None

    def create(self, desired):
        self.calls.append('create')
        if self.conflict:
            self.conflict = False
            self.store[desired['name']] = dict(name=desired['name'], size=7)
            raise Exists()
        self.store[desired['name']] = dict(self.simulate_create(desired), id=1)
        return dict(self.store[desired['name']])

    def update(self, current, after, changes):
        self.calls.append('update %s' % ','.join(changes))
        self.store[current['name']] = after
        return after

    def delete(self, current):
        self.calls.append('delete')
        del self.store[current['name']]


def test_ensure_creates_in_check_mode_exactly_like_a_real_run():
    params = dict(name='a', secret='S3cret!', size=None)
    predicted = ensure(Things(), params, check_mode=True, diff=True)
    service = Things()
    real = ensure(service, params, diff=True)
    assert service.calls == ['find', 'create']
    assert predicted['thing'] == dict(name='a', secret=MASK, size=1)
    assert real['thing'] == dict(predicted['thing'], id=1)
    assert real['changed'] and real['changes'] == predicted['changes'] == ['name', 'secret']
    assert real['diff']['after']['secret'] == MASK_SENT and real['diff']['before'] == {}
    assert 'S3cret!' not in repr(real) + repr(predicted)


def test_ensure_adopts_on_conflict_and_updates():
    service = Things(conflict=True)
    result = ensure(service, dict(name='a', secret=None, size=3))
    assert service.calls == ['find', 'create', 'find', 'update size']
    assert result['changed'] and result['thing'] == dict(name='a', size=3)


def test_ensure_converged_and_absent():
    service = Things(store=dict(a=dict(name='a', size=3)))
    assert ensure(service, dict(name='a', size=3, secret='x')) == dict(changed=False, changes=[], thing=dict(name='a', size=3))
    assert ensure(service, dict(name='a'), check_mode=True, state='absent')['changed']
    assert service.store
    result = ensure(service, dict(name='a'), state='absent', diff=True)
    assert result['changed'] and result['thing'] == {} and result['diff'] == dict(before=dict(name='a', size=3), after={})
    assert ensure(service, dict(name='a'), state='absent') == dict(changed=False, changes=[], thing={})
    assert service.calls == ['find', 'find', 'find', 'delete', 'find']


class Strict(Things):
    def check(self, current, after, changes, desired):
        if not desired.get('secret'):
            raise WouldFail('a write needs "secret"')


def test_would_fail_warns_in_check_mode_and_fails_a_real_run():
    service = Strict(store=dict(a=dict(name='a', size=3)))
    result = ensure(service, dict(name='a', size=4), check_mode=True)
    assert result['changed'] and result['warnings'] == ['A real run would fail: a write needs "secret"']
    with pytest.raises(WouldFail):
        ensure(service, dict(name='a', size=4))
    assert service.store['a']['size'] == 3


# --- a field kept apart, an object no option sets ----------------------------------------------
class Switched(Adapter):
    """A settings object written whole with a password, and a switch behind its own endpoint."""

    fields = (Field('name'), Field('secret', write_only=True), Field('on', type='bool', option='enabled', apart=True))
    result_key, whole_object = 'settings', True

    def __init__(self, current):
        self.current, self.writes = current, []

    def find(self, params):
        return dict(self.current)

    def update(self, current, after, changes):
        self.writes.extend(['object'] if [c for c in changes if c != 'on'] else [])
        self.writes.extend(['switch'] if 'on' in changes else [])
        return after


def test_a_field_kept_apart_is_beside_the_object_and_in_the_diff_only_when_it_changes():
    adapter = Switched(dict(name='a', on=False))
    switched = ensure(adapter, dict(name='a', secret='s3cret', enabled=True), diff=True)
    assert switched['changes'] == ['enabled'] and switched['on'] is True and switched['settings'] == dict(name='a', secret=MASK)
    assert switched['diff'] == dict(before=dict(name='a', on=False), after=dict(name='a', on=True))
    assert adapter.writes == ['switch']
    renamed = ensure(Switched(dict(name='a', on=True)), dict(name='b', secret='s3cret', enabled=True), diff=True)
    assert renamed['changes'] == ['name'] and renamed['on'] is True
    assert renamed['diff'] == dict(before=dict(name='a'), after=dict(name='b', secret=MASK_SENT))
    assert 'on' not in ensure(Switched(dict(name='a', on=True)), dict(name='a'))


class Token(Adapter):
    fields, result_key, settable = (Field('token', read_only=True), Field('ttl', read_only=True)), None, False

    def __init__(self):
        self.revoked = []

    def find(self, params):
        return dict(token=params.get('token') or 'new', ttl=60)

    def delete(self, current):
        self.revoked.append(current['token'])


def test_an_object_no_option_sets_has_its_keys_at_the_top_and_no_changes_nor_diff():
    token = Token()
    assert ensure(token, dict(token=None), diff=True) == dict(changed=False, token='new', ttl=60)
    assert ensure(token, dict(token='old'), check_mode=True, diff=True, state='absent') == dict(changed=True)
    assert token.revoked == []
    assert ensure(token, dict(token='old'), state='absent') == dict(changed=True) and token.revoked == ['old']
