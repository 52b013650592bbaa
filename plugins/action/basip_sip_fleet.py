# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""basip_sip_fleet in the controller when the task runs there (see plugin_utils/_controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_fleet import BASIP_SIP_FLEET
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import ControllerAction


class ActionModule(ControllerAction):
    module = BASIP_SIP_FLEET
