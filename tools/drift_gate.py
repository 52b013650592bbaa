# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CI gate on the JSON drift report of the ``sipfleet.provision.drift_report`` callback.

    python tools/drift_gate.py [--ansible-rc RC] [--quiet] drift-report/drift.json

Exit codes:
  0  no drift: every host ran and nothing would change
  2  drift: at least one task would change something
  3  the run failed: a task failed, a host was unreachable (for example a panel that does
     not answer, a wrong password), or --ansible-rc is not 0; what was reported is printed
  4  the report is missing, is not JSON, or is not a drift report this gate understands

A failed run wins over drift (3 before 2): the drift of a host that failed is not known.
``ansible-playbook`` itself exits 0 when hosts only report changes, hence this gate.
Standard library only (Python 3.7 or later).
"""

from __future__ import annotations

import argparse
import json
import sys

SCHEMA_VERSION = 1
CLEAN, DRIFT, FAILED, BAD_REPORT = 0, 2, 3, 4
HOST_STATUSES = ('clean', 'drift', 'failed', 'unreachable')


class BadReport(Exception):
    pass


def load(path):
    """The report at ``path``, checked enough to be trusted; raises BadReport."""
    try:
        with open(path, encoding='utf-8') as handle:
            report = json.load(handle)
    except OSError as exc:
        raise BadReport('cannot read %s: %s' % (path, exc.strerror or exc)) from None
    except ValueError as exc:
        raise BadReport('%s is not JSON: %s' % (path, exc)) from None
    if not isinstance(report, dict) or 'schema_version' not in report:
        raise BadReport('%s is not a drift report (no schema_version)' % path)
    if report['schema_version'] != SCHEMA_VERSION:
        raise BadReport('%s has schema_version %r; this gate reads version %d'
                        % (path, report['schema_version'], SCHEMA_VERSION))
    hosts = report.get('hosts')
    if not isinstance(hosts, dict) or not isinstance(report.get('summary'), dict):
        raise BadReport('%s has no hosts or summary' % path)
    for name, host in hosts.items():
        if not isinstance(host, dict) or host.get('status') not in HOST_STATUSES:
            raise BadReport('%s: host %s has no valid status' % (path, name))
    return report


def verdict(report, ansible_rc=0):
    """(exit code, lines to print) for a loaded report."""
    by_status = dict((status, []) for status in HOST_STATUSES)
    for name, host in sorted(report['hosts'].items()):
        by_status[host['status']].append(name)
    summary = report['summary']
    lines = []
    if not report.get('run', {}).get('check_mode', True):
        lines.append('warning: the report is of a run without --check (changes were applied)')
    if summary.get('status') == 'failed' and not (by_status['failed'] or by_status['unreachable']):
        by_status['failed'].append('(the run)')
    for status in ('drift', 'failed', 'unreachable'):
        if by_status[status]:
            lines.append('%s: %d host(s): %s' % (status, len(by_status[status]), ', '.join(by_status[status])))
    if ansible_rc:
        lines.append('ansible-playbook exited with %d' % ansible_rc)
    if by_status['failed'] or by_status['unreachable'] or ansible_rc:
        code, word = FAILED, 'RUN FAILED'
    elif by_status['drift'] or summary.get('status') == 'drift':
        code, word = DRIFT, 'DRIFT'
    else:
        code, word = CLEAN, 'NO DRIFT'
    lines.insert(0, 'drift gate: %s (%d hosts: %d clean, %d drifted, %d failed, %d unreachable)' % (
        word, len(report['hosts']), len(by_status['clean']), len(by_status['drift']),
        len(by_status['failed']), len(by_status['unreachable'])))
    return code, lines


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='drift_gate.py', description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('report', help='the drift.json the drift_report callback wrote')
    parser.add_argument('--ansible-rc', type=int, default=0, metavar='RC',
                        help="exit code of ansible-playbook ($?): not 0 means the run failed")
    parser.add_argument('--quiet', action='store_true', help='print nothing, only exit')
    args = parser.parse_args(argv)
    try:
        report = load(args.report)
    except BadReport as exc:
        if not args.quiet:
            print('drift gate: BAD REPORT: %s' % exc, file=sys.stderr)
        return BAD_REPORT
    code, lines = verdict(report, args.ansible_rc)
    if not args.quiet:
        print('\n'.join(lines))
    return code


if __name__ == '__main__':
    sys.exit(main())
