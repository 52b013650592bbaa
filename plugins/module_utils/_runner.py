# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module's ``main()`` and its action plugin share (:class:`ModuleSpec`), and that ``main()``."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:  # ansible-core 2.22+ redacts the secrets registered with it wherever it shows a result
    from ansible.module_utils.secrets import register_secrets as _register_secrets
except ImportError:  # earlier releases: a module removes its no_log values from its result itself
    _register_secrets = None
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    HAS_REQUESTS, REQUESTS_IMPORT_ERROR, ApiError,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes, register_secret
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Options


class ModuleSpec:
    """A module: its options (an :class:`Options`, or a plain argument spec), its ``logic``
    ``(params, check_mode=False, diff=False) -> result`` (raising ApiError on failure)
    and the libraries it needs beyond ``requests``: ``(library, installed, import error,
    option)``, ``option`` naming the option that needs the library (None: always needed).
    ``secrets(args)``, when given, lists the values of the task's raw arguments that are as
    good as a password although no ``no_log`` option holds them (options nested in a free-form
    dict): they are removed from every result, a failed validation of the arguments included."""

    def __init__(self, logic, options, requirements=(), secrets=None):
        self.logic = logic
        self.options = options if isinstance(options, Options) else Options(extra=options)
        self.requirements = tuple(requirements)
        self.secrets = secrets

    def argument_secrets(self, args):
        """The values ``secrets(args)`` lists (none without that function)."""
        return set(self.secrets(args)) if self.secrets is not None else set()

    def execute(self, params, check_mode=False, diff=False):
        """Check the input (no request before it passes), then run the logic: its result, or ApiError."""
        self.options.check(params)
        return self.logic(params, check_mode=check_mode, diff=diff)

    def missing_library(self, params):
        """The failure of the first library ``params`` need that is not installed, or None."""
        libraries = (('requests', HAS_REQUESTS, REQUESTS_IMPORT_ERROR, None),) + self.requirements
        for name, available, import_error, option in libraries:
            if not available and (option is None or params.get(option)):
                return dict(failed=True, msg=missing_required_lib(name), exception=import_error)
        return None

    def task_result(self, params, check_mode=False, diff=False, crashed=None):
        """:meth:`execute` with the secrets registered: ``(result, notes)``, the task's result
        (``failed`` with the error's fields on an ApiError, plus ``unreachable`` when the request
        never reached the server; ``crashed(exc)`` when given for any other exception) and the
        :class:`RunNotes` (the secrets of the options and those derived, each in every form it
        may travel in; warnings) of the run."""
        with collect_notes() as notes:
            for secret in set(self.options.secret_values(params)) | self.argument_secrets(params):
                register_secret(secret)  # each in every form it may be echoed in
            result = self.missing_library(params)
            if result is None:
                try:
                    result = self.execute(params, check_mode=check_mode, diff=diff)
                except ApiError as exc:
                    result = dict(failed=True, **exc.to_result())
                    if exc.unreachable:
                        result['unreachable'] = True
                except Exception as exc:  # pylint: disable=broad-exception-caught
                    if crashed is None:
                        raise
                    result = crashed(exc)
        if notes.warnings:
            result['warnings'] = notes.warnings + list(result.get('warnings') or [])
        return result, notes


def validate_args(validator, args, module_name):
    """Validate ``args`` like ``AnsibleModule`` does (the collection's specs have no aliases and no
    deprecated options). Returns ``(params, error)``: the validated options and the module's error
    message or None."""
    result = validator.validate(args)
    params = dict(args)
    params.update(result.validated_parameters)
    message = None
    if result.errors.errors:
        message = result.errors.msg
        if isinstance(result.errors.errors[0], UnsupportedError):
            message = 'Unsupported parameters for (%s) module: %s' % (module_name, message)
    return params, message


class _Module(AnsibleModule):
    """``AnsibleModule`` that removes the spec's argument secrets also from a failed validation."""

    def __init__(self, spec, **kwargs):
        self._spec = spec
        super().__init__(**kwargs)

    def _load_params(self):
        super()._load_params()
        self.no_log_values.update(self._spec.argument_secrets(self.params))


def register_with_ansible(secrets):
    """Register ``secrets`` with ansible-core where it keeps a registry of them (2.22+)."""
    if _register_secrets is not None:
        _register_secrets(sorted(str(secret) for secret in secrets if secret not in (None, '')))


def run_module(spec):
    """Run ``spec`` (a :class:`ModuleSpec`) as an Ansible module and exit with its result."""
    module = _Module(spec, supports_check_mode=True, **spec.options.validator_kwargs())
    result, notes = spec.task_result(module.params, module.check_mode, module._diff)
    module.no_log_values.update(notes.secrets)
    register_with_ansible(module.no_log_values)
    result.pop('unreachable', None)  # a module's result cannot say so (the controller action does)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
