# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_credential_set in the controller when the task runs there (see plugin_utils/controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils.vobiz import (
    credential_set_argument_spec, ensure_credential_set,
)
from ansible_collections.sipfleet.provision.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    argument_spec = staticmethod(credential_set_argument_spec)
    function = staticmethod(ensure_credential_set)
