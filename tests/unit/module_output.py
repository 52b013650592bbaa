# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` in the test process and read what it prints, as Ansible does."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.common.parameters import PASS_VARS
from ansible.module_utils.testing import patch_module_args

# ansible-core 2.21+ adds a module's invocation only when INJECT_INVOCATION asks for it (the
# internal argument below); the tests read the invocation, so they ask for it.
INVOCATION = dict(_ansible_inject_invocation=True) if 'inject_invocation' in PASS_VARS else {}


def module_output(module, args, capsys):
    """The JSON result ``module.main()`` prints for ``args`` (internal ``_ansible_*`` keys allowed)."""
    with patch_module_args(dict(INVOCATION, **args)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)
