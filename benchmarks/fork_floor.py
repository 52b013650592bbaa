#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The floor under a controller-path task that uses requests: one panel in a fresh fork.

    python benchmarks/fork_floor.py --panels 200

Ansible runs every host of a task in a process forked from its main process. This script
does the same with nothing of Ansible or of the collection: a parent that has imported
``requests`` and sent a request forks one child per panel (one at a time), and the child
does what ``basip_sip`` does for a converged panel with requests alone (login, read, logout:
``simulated_fleet.plain_panel``), or runs the collection's own logic for it (``basip_sip``'s
``run_in_controller``: option checks, the same requests through the collection's HTTP client,
the result and its masking, in check mode). It prints the median CPU time (user + sys) and
minor page faults of a child, and of a child that does nothing (the fork itself). The
difference is what requests costs in a fresh fork; added to the CPU of a ``debug`` task per
host (``fleet_benchmark.py``'s ``debug`` row), it is the least a controller-path task making
those requests can cost. The ``basip_sip`` row less the ``requests`` row is the collection's
share; the rest of a controller-path task's cost is Ansible's (its options, its result).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simulated_fleet as sf  # noqa: E402 pylint: disable=wrong-import-position


def _child_usage(work):
    """CPU seconds and minor page faults of a forked child that runs ``work()``."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            work()
        except BaseException:  # pylint: disable=broad-exception-caught
            code = 1
        os._exit(code)  # pylint: disable=protected-access
    _pid, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit('a child failed (status %d)' % status)
    return usage.ru_utime + usage.ru_stime, usage.ru_minflt


def _collection_panel(url, name):
    """``basip_sip``'s logic for one panel as its action plugin runs it (imported from this repository)."""
    from ansible_collections.sipfleet.provision.plugins.action.basip_sip import ActionModule
    from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import run_in_controller
    args = dict(sf.DESIRED, api_url=url, api_password=sf.WEB_PASSWORD, user=sf.sip_user(name), password=sf.SIP_PASSWORD)
    result = run_in_controller(ActionModule.validator, ActionModule.module, args, 'sipfleet.provision.basip_sip',
                               check_mode=True)
    if result.get('failed'):
        raise SystemExit('basip_sip failed: %s' % result.get('msg'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--panels', type=int, default=200, help='simulated panels, one child each (default 200)')
    parser.add_argument('--python', default=sys.executable, help='Python of the simulator')
    args = parser.parse_args(argv)
    sf.raise_fd_limit(args.panels)
    with tempfile.TemporaryDirectory(prefix='sipfleet-fork-floor-') as workdir:
        sys.path.insert(0, sf.collections_path(workdir))
        fleet = sf.Fleet(args.python, args.panels, workdir)
        try:
            targets = sorted(fleet.targets.items())
            sf.plain_panel(targets[0][1], sf.sip_user(targets[0][0]), True)  # warm in the parent, as in Ansible's
            _collection_panel(targets[0][1], targets[0][0])
            rows = dict(
                nothing=[_child_usage(lambda: None) for _panel in targets],
                requests=[_child_usage(lambda url=url, name=name: sf.plain_panel(url, sf.sip_user(name), True))
                          for name, url in targets],
                basip_sip=[_child_usage(lambda url=url, name=name: _collection_panel(url, name)) for name, url in targets])
        finally:
            fleet.stop()
    print('one panel (login, read, logout with requests) in a fresh fork, %d panels, median per child' % args.panels)
    print('%-10s %8s %8s' % ('child', 'CPU ms', 'faults'))
    medians = {}
    for name, usages in rows.items():
        medians[name] = (statistics.median(u[0] for u in usages) * 1000, statistics.median(u[1] for u in usages))
        print('%-10s %8.2f %8d' % ((name,) + medians[name]))
    print('requests in a fresh fork: %.2f ms of CPU and %d page faults per panel above the fork itself'
          % (medians['requests'][0] - medians['nothing'][0], medians['requests'][1] - medians['nothing'][1]))
    print("the collection's share: %.2f ms of CPU and %d page faults per panel above requests"
          % (medians['basip_sip'][0] - medians['requests'][0], medians['basip_sip'][1] - medians['requests'][1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
