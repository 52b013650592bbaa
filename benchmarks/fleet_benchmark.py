#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark: basip_sip on N simulated panels, three ways.

    python benchmarks/fleet_benchmark.py --panels 200 --forks 20

Starts the panel simulator in its own process (``python -m tests.simulator``),
writes an inventory with one host per panel (``ansible_connection=local`` and the
panel's ``api_url``), and measures, for every path:

- ``controller``: ``ansible-playbook`` with the action plugin running the logic in
  the controller (the default);
- ``module``: ``ansible-playbook`` with ``SIPFLEET_FORCE_MODULE=1`` (a module per host);
- ``plain``: a Python ``requests`` thread pool making the same HTTP calls (login,
  GET, POST when a value differs, logout) with as many threads as forks;
- ``debug``: ``ansible-playbook`` running ``ansible.builtin.debug`` with the same
  variables on every host, no HTTP at all: Ansible's own cost per host and task,
  the floor under any action plugin (one run only);

three runs each, on panels reset to factory settings first: a check-mode run
(every panel differs: reads only), the first converge (every panel is written) and
the idempotent run. Each run is started through a small wrapper process so that
its CPU time (user + sys of every process of the run) and its peak memory (the
largest process) are its own. Requests per panel come from the simulator's log.

Needs only Python with ansible-core and requests (the repository's virtualenv). The
simulator, the plain script and the measuring wrapper are in ``simulated_fleet.py``, which
the other benchmarks share.

``--playbook site|drift`` measures the repository's playbooks instead (site.yml,
drift.yml) against a one-task ``debug`` play and this plain script: see
benchmarks/playbook_benchmark.py, which it runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simulated_fleet import (  # noqa: E402 pylint: disable=wrong-import-position
    DESIRED, SIP_PASSWORD, WEB_PASSWORD, Fleet, collections_path, measure, outcome, plain_main, raise_fd_limit, sip_user,
)

PATHS = ('controller', 'module', 'plain', 'debug')
RUNS = ('check', 'converge', 'idempotent')
PLAYBOOK = """---
- name: SIP settings of every panel
  hosts: panels
  gather_facts: %(gather_facts)s
  strategy: %(strategy)s
  tasks:
    - name: Converge the SIP settings
      sipfleet.provision.basip_sip:
        api_url: "{{ api_url }}"
        api_password: "%(web_password)s"
        proxy: %(proxy)s
        realm: %(realm)s
        user: "{{ sip_user }}"
        password: "%(sip_password)s"
        transport: %(transport)s
        stun: {ip: %(stun_ip)s, port: %(stun_port)d}
        registration_interval: %(registration_interval)d
"""

DEBUG_PLAYBOOK = """---
- name: Ansible's own cost per host, no HTTP
  hosts: panels
  gather_facts: false
  strategy: %(strategy)s
  tasks:
    - name: Template the same variables
      ansible.builtin.debug:
        msg: "{{ api_url }} {{ sip_user }}"
"""


def write_inventory(path, fleet, python):
    with open(path, 'w') as handle:
        handle.write('[panels]\n')
        for name, url in sorted(fleet.targets.items()):
            handle.write('%s api_url=%s sip_user=%s\n' % (name, url, sip_user(name)))
        handle.write('\n[panels:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' % python)


def write_playbook(path, strategy, gather_facts=False):
    with open(path, 'w') as handle:
        handle.write(PLAYBOOK % dict(
            DESIRED, strategy=strategy, gather_facts=str(gather_facts).lower(),
            web_password=WEB_PASSWORD, sip_password=SIP_PASSWORD,
            stun_ip=DESIRED['stun']['ip'], stun_port=DESIRED['stun']['port']))


def run_path(path, args, fleet, workdir, env):
    rows = []
    fleet.reset()
    for run in RUNS if path != 'debug' else ('(no HTTP)',):
        if path == 'debug':
            playbook = os.path.join(workdir, 'debug.yml')
            with open(playbook, 'w') as handle:
                handle.write(DEBUG_PLAYBOOK % dict(strategy=args.strategy))
            command = [args.ansible_playbook, '-i', os.path.join(workdir, 'inventory.ini'), playbook,
                       '-f', str(args.forks)]
            run_env = dict(env)
        elif path == 'plain':
            command = [args.python, os.path.abspath(__file__), '--plain', fleet.state_file, str(args.forks), run]
            run_env = dict(env)
        else:
            command = [args.ansible_playbook, '-i', os.path.join(workdir, 'inventory.ini'),
                       os.path.join(workdir, 'playbook.yml'), '-f', str(args.forks)]
            if run == 'check':
                command.append('--check')
            run_env = dict(env, SIPFLEET_FORCE_MODULE='1' if path == 'module' else '0')
        fleet.clear_log()
        wall, cpu, rss, rc, output = measure(command, run_env, workdir, '%s-%s' % (path, run.strip('()')))
        per_panel, detail = fleet.requests_per_panel()
        changed, failed = outcome(path, output)
        rows.append(dict(path=path, run=run, wall=wall, cpu=cpu, rss=rss, rc=rc, requests=per_panel,
                         detail=detail, changed=changed, failed=failed, output=output))
        print('  %-10s %-10s %7.2f s wall %7.2f s CPU  rc=%d  changed=%d failed=%d'
              % (path, run, wall, cpu, rc, changed, failed), file=sys.stderr, flush=True)
    return rows


# Ansible settings measured by --sweep: name -> (description, forks factor, strategy, gather_facts, env)
VARIANTS = {
    'baseline': ('as the table above', 1, None, False, {}),
    'free': ('strategy: free', 1, 'free', False, {}),
    'no-fact-vars': ('ANSIBLE_INJECT_FACT_VARS=false', 1, None, False, dict(ANSIBLE_INJECT_FACT_VARS='false')),
    'forks-half': ('half the forks', 0.5, None, False, {}),
    'forks-double': ('twice the forks', 2, None, False, {}),
    'gather-facts': ('gather_facts: true', 1, None, True, {}),
}


def sweep(args, fleet, workdir, env):
    """The idempotent run on the controller path under each variant, interleaved, ``--repeat`` times."""
    names = [n for n in args.sweep.split(',') if n]
    unknown = set(names) - set(VARIANTS)
    if unknown:
        raise SystemExit('unknown --sweep variant(s): %s (known: %s)' % (', '.join(sorted(unknown)), ', '.join(VARIANTS)))
    fleet.reset()
    converge = [args.python, os.path.abspath(__file__), '--plain', fleet.state_file, str(args.forks), 'converge']
    measure(converge, env, workdir, 'sweep-converge')
    warm = [args.ansible_playbook, '-i', os.path.join(workdir, 'inventory.ini'), os.path.join(workdir, 'playbook.yml'),
            '-f', str(args.forks)]
    measure(warm, dict(env, SIPFLEET_FORCE_MODULE='0'), workdir, 'sweep-warm')  # not counted: fills disk caches
    samples = dict((name, []) for name in names)
    for repeat in range(args.repeat):
        for name in names:
            _text, factor, strategy, gather, extra = VARIANTS[name]
            playbook = os.path.join(workdir, 'sweep-%s.yml' % name)
            write_playbook(playbook, strategy or args.strategy, gather)
            forks = max(1, int(args.forks * factor))
            command = [args.ansible_playbook, '-i', os.path.join(workdir, 'inventory.ini'), playbook, '-f', str(forks)]
            wall, cpu, _rss, rc, output = measure(command, dict(env, SIPFLEET_FORCE_MODULE='0', **extra),
                                                  workdir, 'sweep-%s-%d' % (name, repeat))
            changed, failed = outcome('controller', output)
            if rc or failed or changed:
                raise SystemExit('sweep %s: rc=%d changed=%d failed=%d (see %s)' % (name, rc, changed, failed, output))
            samples[name].append((wall, cpu, forks))
            print('  sweep %-13s %7.2f s wall %7.2f s CPU' % (name, wall, cpu), file=sys.stderr, flush=True)
    return samples


def print_sweep(samples, args):
    print('\nidempotent run, controller path, %d panels: Ansible settings (median of %d, interleaved)'
          % (args.panels, args.repeat))
    head = '%-13s %-32s %5s %8s %8s %9s' % ('variant', 'setting', 'forks', 'wall s', 'CPU s', 'vs base')
    print(head)
    print('-' * len(head))
    base = None
    for name, runs in samples.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        base = base or (wall if name == 'baseline' else None)
        ratio = '%.2fx' % (wall / base) if base else '-'
        print('%-13s %-32s %5d %8.2f %8.2f %9s' % (name, VARIANTS[name][0], runs[0][2], wall, cpu, ratio))


def print_table(rows, args):
    print('\nbasip_sip on %d panels, %d forks, strategy %s, %d CPUs%s'
          % (args.panels, args.forks, args.strategy, os.cpu_count() or 0,
             ''.join(', ' + setting for setting in args.ansible_env)))
    head = '%-10s %-10s %8s %8s %9s %9s  %-16s %7s %6s' % (
        'path', 'run', 'wall s', 'CPU s', 'peak MB', 'req/panel', 'methods/panel', 'changed', 'failed')
    print(head)
    print('-' * len(head))
    for r in rows:
        print('%-10s %-10s %8.2f %8.2f %9.0f %9.2f  %-16s %7d %6d' % (
            r['path'], r['run'], r['wall'], r['cpu'], r['rss'], r['requests'], r['detail'],
            r['changed'], r['failed']))
    by = dict(((r['path'], r['run']), r) for r in rows)
    ratios = (('controller', 'plain'), ('module', 'controller'), ('module', 'plain'))
    lines = []
    for run in RUNS:
        for a, b in ratios:
            if (a, run) in by and (b, run) in by:
                lines.append('%-10s %s / %s: wall %.1fx, CPU %.1fx' % (
                    run, a, b, by[a, run]['wall'] / by[b, run]['wall'], by[a, run]['cpu'] / max(by[b, run]['cpu'], 1e-9)))
    floor = [r for r in rows if r['path'] == 'debug']
    if floor:
        for run in RUNS:
            if ('controller', run) in by:
                lines.append('%-10s controller / debug: wall %.1fx, CPU %.1fx (the debug run: %.1f ms CPU per host, '
                             'start-up included)' % (
                                 run, by['controller', run]['wall'] / floor[0]['wall'],
                                 by['controller', run]['cpu'] / floor[0]['cpu'], floor[0]['cpu'] * 1000 / args.panels))
    if lines:
        print('\nratios (same run, same machine):')
        print('\n'.join(lines))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ['--plain']:
        return plain_main(argv[1:])
    if any(arg == '--playbook' or arg.startswith('--playbook=') for arg in argv):
        import playbook_benchmark  # pylint: disable=import-outside-toplevel  # beside this file
        return playbook_benchmark.main(argv)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--panels', type=int, default=200, help='simulated panels (default 200)')
    parser.add_argument('--forks', type=int, default=20, help='ansible forks and plain threads (default 20)')
    parser.add_argument('--paths', default=','.join(PATHS),
                        help='comma-separated subset of %s (default: all)' % ','.join(PATHS))
    parser.add_argument('--skip-module-path', action='store_true', help='leave out the (slow) module path')
    parser.add_argument('--strategy', default='linear', help='play strategy (default linear)')
    parser.add_argument('--ansible-env', action='append', default=[], metavar='NAME=VALUE',
                        help='an Ansible setting for the ansible-playbook runs, e.g. ANSIBLE_INJECT_FACT_VARS=false '
                             '(repeatable)')
    parser.add_argument('--sweep', default='', metavar='VARIANTS',
                        help='also measure the idempotent controller run under Ansible settings, comma-separated: '
                             '%s (e.g. --sweep baseline,free,no-fact-vars,forks-half,forks-double)' % ', '.join(VARIANTS))
    parser.add_argument('--repeat', type=int, default=3, help='repeats of each --sweep variant (default 3)')
    parser.add_argument('--python', default=sys.executable, help='Python of the simulator and the modules')
    parser.add_argument('--ansible-playbook', default=os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                        help='ansible-playbook to run (default: the one beside this Python)')
    parser.add_argument('--keep', action='store_true', help='keep the work directory (outputs of every run)')
    args = parser.parse_args(argv)
    paths = [p for p in args.paths.split(',') if p and not (args.skip_module_path and p == 'module')]
    unknown = set(paths) - set(PATHS)
    if unknown:
        parser.error('unknown path(s): %s' % ', '.join(sorted(unknown)))

    limit = raise_fd_limit(args.panels)
    workdir = tempfile.mkdtemp(prefix='sipfleet-bench-')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path(workdir), ANSIBLE_NOCOLOR='1',
               ANSIBLE_HOST_KEY_CHECKING='0', ANSIBLE_RETRY_FILES_ENABLED='0')
    for setting in args.ansible_env:
        name, _sep, value = setting.partition('=')
        env[name] = value
    print('work directory %s, open files limit %d' % (workdir, limit), file=sys.stderr)
    fleet = Fleet(args.python, args.panels, workdir)
    rows = []
    try:
        write_inventory(os.path.join(workdir, 'inventory.ini'), fleet, args.python)
        write_playbook(os.path.join(workdir, 'playbook.yml'), args.strategy)
        for path in paths:
            rows.extend(run_path(path, args, fleet, workdir, env))
        samples = sweep(args, fleet, workdir, env) if args.sweep else None
    finally:
        fleet.stop()
    if rows:
        print_table(rows, args)
    if samples:
        print_sweep(samples, args)
    bad = [r for r in rows if r['rc'] != 0 or r['failed']]
    if args.keep or bad:
        print('outputs of every run kept in %s' % workdir, file=sys.stderr)
    else:
        shutil.rmtree(workdir)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
