# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests a vobiz_credential_set run sends, counted from the simulator's request log.

    PYTHONPATH=<dir holding ansible_collections> python tests/perf/vobiz_set_requests.py [--count 500] [--page-size 100]

Scenarios on one simulated account: create the set from nothing, converge again,
change some (disable, describe, re-create some deleted out of band), purge a tail.
Each line shows the requests by kind and the expected count, ceil(listed / page size)
list requests plus one request per change (a create is one POST, plus one PUT only
when enabled/description differ from the created credential). The same assertions
run as unit tests (tests/unit/plugins/module_utils/test_vobiz_set.py).
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import time

from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import (
    VOBIZ_CREDENTIAL_SET, ensure_credential_set,
)
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet


def kinds(log):
    counts = collections.Counter()
    for entry in log:
        kind = 'list' if entry['path'].endswith('/trunks/credentials') else entry['method']
        counts[kind] += 1
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--count', type=int, default=500)
    parser.add_argument('--page-size', type=int, default=100)
    args = parser.parse_args(argv)
    count, size = args.count, args.page_size
    simulator, urls = start_fleet(vobiz=True)
    app = simulator.targets['vobiz']['app']
    params = dict((name, spec.get('default')) for name, spec in VOBIZ_CREDENTIAL_SET.options.argument_spec().items())
    params.update(auth_id=app.auth_id, auth_token=app.auth_token, api_url=urls['targets']['vobiz'], page_size=size)
    wanted = [dict(username='fleet%05d' % i, password='Pw-fleet-%05d' % i, enabled=None, description=None)
              for i in range(count)]
    tenth = max(1, count // 10)

    def disable_and_describe():
        for item in wanted[:tenth]:
            item['enabled'] = False
        for item in wanted[tenth:tenth + tenth // 2]:
            item['description'] = 'site ' + item['username']
        for item in wanted[tenth:tenth + tenth // 4]:  # deleted out of band: re-created, POST + PUT
            app.credentials.pop(app.by_username(item['username'])['id'])
    gone = tenth // 4
    scenarios = [
        ('create %d from nothing' % count, None, dict(), 1, count),
        ('converged, same set', None, dict(), math.ceil(count / size), 0),
        ('%d disabled, %d described (%d of them re-created)' % (tenth, tenth // 2, gone), disable_and_describe,
         dict(), math.ceil((count - gone) / size), tenth + tenth // 2 + gone),
        ('purge the last %d' % tenth, None, dict(purge=True, purge_prefix='fleet', keep=count - tenth),
         math.ceil(count / size), tenth),
        ('converged after purge', None, dict(purge=True, purge_prefix='fleet', keep=count - tenth),
         math.ceil((count - tenth) / size), 0),
    ]
    failed = False
    print('%d credentials, page size %d' % (count, size))
    for name, before, options, lists, changes in scenarios:
        if before:
            before()
        keep = options.pop('keep', count)
        with simulator.lock:
            del simulator.log[:]
        started = time.monotonic()
        result = ensure_credential_set(dict(params, credentials=wanted[:keep], **options))
        elapsed = time.monotonic() - started
        counts = kinds(simulator.log)
        expected = lists + changes
        ok = counts['list'] == lists and sum(counts.values()) == expected
        failed |= not ok
        print('%-50s %5d requests (list %d, POST %d, PUT %d, DELETE %d); expected %d (%d list + %d for changes) '
              '%s  added %d updated %d removed %d untouched %d  %.2fs'
              % (name, sum(counts.values()), counts['list'], counts['POST'], counts['PUT'], counts['DELETE'],
                 expected, lists, changes, 'OK' if ok else 'MISMATCH', len(result['added']),
                 len(result['updated']), len(result['removed']), len(result['untouched']), elapsed))
    simulator.stop()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
