# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""remove_secrets masks exactly what Ansible's remove_values masks, in linear time."""

from __future__ import annotations

import random

import pytest

from ansible.module_utils.common.parameters import remove_values
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import remove_secrets

CASES = [
    ({'password': 'Trunk-secret-1', 'url': 'https://u:Trunk-secret-1@host/x'}, {'Trunk-secret-1'}),
    ({'a': ['abc', 'xabcx', 'ab', 'a'], 'b': {'c': 'abcabc'}}, {'abc', 'ab'}),  # short and overlapping
    ({'n': 12345, 'f': 1.5, 't': True, 'none': None, 's': '123456'}, {'2345', '1.5', 'True'}),
    ({'m': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'x': 'pass word'}, {'word', 'pass word'}),
    ({'unicode': 'Пароль-1 и Пароль-1', 'quote': 'a"b\\c'}, {'Пароль-1', 'a"b\\c'}),
    ({'list': [['deep', {'deeper': 'zz-secret-zz'}]], 'empty': ''}, {'secret'}),
    ({'nothing': 'here'}, set()),
]


def ordered(secrets):
    """Secrets as remove_values tries them (longest first), equal lengths in a fixed order."""
    return sorted((s for s in secrets if s), key=lambda s: (-len(s), s))


@pytest.mark.parametrize('value, secrets', CASES)
def test_same_as_remove_values(value, secrets):
    assert remove_secrets(value, secrets) == remove_values(value, ordered(secrets))


def test_an_empty_secret_masks_nothing():
    assert remove_secrets({'a': 'abc', 'b': ''}, {''}) == {'a': 'abc', 'b': ''}


def test_same_as_remove_values_on_random_data():
    rng = random.Random(7)
    alphabet = 'abcXYZ-_01'

    def word(longest):
        return ''.join(rng.choice(alphabet) for _char in range(rng.randint(0, longest)))
    for _case in range(300):
        secrets = set(word(6) or 'a' for _secret in range(rng.randint(0, 8)))
        words = list(secrets) + [word(12) for _word in range(10)]
        value = dict(('k%d' % i, rng.choice([rng.choice(words), rng.choice(words) + rng.choice(words),
                                             [rng.choice(words), {'x': rng.choice(words)}], rng.randint(0, 99)]))
                     for i in range(8))
        assert remove_secrets(value, secrets) == remove_values(value, ordered(secrets)), (value, secrets)


def test_a_thousand_secrets():
    """A credential set of 1,000 users (its speed is measured by benchmarks, not here)."""
    secrets = set('Trunk-pass-%04d' % i for i in range(1000))
    value = dict(credentials=[dict(username='user%04d' % i, password='Trunk-pass-%04d' % i, note='n %d' % i)
                              for i in range(1000)])
    masked = remove_secrets(value, secrets)
    assert all(c['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' for c in masked['credentials'])
    assert not any(s in repr(masked) for s in secrets)
    assert masked == remove_values(value, secrets)
