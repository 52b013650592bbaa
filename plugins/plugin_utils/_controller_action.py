# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's logic inside the controller when the task runs on the controller.

Every module of this collection talks to an HTTP API from the controller. Running
it as a module costs a process, the packaging of the module and a Python start-up
for every host of every task (0.3-0.4 s of CPU each); an action plugin does the
same HTTP work inside the worker process that Ansible has already forked.

An action plugin of this collection is a few lines::

    from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
    from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import (
        ControllerAction)


    class ActionModule(ControllerAction):
        module = BASIP_SIP

``module`` is the ``ModuleSpec`` (module_utils/_runner.py) the module's ``main()``
runs: its options, its logic ``fn(params, check_mode=False, diff=False) -> dict``
(raising ``ApiError`` on failure) and the libraries it needs.

Which path runs
---------------
The logic runs in the controller (the *controller path*) when the task's
connection is ``local`` (``connection: local``, ``delegate_to: localhost``, or
an inventory host with ``ansible_connection: local``). It runs the module (the
*module path*, exactly what Ansible does without an action plugin) when:

- the connection is anything else (the task runs on a remote host);
- the task uses ``become`` (the module then runs as the become user);
- the task is ``async``;
- the environment variable ``SIPFLEET_FORCE_MODULE`` is set to a true value
  (``1``, ``true``, ``yes``, ``on``) in the controller's environment, or the
  variable ``sipfleet_force_module`` is true for the host (inventory, play or task
  ``vars``).

Both paths behave the same: the options are validated by the module's
argument spec with the module's error messages; check mode and ``--diff`` come
from the task; results carry ``invocation.module_args`` with every ``no_log``
value masked and every ``no_log`` value removed from the whole result (as
``AnsibleModule.exit_json`` does); a missing ``requests`` fails with
``missing_required_lib('requests')``; options read from environment variables
(``env_fallback``) see the controller's environment plus the task's
``environment:``, which is applied around the call and restored afterwards.

Differences that remain: the controller path uses the controller's Python (so
``requests`` must be installed there, not under ``ansible_python_interpreter``);
it does not run interpreter discovery, so its result has no
``ansible_facts.discovered_interpreter_python``, and a service that cannot be
reached at all (connection refused, no route, connect timeout, after the retries)
makes the host *unreachable* on the controller path, where the module path can
only report the task failed. Secrets the logic derived or received (a password
digest, a token: ``_notes.register_secret``) are removed from the result on both.
"""

from __future__ import annotations

import contextlib
import json
import netrc  # noqa: F401 pylint: disable=unused-import
import os
import warnings

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

# Imported here, at the import of the action plugin, so that the main process
# loads requests once and every forked worker inherits it (netrc too: requests
# imports it on its first request).
from ansible_collections.sipfleet.provision.plugins.module_utils._http import HAS_REQUESTS, HttpClient
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import NO_LOG_MARKER
from ansible_collections.sipfleet.provision.plugins.plugin_utils._occurrences import occurring_in
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import register_with_ansible, validate_args

display = Display()

FORCE_MODULE_ENV = 'SIPFLEET_FORCE_MODULE'
"""Environment variable of the controller: a true value always runs the module."""
FORCE_MODULE_VAR = 'sipfleet_force_module'
"""Host or play variable: a true value runs the module for that host."""

LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local', 'ansible.legacy.local'))


def force_module_path(environ=None, task_vars=None, templar=None):
    """True when the switch asks for the module path (environment variable or variable)."""
    environ = os.environ if environ is None else environ
    if boolean(environ.get(FORCE_MODULE_ENV) or False, strict=False):
        return True
    value = (task_vars or {}).get(FORCE_MODULE_VAR, False)
    if templar is not None and isinstance(value, str):
        value = templar.template(value)
    return boolean(value or False, strict=False)


@contextlib.contextmanager
def task_environment(environment):
    """Apply the task's ``environment:`` to ``os.environ`` for the duration, then restore it."""
    saved = dict((key, os.environ.get(key)) for key in environment)
    try:
        for key, value in environment.items():
            os.environ[key] = str(value)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def plain_args(args):
    """The task's arguments as the module receives them: JSON types (no templating tags)."""
    try:
        return json.loads(json.dumps(args))
    except (TypeError, ValueError):
        return dict(args)


_EXACT = object()  # a string equal to a secret, while masking


def _map_leaves(value, leaf):
    """A copy of ``value`` (JSON types) with ``leaf(item)`` for every item that is no dict or list."""
    if isinstance(value, dict):
        return dict((key, _map_leaves(item, leaf)) for key, item in value.items())
    if isinstance(value, list):
        return [_map_leaves(item, leaf) for item in value]
    return leaf(value)


def _mask_exact(value, secrets):
    """A copy of ``value`` with every string equal to a secret replaced by ``_EXACT``."""
    return _map_leaves(value, lambda item: _EXACT if isinstance(item, str) and item in secrets else item)


def _finish(value, found):
    """``value`` with ``_EXACT`` as the no_log marker and ``found`` removed from every other leaf."""
    return _map_leaves(value, lambda item: NO_LOG_MARKER if item is _EXACT else
                       remove_values(item, found) if found else item)


def remove_secrets(value, secrets):
    """``remove_values(value, secrets)`` (Ansible's ``no_log`` masking) in time linear in the size
    of ``value`` and the number of secrets, for JSON types. ``remove_values`` tries every secret on
    every string: for a task holding a thousand passwords (a credential set, a fleet of panels) that
    is seconds of CPU. Here the strings equal to a secret are masked first, and only the secrets that
    still occur in some other string or number are tried on those."""
    secrets = frozenset(str(secret) for secret in secrets if secret not in (None, ''))  # '' would match everywhere
    if not secrets:
        return value
    masked = _mask_exact(value, secrets)
    # booleans too: ansible-core before 2.19 masks True when 'True' is a secret
    found = occurring_in(secrets, masked)
    # longest first (as remove_values does), equal lengths in a fixed order
    return _finish(masked, sorted(found, key=lambda secret: (-len(secret), secret)))


def inject_invocation(task_vars):
    """Whether results carry ``invocation``: ansible-core 2.21 added the INJECT_INVOCATION setting
    (default off); before it every module result had one."""
    try:
        return bool(C.config.get_config_value('INJECT_INVOCATION', variables=task_vars or {}))
    except AnsibleError:  # a release without the setting
        return True


def module_result(result, params, no_log_values, invocation=True):
    """The result as ``AnsibleModule.exit_json``/``fail_json`` returns it: JSON types,
    ``invocation.module_args`` when ``invocation``, every ``no_log`` value removed. A traceback
    (``exception``) is left out: an action's result carries none."""
    result = json.loads(json.dumps(result))
    result.pop('exception', None)
    if invocation:
        result.setdefault('invocation', dict(module_args=json.loads(json.dumps(params))))
    else:
        result.pop('invocation', None)
    preserved = dict((k, v) for k, v in result.items() if v is None or isinstance(v, bool))
    result = remove_secrets(result, no_log_values)
    result.update(preserved)
    result['_ansible_parsed'] = True
    return result


def run_in_controller(validator, spec, args, module_name, check_mode=False, diff=False, invocation=True):
    """Run the module's logic as its ``main()`` does and return the module's result.

    ``validator`` is an ``ArgumentSpecValidator`` of the module's options, ``spec`` the
    module's ``ModuleSpec`` (options, logic, libraries) and ``args`` the task's arguments.
    Secrets the logic derived or received are removed like ``no_log`` values.
    """
    args = plain_args(args)
    params, error = validate_args(validator, args, module_name)
    no_log_values = set(spec.options.secret_values(params)) | spec.argument_secrets(args)
    if error:
        result = dict(failed=True, msg=error)
    else:
        def crashed(exc):  # a bug: report it like a module crash, secrets removed below
            return dict(failed=True, msg='%s failed in the controller: %s: %s' % (module_name, type(exc).__name__, exc))
        with warnings.catch_warnings():
            # A module's Python warnings go to its stderr, which Ansible does not show.
            warnings.simplefilter('ignore')
            result, run_notes = spec.task_result(params, check_mode=check_mode, diff=diff, crashed=crashed)
        no_log_values.update(run_notes.secrets)
        if result.pop('unreachable', False):  # the service never answered: the host is unreachable
            result = dict(result, unreachable=True, changed=False)
            result.pop('failed')
    register_with_ansible(no_log_values)
    return module_result(result, params, no_log_values, invocation)


def warm_up():
    """Prepare (never send) requests through the HTTP client, once, in the main process.

    The first request of a process fills caches of requests, urllib3 and the ``abc``
    machinery (``isinstance`` checks against ``Mapping`` and friends). Done here, at
    the import of the action plugin in Ansible's main process, every forked worker
    inherits them warm: 1-2 ms of CPU less per host and task. Nothing is sent.
    """
    if not HAS_REQUESTS:
        return
    try:
        import requests
        client = HttpClient('http://127.0.0.1:9')
        session = client.session
        for method, kwargs in (('GET', dict(params=dict(user='u'))),
                               ('POST', dict(json=dict(a=dict(b=1)), headers=dict(Authorization='Bearer x')))):
            request = session.prepare_request(requests.Request(method, client.url('/warm-up'), **kwargs))
            session.merge_environment_settings(request.url, {}, None, None, None)
            adapter = session.get_adapter(request.url)
            connect = getattr(adapter, 'get_connection_with_tls_context', None)
            if connect is not None:
                connect(request, True)
            else:  # pragma: no cover - requests < 2.32
                adapter.get_connection(request.url)
        client.close()
    except Exception:  # pragma: no cover - an optimisation only
        pass


warm_up()


class ControllerAction(ActionBase):
    """Action plugin base: the module's logic in the controller, or the module itself.

    Subclasses set ``module``, the module's ``ModuleSpec``.
    """

    _supports_check_mode = True
    _supports_async = True

    module = None
    validator = None

    def __init_subclass__(cls, **kwargs):
        # Built once, when the plugin is imported in the main process; forks inherit it.
        super().__init_subclass__(**kwargs)
        if cls.module is not None:
            cls.validator = ArgumentSpecValidator(**cls.module.options.validator_kwargs())
            validate_args(cls.validator, {}, cls.__name__)  # warms the validator's code paths

    def runs_on_controller(self, task_vars):
        """True when the controller path applies (see the module docstring)."""
        if getattr(self._connection, 'transport', None) not in LOCAL_CONNECTIONS:
            return False
        if self._play_context.become or self._task.async_val:
            return False
        return not force_module_path(task_vars=task_vars, templar=self._templar)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        if not self.runs_on_controller(task_vars):
            return self.run_module(tmp, task_vars)
        result = super().run(tmp, task_vars)
        del tmp
        module_name = self._task.action
        display.vvv('running %s in the controller' % module_name, host=self._play_context.remote_addr)
        environment = {}
        self._compute_environment_string(environment)
        with task_environment(environment):
            result.update(run_in_controller(
                self.validator, self.module, self._task.args, module_name,
                check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                invocation=inject_invocation(task_vars)))
        return result

    def run_module(self, tmp, task_vars):
        """What Ansible's ``normal`` action does: run the module on the task's connection."""
        result = super().run(tmp, task_vars)
        del tmp
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
