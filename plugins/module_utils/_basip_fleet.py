# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``basip_sip_fleet``: ``basip_sip`` (or ``basip_sip_info``) on many panels in one task.

Every panel's options (``defaults`` under the panel's own) are validated with the panel
module's argument spec and input checks before any request to any panel; a panel with bad
options fails alone. The valid panels then run ``BASIP_SIP`` (or ``BASIP_SIP_INFO``) in a
bounded thread pool, each in its own HTTP session and with its own :func:`collect_notes`
(``ModuleSpec.result`` opens one per call); the secrets every panel registered are
registered again for the whole task, in the calling thread.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import (
    BASIP_SIP, BASIP_SIP_INFO, ensure_sip_settings,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._http import InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import register_secret, warn_once
from ansible_collections.sipfleet.provision.plugins.module_utils._processes import map_shares, process_count
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Options
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec, validate_args

MAX_WORKERS = 100
LISTED_FAILURES = 10
PANELS_PER_PROCESS = 100


class _PanelModule:
    """What a panel runs in one mode: the module's name, its spec and a validator built once."""

    def __init__(self, name, spec, without=()):
        kwargs = spec.options.validator_kwargs()
        for option in without:
            kwargs['argument_spec'].pop(option)
        self.name, self.spec = name, spec
        self.no_log = frozenset(key for key, value in kwargs['argument_spec'].items() if value.get('no_log'))
        self.validator = ArgumentSpecValidator(**kwargs)


_CONVERGE = _PanelModule('sipfleet.provision.basip_sip', BASIP_SIP)
_CONVERGE_AND_READ = _PanelModule('sipfleet.provision.basip_sip', ModuleSpec(
    functools.partial(ensure_sip_settings, read_registration=True), BASIP_SIP.options))
_READ = _PanelModule('sipfleet.provision.basip_sip_info', BASIP_SIP_INFO, without=('query',))
_MODES = dict(read=_READ, converge=_CONVERGE, converge_and_read=_CONVERGE_AND_READ)


def _mode(params):
    if params['read']:
        return 'read'
    return 'converge_and_read' if params['registration'] else 'converge'


def _merged(defaults, panel):
    """The panel's options over ``defaults`` (a null value of the panel keeps the default)."""
    merged = dict(defaults or {})
    merged.update((key, value) for key, value in (panel.get('options') or {}).items() if value is not None)
    return merged


def _argument_secrets(args):
    """The ``no_log`` values given in any panel's options or in ``defaults``, whatever their shape."""
    def values(options):
        if isinstance(options, dict):
            for key in _CONVERGE.no_log | _READ.no_log:
                value = options.get(key)
                if value not in (None, '') and not isinstance(value, bool):
                    yield str(value)
    found = set(values(args.get('defaults')))
    for panel in args.get('panels') if isinstance(args.get('panels'), list) else ():
        found.update(values(panel.get('options')) if isinstance(panel, dict) else ())
    return found


def _check_fleet(params):
    errors = []
    if not 1 <= params['max_workers'] <= MAX_WORKERS:
        errors.append('max_workers must be from 1 to %d' % MAX_WORKERS)
    seen, repeated = set(), []
    for panel in params['panels']:
        if panel['host'] in seen and panel['host'] not in repeated:
            repeated.append(panel['host'])
        seen.add(panel['host'])
    if repeated:
        errors.append('every host of panels must be unique; given more than once: %s' % ', '.join(repeated))
    if any(not panel['host'] for panel in params['panels']):
        errors.append('every host of panels must be a non-empty name')
    return errors


def _validated(module, merged):
    """``(params, None)`` for a panel whose options pass the module's checks, else ``(None, failure)``.
    Every ``no_log`` value of the panel (read from the environment too) is registered."""
    params, no_log_values, error = validate_args(module.validator, merged, module.name)[:3]
    for value in no_log_values:
        register_secret(value)
    if error is None:
        try:
            module.spec.options.check(params)
        except InputError as exc:
            error = str(exc)
    return (None, dict(failed=True, msg=error)) if error else (params, None)


def _run_panel(module, params, check_mode, diff):
    """One panel's result and the secrets it registered (runs in a worker thread)."""
    def crashed(exc):
        return dict(failed=True, msg='%s failed in basip_sip_fleet: %s: %s' % (module.name, type(exc).__name__, exc))
    result, notes = module.spec.result(params, check_mode=check_mode, diff=diff, crashed=crashed)
    return result, notes.secrets


def _run_many(mode, runs, check_mode=False, diff=False, workers=1):
    """``[(host, result, secrets)]`` of ``runs`` (``(host, params)``), ``workers`` at a time."""
    module = _MODES[mode]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(runs)))) as pool:
        futures = [(host, pool.submit(_run_panel, module, params, check_mode, diff)) for host, params in runs]
        return [(host,) + future.result() for host, future in futures]


def _in_processes(mode, runs, check_mode, diff, workers):
    """``_run_many`` over ``runs`` shared between processes (``_processes.py``), ``workers``
    threads in all."""
    processes = process_count(runs, PANELS_PER_PROCESS)
    threads = -(-workers // processes)
    return map_shares(functools.partial(_run_many, mode, check_mode=check_mode, diff=diff, workers=threads),
                      runs, processes)


def _summary(results, failed):
    listed = ', '.join(failed[:LISTED_FAILURES])
    if len(failed) > LISTED_FAILURES:
        listed += ' and %d more' % (len(failed) - LISTED_FAILURES)
    return '%d of %d panels failed: %s' % (len(failed), len(results), listed)


def ensure_fleet(params, check_mode=False, diff=False):
    """Converge (or read) every panel of ``params['panels']``; the result keyed by host."""
    mode = _mode(params)
    module = _MODES[mode]
    results, runs = {}, []
    for panel in params['panels']:
        panel_params, results[panel['host']] = _validated(module, _merged(params['defaults'], panel))
        if panel_params is not None:
            runs.append((panel['host'], panel_params))
    if runs:
        for host, result, secrets in _in_processes(mode, runs, check_mode, diff, params['max_workers']):
            results[host] = result
            for secret in secrets:
                register_secret(secret)
            for warning in result.get('warnings') or ():
                warn_once('%s: %s' % (host, warning))
    failed = sorted(host for host, result in results.items() if result.get('failed'))
    result = dict(changed=any(r.get('changed') for r in results.values()), panels=results, failed_hosts=failed)
    if failed:
        result.update(failed=True, msg=_summary(results, failed))
    return result


FLEET_OPTIONS = dict(
    panels=dict(type='list', elements='dict', required=True, options=dict(
        host=dict(type='str', required=True),
        options=dict(type='dict', default={}),
    )),
    defaults=dict(type='dict', default={}),
    read=dict(type='bool', default=False),
    registration=dict(type='bool', default=False),
    max_workers=dict(type='int', default=20),
)

BASIP_SIP_FLEET = ModuleSpec(ensure_fleet, Options(extra=FLEET_OPTIONS, check=_check_fleet), secrets=_argument_secrets)
"""The module ``basip_sip_fleet``."""
