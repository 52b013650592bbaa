# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Work on many items shared between processes: this one and forked children.

Python's global interpreter lock binds the CPU work of one process (a thread pool's HTTP
parsing, templating) to one CPU. A fleet task runs while Ansible's own processes wait for it,
so the controller's other CPUs are free: the items are split between this process and forked
children, each returning its part through a pipe.
"""

from __future__ import annotations

import os
import pickle
import traceback

MAX_PROCESSES = 4


def shared_strings(value, text=str):
    """``value`` (JSON types) with equal strings as one object, keys and values; ``text`` makes
    the object of each distinct string (``str`` itself by default).

    Pickle sends an object met twice once, so a result built this way crosses to another process
    (Ansible's result queue, the pipes below) and is held there with every distinct string once: a
    fleet's results repeat the same few values (a realm, a transport, a proxy) for every panel.
    Only plain ``str`` is shared; subclasses (tagged or unsafe strings) are kept as they are.
    """
    cache = {}

    def share(item):
        if type(item) is str:  # pylint: disable=unidiomatic-typecheck
            found = cache.get(item)
            if found is None:
                found = cache[item] = text(item)
            return found
        if isinstance(item, dict):
            return dict((share(key), share(entry)) for key, entry in item.items())
        if isinstance(item, list):
            return [share(entry) for entry in item]
        return item
    return share(value)


def process_count(items, per_process):
    """One process per CPU this process may use (at most MAX_PROCESSES), each with at least
    ``per_process`` items; 1 where ``os.fork`` does not exist."""
    if not hasattr(os, 'fork'):
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_PROCESSES, len(items) // max(per_process, 1)))


def map_shares(function, items, processes):
    """``function(share)`` for ``processes`` shares of ``items`` (every n-th item), the first in
    this process, the others in forked children; the concatenated lists, shares in order.

    ``function`` returns a list of picklable values; the children are forked before this process
    runs its own share (so before it starts any thread). A child that fails raises here.
    """
    shares = [items[index::processes] for index in range(max(processes, 1))]
    children = []
    for share in shares[1:]:
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child, measured by its results
            os.close(reader)
            try:
                data, code = pickle.dumps(function(share)), 0
            except BaseException:  # pylint: disable=broad-exception-caught
                data, code = pickle.dumps(traceback.format_exc()), 1
            with os.fdopen(writer, 'wb') as out:
                out.write(data)
            os._exit(code)  # pylint: disable=protected-access
        os.close(writer)
        children.append((pid, reader))
    done = list(function(shares[0]))
    for pid, reader in children:
        with os.fdopen(reader, 'rb') as answer:
            data = answer.read()
        status = os.waitpid(pid, 0)[1]
        part = pickle.loads(data) if data else 'the process ended without an answer'
        if status != 0 or not isinstance(part, list):
            raise RuntimeError('a forked process failed: %s' % part)
        done.extend(part)
    return done
