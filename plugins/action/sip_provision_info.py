# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sip_provision_info in the controller when the task runs there (see plugin_utils/_controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import SIP_PROVISION_INFO
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import ControllerAction


class ActionModule(ControllerAction):
    module = SIP_PROVISION_INFO
