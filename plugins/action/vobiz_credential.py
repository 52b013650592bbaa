# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vobiz_credential in the controller when the task runs there (see plugin_utils/_controller_action.py)."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import VOBIZ_CREDENTIAL
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import ControllerAction


class ActionModule(ControllerAction):
    module = VOBIZ_CREDENTIAL
