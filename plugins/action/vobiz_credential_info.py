# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_credential_info in the controller when the task runs there (see plugin_utils/controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils.vobiz import (
    credential_info, credential_info_argument_spec,
)
from ansible_collections.sipfleet.provision.plugins.module_utils.query import QUERY_REQUIREMENT
from ansible_collections.sipfleet.provision.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    argument_spec = staticmethod(credential_info_argument_spec)
    function = staticmethod(credential_info)
    requirements = (QUERY_REQUIREMENT,)
