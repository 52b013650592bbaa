# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
short_description: The linear strategy, with fewer processes for the tasks of this collection
description:
  - Runs the play as C(ansible.builtin.linear) does (lockstep per batch of hosts, C(serial), C(forks),
    C(throttle), C(run_once), handlers, the same results, recap, C(register), C(--diff) and callbacks),
    with two differences in where this collection's tasks run.
  - A task of M(sipfleet.provision.host_result) runs in the controller's main process, not in a forked
    worker per host. It only looks up a result that a fleet-wide task has already computed, so the worker
    was all of its cost; this makes the one per-host task of the C(sip_fleet) role cheaper than a
    one-task C(debug) play.
  - Every other task of a C(sipfleet.provision) module runs in workers that take up to 10 of the task's
    hosts each (fewer when the hosts are few, the hosts divided by C(forks)), one host after the other,
    instead of one worker per host. Each host goes through Ansible's own worker code (the task executor,
    the result queue), so a worker's second host is run exactly as its first; the fork, and the first
    requests' cost of a fresh process, are paid once per worker instead of once per host. As many
    workers run at once as C(forks) (or C(throttle)) allows.
  - A task of any other collection, and any task while the task debugger is enabled, runs as with
    C(ansible.builtin.linear).
  - The playbooks C(site.yml), C(drift.yml) and C(rotate_passwords.yml) set the play keyword C(strategy)
    to C(sipfleet.provision.fleet) unless the variable C(sip_fleet_strategy) names another (for example
    C(-e sip_fleet_strategy=ansible.builtin.linear)); a play with C(ansible.builtin.linear) gets the
    same results, slower.
notes:
  - ansible-core 2.19 and later print a deprecation warning for any strategy plugin that is not
    part of ansible-core, once per run, with no removal version
    (U(https://github.com/ansible/ansible/issues/84725)). Should a future ansible-core remove them,
    set C(sip_fleet_strategy) to C(ansible.builtin.linear); every result stays the same.
  - A worker holds the variables of its hosts while it runs, so up to C(forks) times 10 hosts' task
    variables are in memory at once instead of C(forks); at 1,000 hosts that was 10 to 35 MB more
    for the task (see docs/performance.md).
  - A worker's hosts run one after the other, so a host that takes long (a panel that does not answer,
    until the request timeout) delays the others of its worker, not the rest of the play.
version_added: 0.1.0
author:
  - sipfleet.provision contributors (@sipfleet)
"""

EXAMPLES = r"""
- name: Provision every panel of the fleet
  hosts: panels
  gather_facts: false
  strategy: sipfleet.provision.fleet
  roles:
    - role: sipfleet.provision.sip_fleet
"""

import functools
import math
from contextlib import contextmanager, nullcontext

from ansible.executor.process.worker import WorkerProcess
from ansible.executor.task_executor import TaskExecutor
from ansible.plugins import loader as plugin_loader
from ansible.plugins import strategy as strategy_base
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategy

try:  # ansible-core 2.19 and later: a raw result object, and the worker's ambient task context
    from ansible.executor.task_result import _RawTaskResult
    from ansible._internal._task import TaskContext
except ImportError:  # ansible-core 2.16 to 2.18: the result goes by host name and task id
    _RawTaskResult = TaskContext = None

COLLECTION = 'sipfleet.provision.'
# The actions that need no worker: they make no connection and no request. Every other action
# of the collection runs in workers of up to MAX_BATCH hosts.
IN_CONTROLLER = frozenset((COLLECTION + 'host_result',))
# At most this many hosts share one worker: enough to spare most forks, few enough that a slow
# panel holds up only a few others.
MAX_BATCH = 10


class StrategyModule(LinearStrategy):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._batch = []

    def _queue_task(self, host, task, task_vars, play_context):
        action = task.resolved_action or ''
        if action in IN_CONTROLLER:
            return self._run_here(host, task, task_vars, play_context)
        if not action.startswith(COLLECTION) or task.debugger or self.debugger_active:
            return super()._queue_task(host, task, task_vars, play_context)
        if self._batch and self._batch[0][1]._uuid != task._uuid:  # a batch is one task's
            self._start_batch()
        # Counted at once, so that the play waits for the batch (and starts it, below).
        self._expect(host, task, task_vars, play_context)
        self._batch.append((host, task, task_vars, play_context))
        if len(self._batch) >= min(MAX_BATCH, math.ceil(len(self._hosts_cache) / len(self._workers))):
            self._start_batch()
        return None

    def _wait_on_pending_results(self, iterator):
        self._start_batch()
        return super()._wait_on_pending_results(iterator)

    def _expect(self, host, task, task_vars, play_context):
        """What the host's result is matched with when it comes back, as for a task given a worker."""
        self._queued_task_cache[(host.name, task._uuid)] = {
            'host': host, 'task': task, 'task_vars': task_vars, 'play_context': play_context,
        }
        self._pending_results += 1

    def _start_batch(self):
        """One worker for the batch's hosts, one after the other, Ansible's worker code for each:
        the first host is queued as any task is, the worker runs the rest."""
        if not self._batch:
            return
        (first, *rest), self._batch = self._batch, []
        self._pending_results -= 1  # queuing the first host counts it (and expects it) again
        with _workers_of(rest):
            super()._queue_task(*first)
        for host, task, _task_vars, _play_context in rest:
            self._tqm.send_callback('v2_runner_on_start', host, task)

    def _run_here(self, host, task, task_vars, play_context):
        """Ansible's task executor for the host in this process, the result onto the result queue."""
        self._expect(host, task, task_vars, play_context)
        self._tqm.send_callback('v2_runner_on_start', host, task)
        # The executor finalizes the task it runs (post_validate): a worker has its own copy, so
        # here each host gets one, with the same id.
        own = task.copy()
        with TaskContext(own) if TaskContext else nullcontext():
            result = TaskExecutor(host, own, task_vars, play_context, *_executor_args(self)).run()
        if _RawTaskResult:
            self._final_q.send_task_result(_RawTaskResult(
                host=host, task=own, return_data=result, task_fields=own.dump_attrs()))
        else:
            self._final_q.send_task_result(host.name, own._uuid, result, task_fields=own.dump_attrs())


class _BatchWorker(WorkerProcess):
    """Ansible's worker, run for its own host and then for each other host of its batch."""

    def __init__(self, rest, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rest = rest

    def _run(self):
        # Each host gets its own copy of the task before any runs (the executor finalizes it).
        rest = [(host, task.copy(), task_vars, play_context) for host, task, task_vars, play_context in self._rest]
        super()._run()
        for self._host, self._task, self._task_vars, self._play_context in rest:
            with TaskContext(self._task) if TaskContext else nullcontext():
                super()._run()


@contextmanager
def _workers_of(rest):
    """While the strategy starts a worker, the worker it starts runs ``rest`` after its own host.

    StrategyBase._queue_task makes its worker by the name ``WorkerProcess`` of its module; giving
    that name this batch's worker for the one call keeps Ansible's own worker slots, throttle and
    start-up (every supported version makes its worker this way)."""
    saved, strategy_base.WorkerProcess = strategy_base.WorkerProcess, functools.partial(_BatchWorker, rest)
    try:
        yield
    finally:
        strategy_base.WorkerProcess = saved


def _executor_args(strategy):
    """TaskExecutor's arguments after the play context, as the strategy gives them to a worker:
    before ansible-core 2.19, the worker's stdin first (an action that makes no connection never
    reads it) and the plugin loader module for the loaders."""
    if _RawTaskResult:
        return strategy._loader, plugin_loader.get_plugin_loader_namespace(), strategy._final_q, strategy._variable_manager
    return None, strategy._loader, plugin_loader, strategy._final_q, strategy._variable_manager
