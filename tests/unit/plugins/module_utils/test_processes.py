# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Items shared between this process and forked ones."""

from __future__ import annotations

import os

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
