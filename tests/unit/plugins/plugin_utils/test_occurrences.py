# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""occurring finds exactly the needles that occur, with few needles and with many."""

from __future__ import annotations

import random

import pytest

from ansible_collections.sipfleet.provision.plugins.plugin_utils._occurrences import FEW, occurring, occurring_in


@pytest.mark.parametrize('count', [0, 1, FEW, FEW + 1, 300])
def test_the_same_needles_as_looking_for_each(count):
    rng = random.Random(count)
    alphabet = 'abcXY-\x000'

    def word(shortest, longest):
        return ''.join(rng.choice(alphabet) for _char in range(rng.randint(shortest, longest)))
    for _case in range(50):
        needles = set(word(1, 7) for _needle in range(count))
        text = word(0, 400) + ''.join(rng.sample(sorted(needles), min(3, len(needles))))
        assert occurring(needles, text) == set(n for n in needles if n in text)


def test_occurring_in_reads_every_string_and_number_and_keys_when_asked():
    value = {'key-secret': ['a', {'b': 'xx-pass-xx'}], 'n': 40123, 'flag': True}
    needles = set('pass-%d' % i for i in range(FEW)) | {'pass', '0123', 'True', 'key-secret'}
    assert occurring_in(needles, value) == {'pass', '0123', 'True'}
    assert occurring_in(needles, value, keys=True) == {'pass', '0123', 'True', 'key-secret'}
