# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils.engine import (
    MASK, MASK_SENT, Field, build_diff, changed_fields, desired_state, ensure_state, mask_secrets,
    simulate_update,
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


def test_ensure_state_returns_current_when_converged():
    changes, after = ensure_state(FIELDS, {'name': 'a', 'secret': 's3'}, CURRENT)
    assert changes == [] and after is CURRENT


def test_ensure_state_sends_secret_with_any_change():
    changes, after = ensure_state(FIELDS, {'name': 'b', 'secret': 's3'}, CURRENT)
    assert changes == ['name'] and after['secret'] == 's3'


def test_ensure_state_always_counts_secret_as_change():
    changes, after = ensure_state(FIELDS, {'secret': 's3'}, CURRENT, update_secrets='always')
    assert changes == ['secret'] and after['secret'] == 's3'
    assert ensure_state(FIELDS, {'name': 'a'}, CURRENT, update_secrets='always')[0] == []


def test_mask_secrets_and_diff_never_show_secret_values():
    after = simulate_update(CURRENT, {'secret': 'hunter22', 'name': 'b'})
    assert mask_secrets(FIELDS, after)['secret'] == MASK
    diff = build_diff(FIELDS, CURRENT, after, secrets_sent=True)
    assert diff['before']['secret'] == MASK and diff['after']['secret'] == MASK_SENT
    quiet = build_diff(FIELDS, CURRENT, CURRENT)
    assert 'secret' not in quiet['before'] and 'secret' not in quiet['after']
    assert 'hunter22' not in repr(diff) and 'WebPass' not in repr(diff) and 'WebPass' not in repr(quiet)
