# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` in the test process and read what it prints, as Ansible does."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import PASS_VARS, remove_values
from ansible.module_utils.testing import patch_module_args

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

# ansible-core 2.21+ adds a module's invocation only when INJECT_INVOCATION asks for it (the
# internal argument below); the tests read the invocation, so they ask for it.
INVOCATION = dict(_ansible_inject_invocation=True) if 'inject_invocation' in PASS_VARS else {}


def module_output(module, args, capsys):
    """The JSON result ``module.main()`` prints for ``args`` (internal ``_ansible_*`` keys allowed)."""
    with patch_module_args(dict(INVOCATION, **args)):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    # ansible-core 2.22+: a module no longer removes its no_log values from its result; it lists the
    # secrets it saw in _ansible_new_secrets and Ansible redacts them wherever it shows the result.
    # The tests compare what is shown: the result with those secrets and the values of the module's
    # no_log options removed, as the module itself removed them before (a no-op there).
    secrets = set(result.pop('_ansible_new_secrets', None) or ()) | _no_log_values(module, args)
    return remove_values(result, secrets) if secrets else result


def _no_log_values(module, args):
    """The values the module's no_log options take for ``args`` (environment fallbacks included)."""
    specs = [value for value in vars(module).values() if isinstance(value, ModuleSpec)]
    if not specs:
        return set()
    validated = ArgumentSpecValidator(**specs[0].options.validator_kwargs()).validate(
        dict((key, value) for key, value in args.items() if not key.startswith('_ansible_')))
    return set(specs[0].options.secret_values(dict(args, **validated.validated_parameters)))
