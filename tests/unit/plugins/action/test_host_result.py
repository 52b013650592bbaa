# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_result: the host's own result, and only what the recap, --diff and the drift report need."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.sipfleet.provision.plugins.action.host_result import ActionModule

DIFF = dict(before=dict(proxy='sip:rogue.example.net'), after=dict(proxy='sip:pbx.example.com'))
CLEAN = dict(before=dict(proxy='sip:pbx.example.com'), after=dict(proxy='sip:pbx.example.com'))
RESULTS = dict(fleet=dict(panels={
    'panel-001': dict(changed=True, diff=DIFF, changes=['proxy'], settings=dict(proxy='x'), invocation={}),
    'panel-002': dict(changed=False, diff=CLEAN, registration='OK'),
    'panel-003': dict(unreachable=True, failed=True, msg='connection refused'),
}))


def act(args, host, diff=True):
    action = ActionModule.__new__(ActionModule)  # act() needs only the task's diff mode
    action._task = SimpleNamespace(diff=diff)
    return action.act(args, dict(RESULTS, inventory_hostname=host))


def test_the_hosts_result_with_the_keys_callbacks_need():
    assert act(dict(results_from=['missing', 'fleet.panels']), 'panel-001') == dict(changed=True, diff=DIFF, changes=['proxy'])


def test_a_diff_that_shows_nothing_is_not_returned():
    """A clean panel returns no diff: Ansible would otherwise print an empty diff per host."""
    assert act(dict(results_from='fleet.panels'), 'panel-002') == dict(changed=False, registration='OK')


def test_no_diff_without_diff_mode():
    assert 'diff' not in act(dict(results_from='fleet.panels'), 'panel-001', diff=False)


def test_an_unanswered_host_is_unreachable_not_failed():
    assert act(dict(results_from='fleet.panels'), 'panel-003') == dict(changed=False, unreachable=True, msg='connection refused')


@pytest.mark.parametrize('args, host, msg', [
    (dict(), 'panel-001', 'host_result needs one of result or results_from'),
    (dict(result={}, results_from='fleet.panels'), 'panel-001', 'host_result needs one of result or results_from'),
    (dict(results_from='fleet.panels'), 'panel-404', 'no result for panel-404 in fleet.panels'),
    (dict(results_from=[1]), 'panel-001', 'results_from must be a list of variable names'),
    (dict(result='the fleet task failed'), 'panel-001', 'the fleet task failed'),
    (dict(result=['x']), 'panel-001', "result must be a dict (the host's result), got list"),
])
def test_errors(args, host, msg):
    assert act(args, host) == dict(failed=True, msg=msg)
