# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_result: this host's result, computed for it by a fleet task run once."""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.sipfleet.provision.plugins.plugin_utils._local_action import LocalAction

# What the recap, --diff and the drift report need of a module result: a per-host result is
# pickled, queued and handed to every callback, so the rest (settings, invocation) stays in the
# fleet task's result; warnings too, which the fleet task showed once with the host's name.
_KEYS = frozenset(('changed', 'failed', 'msg', 'diff', 'changes', 'registration', 'status', 'error_code', 'skipped'))


def _lookup(task_vars, path):
    """The value of ``path`` (a variable name, then keys after dots) in ``task_vars``, or None."""
    value = task_vars
    for key in path.split('.'):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


class ActionModule(LocalAction):
    """Return this host's result (``result``, or the first of ``results_from`` that holds it)."""

    name = 'host_result'
    options = ('result', 'results_from')

    def act(self, args, task_vars):
        if ('result' in args) == ('results_from' in args):
            return dict(failed=True, msg='host_result needs one of result or results_from')
        given = args['result'] if 'result' in args else self._find(task_vars, args['results_from'])
        if isinstance(given, str):  # what went wrong
            return dict(failed=True, msg=given)
        if not isinstance(given, Mapping):
            return dict(failed=True, msg='result must be a dict (the host\'s result), got %s' % type(given).__name__)
        result = dict((key, value) for key, value in given.items() if key in _KEYS)
        result['changed'] = bool(given.get('changed'))
        if given.get('unreachable'):  # the service never answered: the host is unreachable
            result.update(unreachable=True, changed=False)
            result.pop('failed', None)
        diff = result.get('diff')
        if not self._task.diff or (isinstance(diff, Mapping) and diff.get('before') == diff.get('after')):
            result.pop('diff', None)
        return result

    def _find(self, task_vars, paths):
        """The host's entry in the first of ``paths`` that has one (names of variables, not templates:
        nothing is compiled or rendered per host), or the reason there is none."""
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            return 'results_from must be a list of variable names'
        host = task_vars.get('inventory_hostname')
        for path in paths:
            found = _lookup(task_vars, path)
            if isinstance(found, Mapping) and host in found:
                return found[host]
        return 'no result for %s in %s' % (host, ', '.join(paths))
