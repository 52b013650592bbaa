#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet playbooks benchmark: playbooks/site.yml or drift.yml on N simulated panels.

    python benchmarks/playbook_benchmark.py --playbook site --panels 200 --forks 20
    python benchmarks/fleet_benchmark.py --playbook drift --panels 1000 --repeat 1

Starts the simulators as scripts/demo.sh does (N panels, a Vobiz account, a RingCentral
account), writes the demo's inventory (scripts/demo_inventory.py: every panel but the
last two on the Vobiz trunk, the last two from RingCentral) and runs the repository's
playbooks through a collections path that points at this repository:

- ``--playbook site``: ``check`` (site.yml --check on a fresh fleet), ``converge`` (the
  first real run) and ``idempotent`` (the second run); every repeat on a fresh fleet; then
  ``task``: one ``basip_sip`` task per Vobiz panel with its options templated from the panel's
  own variables, no role (TASK_PLAY): the per-host floor of the role's design;
- ``--playbook drift``: ``drift`` (drift.yml --check --diff, with the drift_report
  callback) on a fleet converged once by site.yml (not counted);

interleaved with ``debug`` (a one-task ``ansible.builtin.debug`` play over the same
inventory and forks: Ansible's floor) and ``plain`` (fleet_benchmark.py's thread pool
reading every panel: login, GET, logout; no Vobiz, no RingCentral). Every run goes
through simulated_fleet's wrapper (CPU of every process of the run, peak memory of the
largest). A small callback (written to the work directory) times every task, from its
start to the next task's start, and counts its host results.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import simulated_fleet as sf  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, os.path.join(sf.ROOT, 'scripts'))
import demo_inventory  # noqa: E402  pylint: disable=wrong-import-position

SIMULATOR_OPTIONS = ('--vobiz', '--ringcentral')
RUNS = dict(site=('check', 'converge', 'idempotent', 'task'), drift=('drift',))
# The per-host floor of the role's design: one basip_sip task per panel with its options templated
# from the panel's own variables, as a playbook without the role would write it, on the Vobiz panels
# of the converged fleet (so that it changes nothing); the values every panel shares are the ones
# panel-001 holds after site.yml.
TASK_PLAY = """---
- name: One basip_sip task per panel, no role
  hosts: %(hosts)s
  gather_facts: false
  tasks:
    - name: Converge the SIP settings
      sipfleet.provision.basip_sip:
        api_url: "{{ sip_fleet_panel_api_url }}"
        api_password: "{{ sip_fleet_panel_api_password }}"
        proxy: "%(proxy)s"
        realm: "%(realm)s"
        user: "demo{{ inventory_hostname | replace('-', '') }}"
        user_id: "demo{{ inventory_hostname | replace('-', '') }}"
        password: "{{ demo_trunk_passwords[inventory_hostname] }}"
        transport: "%(transport)s"
        stun: {ip: "%(stun_ip)s", port: %(stun_port)d}
        registration_interval: %(registration_interval)d
      connection: local
"""
DEBUG_PLAY = """---
- name: Ansible's own cost per host, no HTTP
  hosts: panels
  gather_facts: false
  tasks:
    - name: Template a variable of the panel
      ansible.builtin.debug:
        msg: "{{ sip_fleet_panel_api_url }}"
"""
CALLBACK = r'''
import json, os, resource, time
from ansible.plugins.callback import CallbackBase


def _peak_mb():  # this process's peak resident memory so far (ru_maxrss is in KiB on Linux)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class CallbackModule(CallbackBase):
    """Wall time of every task (its start to the next start), the peak memory after it and its host results."""
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks, self.by_uuid = [], {}

    def _close(self):
        if self.tasks and 'wall' not in self.tasks[-1]:
            self.tasks[-1]['wall'] = time.monotonic() - self.tasks[-1]['start']
            self.tasks[-1]['peak'] = _peak_mb()
            self._dump()

    def _dump(self):  # after every task: a run killed at its timeout still shows where it was
        with open(os.environ['PLAYBOOK_BENCHMARK_TASKS'], 'w') as handle:
            json.dump([dict(t, start=None) for t in self.tasks if 'wall' in t], handle)

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        entry = dict(name=task.get_name(), start=time.monotonic(), ok=0, changed=0, skipped=0, failed=0,
                     peak_before=_peak_mb())
        self.tasks.append(entry)
        self.by_uuid[task._uuid] = entry

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def v2_playbook_on_play_start(self, play):
        self._close()

    def _count(self, result, status):
        entry = self.by_uuid.get(result._task._uuid)
        if entry is not None:
            entry[status] += 1

    def v2_runner_on_ok(self, result):
        self._count(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_skipped(self, result):
        self._count(result, 'skipped')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, 'failed')

    v2_runner_on_unreachable = v2_runner_on_failed

    def v2_playbook_on_stats(self, stats):
        self._close()
'''


class Bench:
    """One benchmark: its work directory, settings and the rows measured."""

    def __init__(self, args, workdir):
        self.args, self.workdir, self.rows = args, workdir, []
        os.makedirs(os.path.join(workdir, 'callbacks'))
        with open(os.path.join(workdir, 'callbacks', 'task_timer.py'), 'w') as handle:
            handle.write(CALLBACK)
        with open(os.path.join(workdir, 'debug.yml'), 'w') as handle:
            handle.write(DEBUG_PLAY)
        self.env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=sf.collections_path(workdir), ANSIBLE_NOCOLOR='1',
                        ANSIBLE_HOST_KEY_CHECKING='0', ANSIBLE_RETRY_FILES_ENABLED='0',
                        ANSIBLE_CALLBACK_PLUGINS=os.path.join(workdir, 'callbacks'),
                        ANSIBLE_CALLBACKS_ENABLED='task_timer',
                        SIPFLEET_DRIFT_REPORT_DIR=os.path.join(workdir, 'drift-report'))

    def fleet(self, name):
        directory = os.path.join(self.workdir, name)
        os.makedirs(directory)
        fleet = sf.Fleet(self.args.python, self.args.panels, directory, SIMULATOR_OPTIONS)
        fleet.inventory = os.path.join(directory, 'inventory')
        with contextlib.redirect_stdout(sys.stderr):
            demo_inventory.main(fleet.state_file, fleet.inventory)
        return fleet

    def task_play(self, fleet):
        """TASK_PLAY for the Vobiz panels of ``fleet`` with the shared values panel-001 holds."""
        path = os.path.join(self.workdir, 'task.yml')
        state = fleet.session.get(fleet.control + '/targets/panel-001/state', timeout=60).json()
        with open(os.path.join(fleet.inventory, 'hosts')) as handle:  # demo_inventory's: "NAME var=value ..."
            ringcentral = [line.split()[0] for line in handle if 'sip_fleet_source=ringcentral' in line]
        with open(path, 'w') as handle:
            handle.write(TASK_PLAY % dict(
                hosts=':'.join(['panels'] + ['!' + name for name in ringcentral]), proxy=state['proxy'],
                realm=state['realm'], transport=state['transport'], stun_ip=state['stun']['ip'],
                stun_port=state['stun']['port'], registration_interval=state['registration_interval']))
        return path

    def run(self, fleet, run, repeat, counted=True):
        """Measure one run on ``fleet``; ``run``: debug, plain, check, converge, idempotent or drift."""
        args, env = self.args, dict(self.env)
        label = '%s-%d' % (run, repeat)
        env['PLAYBOOK_BENCHMARK_TASKS'] = os.path.join(self.workdir, label + '.tasks.json')
        if run == 'plain':
            command = [args.python, os.path.join(sf.ROOT, 'benchmarks', 'fleet_benchmark.py'), '--plain',
                       fleet.state_file, str(args.forks), 'check']
        else:
            playbook = dict(debug=os.path.join(self.workdir, 'debug.yml'),
                            drift=os.path.join(sf.ROOT, 'playbooks', 'drift.yml'))
            command = [args.ansible_playbook, '-i', fleet.inventory, '-f', str(args.forks),
                       self.task_play(fleet) if run == 'task' else
                       playbook.get(run, os.path.join(sf.ROOT, 'playbooks', 'site.yml'))]
            command += dict(check=['--check'], drift=['--check', '--diff']).get(run, [])
            if run == 'drift':
                env['ANSIBLE_CALLBACKS_ENABLED'] += ',sipfleet.provision.drift_report'
        fleet.clear_log()
        wall, cpu, rss, rc, output = sf.measure(command, env, self.workdir, label, args.timeout)
        changed, failed = sf.outcome('plain' if run == 'plain' else 'playbook', output)
        row = dict(run=run, repeat=repeat, wall=wall, cpu=cpu, rss=rss, rc=rc, changed=changed, failed=failed,
                   output=output, tasks=_tasks(env['PLAYBOOK_BENCHMARK_TASKS']), timeout=rc == -9 and wall >= args.timeout,
                   **_requests(fleet))
        print('  %-10s #%d %8.2f s wall %8.2f s CPU %5.0f MB  rc=%d changed=%d failed=%d%s%s'
              % (run, repeat, wall, cpu, rss, rc, changed, failed, '' if counted else '  (not counted)',
                 '  (killed at the timeout)' if row['timeout'] else ''), file=sys.stderr, flush=True)
        if counted:
            self.rows.append(row)
        elif rc or failed:
            raise SystemExit('%s failed: rc=%d (see %s)' % (label, rc, output))
        return row


def _tasks(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return json.load(handle)


def _requests(fleet):
    """Requests per panel (and per method), and the Vobiz and RingCentral requests of the run."""
    entries = fleet.session.get(fleet.control + '/log', timeout=120).json()
    methods, services = {}, dict(vobiz=0, ringcentral=0)
    for entry in entries:
        if entry['target'] in fleet.targets:
            methods[entry['method']] = methods.get(entry['method'], 0) + 1
        else:
            services[entry['target']] = services.get(entry['target'], 0) + 1
    count = len(fleet.targets)
    return dict(requests=sum(methods.values()) / count, services=services,
                detail=' '.join('%s %.2g' % (m, n / count) for m, n in sorted(methods.items())))


def measure_site(bench):
    for repeat in range(bench.args.repeat):
        fleet = bench.fleet('fleet-%d' % repeat)  # check needs a fresh fleet: Vobiz without a trunk
        try:
            stopped = last = None
            for run in ('debug', 'check', 'debug', 'converge', 'debug', 'idempotent', 'task', 'plain'):
                if not stopped or run == 'plain' or (run == 'debug' and last != 'debug'):  # after a timeout
                    stopped = bench.run(fleet, run, repeat)['timeout'] or stopped
                    last = run
        finally:
            fleet.stop()


def measure_drift(bench):
    fleet = bench.fleet('fleet')
    try:
        bench.run(fleet, 'converge', 0, counted=False)
        for repeat in range(bench.args.repeat):
            for run in ('debug', 'drift', 'plain'):
                bench.run(fleet, run, repeat)
    finally:
        fleet.stop()


def per_host_tasks(row, panels):
    return sum(1 for t in row['tasks'] if t['ok'] + t['changed'] + t['skipped'] + t['failed'] >= panels)


def print_report(bench):
    args, rows = bench.args, bench.rows
    print('\n%s.yml on %d panels (2 from RingCentral), %d forks, %d CPUs, %d interleaved repeat(s)'
          % (args.playbook, args.panels, args.forks, os.cpu_count() or 0, args.repeat))
    head = '%-10s %2s %8s %8s %8s %9s  %-14s %6s %5s %7s %6s %10s' % (  # plain: no 'changed' (reads only)
        'run', '#', 'wall s', 'CPU s', 'peak MB', 'req/panel', 'methods/panel', 'vobiz', 'rc', 'changed', 'failed',
        'host tasks')
    print(head)
    print('-' * len(head))
    for r in rows:
        plain = r['run'] == 'plain'
        print('%-10s %2d %8.2f %8.2f %8.0f %9.2f  %-14s %6d %5d %7s %6d %10s%s' % (
            r['run'], r['repeat'], r['wall'], r['cpu'], r['rss'], r['requests'], r['detail'],
            r['services']['vobiz'], r['services']['ringcentral'], '-' if plain else r['changed'], r['failed'],
            '-' if plain else per_host_tasks(r, args.panels), '  killed at the timeout: partial' if r['timeout'] else ''))
    median = dict((run, dict((k, statistics.median(r[k] for r in rows if r['run'] == run)) for k in ('wall', 'cpu')))
                  for run in set(r['run'] for r in rows))
    print('\nratios (medians, same run, same machine; plain reads the panels only: no Vobiz, no RingCentral):')
    for run in [run for run in RUNS[args.playbook] if run in median]:
        bound = '>' if any(r['timeout'] for r in rows if r['run'] == run) else ' '  # killed: a lower bound
        line = '%-10s / debug: wall %s%5.1fx, CPU %s%5.1fx' % (
            run, bound, median[run]['wall'] / median['debug']['wall'], bound, median[run]['cpu'] / median['debug']['cpu'])
        if run != 'converge':
            line += '   / plain: wall %s%5.1fx, CPU %s%5.1fx' % (
                bound, median[run]['wall'] / median['plain']['wall'],
                bound, median[run]['cpu'] / max(median['plain']['cpu'], 1e-9))
        print(line)
    print('debug: %.1f ms wall, %.1f ms CPU per host (start-up included)'
          % (median['debug']['wall'] * 1000 / args.panels, median['debug']['cpu'] * 1000 / args.panels))
    for run in [run for run in ('debug',) + RUNS[args.playbook] if run in median]:
        print_tasks([r for r in rows if r['run'] == run][-1], args.panels)


def print_tasks(row, panels):
    """Where the time of one run goes: every task with its wall time, the main process's peak memory when
    it ended, and its host results."""
    tasks = row['tasks']
    inside = sum(t['wall'] for t in tasks)
    print('\nwhere the time goes: %s #%d, %.2f s wall; %d %stasks, %d of them per host (%d+ results); outside '
          'them (start-up, parsing, end%s) %.2f s' % (
              row['run'], row['repeat'], row['wall'], len(tasks), 'finished ' if row['timeout'] else '',
              per_host_tasks(row, panels), panels, ', the task killed at the timeout' if row['timeout'] else '',
              row['wall'] - inside))
    if tasks:
        print("the main process's peak before the first task (inventory and playbook loaded): %.0f MB"
              % tasks[0]['peak_before'])
    head = '%8s %8s %7s %6s %7s %7s %6s  %s' % ('wall s', 'ms/host', 'peak MB', 'ok', 'changed', 'skipped', 'failed',
                                                'task')
    print(head)
    print('-' * 100)
    for t in tasks:
        print('%8.2f %8.1f %7.0f %6d %7d %7d %6d  %s' % (
            t['wall'], t['wall'] * 1000 / panels, t['peak'], t['ok'], t['changed'], t['skipped'], t['failed'],
            t['name'][:120]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--playbook', choices=sorted(RUNS), required=True, help='site (check, converge, idempotent) '
                        'or drift (drift.yml --check on a converged fleet)')
    parser.add_argument('--panels', type=int, default=200, help='simulated panels (default 200)')
    parser.add_argument('--forks', type=int, default=20, help='ansible forks and plain threads (default 20)')
    parser.add_argument('--repeat', type=int, default=2, help='interleaved repeats (default 2)')
    parser.add_argument('--timeout', type=float, help='seconds a run may take (default 300 + 2 per panel)')
    parser.add_argument('--python', default=sys.executable, help='Python of the simulator and the plain script')
    parser.add_argument('--ansible-playbook', default=os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                        help='ansible-playbook to run (default: the one beside this Python)')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (outputs of every run)')
    args = parser.parse_args(argv)
    args.timeout = args.timeout or 300 + 2 * args.panels
    limit = sf.raise_fd_limit(args.panels)
    workdir = tempfile.mkdtemp(prefix='sipfleet-playbook-bench-')
    print('work directory %s, open files limit %d' % (workdir, limit), file=sys.stderr)
    bench, clean = Bench(args, workdir), False
    try:
        (measure_site if args.playbook == 'site' else measure_drift)(bench)
        clean = not any(r['rc'] or r['failed'] for r in bench.rows)
    finally:
        if clean and not args.keep:
            shutil.rmtree(workdir)
        else:
            print('outputs of every run kept in %s' % workdir, file=sys.stderr)
    print_report(bench)
    return 1 if any(r['rc'] or r['failed'] for r in bench.rows) else 0


if __name__ == '__main__':
    sys.exit(main())
