# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Items shared between this process and forked ones."""

from __future__ import annotations

import os
import pickle

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils import _processes


def pids_and_doubles(share):
    return [(os.getpid(), item * 2) for item in share]


@pytest.mark.parametrize('processes', [1, 2, 3])
def test_every_item_once_each_share_in_its_process(processes):
    done = _processes.map_shares(pids_and_doubles, list(range(10)), processes)
    assert sorted(value for _pid, value in done) == [item * 2 for item in range(10)]
    pids = set(pid for pid, _value in done)
    assert len(pids) == processes and os.getpid() in pids
    assert [value for pid, value in done if pid == os.getpid()] == [item * 2 for item in range(0, 10, processes)]


def test_a_failing_child_raises_here():
    def fail_in_children(share):
        if share[0] != 0:
            raise ValueError('bad share')
        return list(share)
    with pytest.raises(RuntimeError, match='bad share'):
        _processes.map_shares(fail_in_children, list(range(4)), 2)


def test_process_count(monkeypatch):
    monkeypatch.setattr(_processes.os, 'sched_getaffinity', lambda pid: {0, 1}, raising=False)
    assert _processes.process_count(list(range(1000)), 100) == 2
    assert _processes.process_count(list(range(150)), 100) == 1
    monkeypatch.setattr(_processes.os, 'sched_getaffinity', lambda pid: set(range(16)), raising=False)
    assert _processes.process_count(list(range(1000)), 100) == _processes.MAX_PROCESSES
    monkeypatch.delattr(_processes.os, 'fork')
    assert _processes.process_count(list(range(1000)), 100) == 1


class _Tagged(str):
    """A str subclass, as a tagged or unsafe string of Ansible is."""


def test_shared_strings_one_object_for_each_distinct_string():
    panels = dict(('panel-%03d' % n, dict(realm=''.join(['realm.', 'example']), transport=''.join(['u', 'dp']),
                                          user='user%03d' % n, port=5060, stun=[''.join(['stun.', 'example'])]))
                  for n in range(50))
    tagged = _Tagged('realm.example')
    value = dict(panels=panels, tagged=tagged, flag=True)
    shared = _processes.shared_strings(value)
    assert shared == value
    realms = set(id(p['realm']) for p in shared['panels'].values())
    stuns = set(id(p['stun'][0]) for p in shared['panels'].values())
    assert len(realms) == 1 and len(stuns) == 1
    assert len(set(id(p['realm']) for p in panels.values())) == 50  # the input is not changed
    assert shared['tagged'] is tagged  # a subclass stays what it is, never replaced by an equal str
    keys = set(id(key) for p in shared['panels'].values() for key in p if key == 'transport')
    assert len(keys) == 1
    # what crosses to another process: each distinct string once
    assert len(pickle.dumps(shared)) < len(pickle.dumps(value)) * 0.7
    again = pickle.loads(pickle.dumps(shared))
    assert len(set(id(p['realm']) for p in again['panels'].values())) == 1


def test_shared_strings_makes_each_distinct_string_once():
    made = []

    def text(value):
        made.append(value)
        return _Tagged(value)
    shared = _processes.shared_strings([{'a': 'x'}, {'a': ''.join(['x'])}, 'y'], text)
    assert sorted(made) == ['a', 'x', 'y']
    assert isinstance(shared[0]['a'], _Tagged) and shared[0]['a'] is shared[1]['a']
