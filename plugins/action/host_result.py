# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_result: this host's result, computed for it by a fleet task run once."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

# What a module result may carry over; anything else (invocation, internal keys) stays out.
_KEYS = frozenset(('changed', 'failed', 'msg', 'diff', 'changes', 'settings', 'api_family', 'sip_enabled',
                   'registration', 'status', 'error_code', 'warnings', 'skipped'))


class ActionModule(ActionBase):
    """Return ``result`` as this host's task result (changed, failed, diff, ...)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        unknown = sorted(set(self._task.args) - {'result'})
        given = self._task.args.get('result')
        if unknown:
            return dict(result, failed=True, msg='Unsupported parameters for (host_result) module: %s' % ', '.join(unknown))
        if not isinstance(given, dict):
            return dict(result, failed=True, msg='result must be a dict (the host\'s result), got %s' % type(given).__name__)
        result.update((key, value) for key, value in given.items() if key in _KEYS)
        result['changed'] = bool(given.get('changed'))
        if given.get('unreachable'):  # the service never answered: the host is unreachable
            result.update(unreachable=True, changed=False)
            result.pop('failed', None)
        if not self._task.diff:
            result.pop('diff', None)
        return result
