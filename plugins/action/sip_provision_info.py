# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_provision_info in the controller when the task runs there (see plugin_utils/controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils.ringcentral import (
    argument_spec, sip_provision_info,
)
from ansible_collections.sipfleet.provision.plugins.module_utils.query import QUERY_REQUIREMENT
from ansible_collections.sipfleet.provision.plugins.plugin_utils.controller_action import ControllerAction


class ActionModule(ControllerAction):
    argument_spec = staticmethod(argument_spec)
    function = staticmethod(sip_provision_info)
    requirements = (QUERY_REQUIREMENT,)
