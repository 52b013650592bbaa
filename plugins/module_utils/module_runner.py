# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``main()`` of every module: validate, check libraries, run the logic, report."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.sipfleet.provision.plugins.module_utils.http_client import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError,
)


def missing_library(requirements, params):
    """The failure of the first library that ``params`` need and that is not installed, or None.

    ``requirements`` are ``(library, installed, import error, option)`` beyond ``requests``;
    ``option`` names the option that needs the library (None: always needed).
    """
    libraries = (('requests', HAS_REQUESTS, REQUESTS_IMPORT_ERROR, None),) + tuple(requirements)
    for name, available, import_error, option in libraries:
        if not available and (option is None or params.get(option)):
            return dict(failed=True, msg=missing_required_lib(name), exception=import_error)
    return None


def run_module(argument_spec, function, requirements=()):
    """Run ``function(params, check_mode, diff)`` as an Ansible module and exit with its result."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    missing = missing_library(requirements, module.params)
    if missing:
        module.fail_json(**missing)
    try:
        result = function(module.params, module.check_mode, module._diff)
    except ApiError as exc:
        module.fail_json(**exc.to_result())
    for warning in result.pop('warnings', []):
        module.warn(warning)
    module.exit_json(**result)
