# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base of the collection's actions that only compute in the controller (no module, no request)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import shared_result


class LocalAction(ActionBase):
    """An action that runs in the controller and sends nothing. Subclasses set ``name`` and
    ``options`` (the option names) and implement ``act(args, task_vars)``, which returns the
    task's result (``failed`` and ``msg`` on bad input)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    name = None
    options = ()

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        unknown = sorted(set(self._task.args) - set(self.options))
        if unknown:
            return dict(result, failed=True, msg='Unsupported parameters for (%s) module: %s' % (self.name, ', '.join(unknown)))
        result.update(self.act(self._task.args, task_vars or {}))
        return shared_result(result)

    def act(self, args, task_vars):
        raise NotImplementedError
