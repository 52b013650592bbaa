# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource engine: one field table per resource, a small adapter per service, one ``ensure()``.

* :class:`Field` describes one option / attribute once: its argument-spec entry (type,
  choices, ``no_log``, env fallback, required/default), the service's default,
  ``write_only``/``read_only``, a normaliser for the compare and a validator.
* :class:`Options` turns a field table (plus the spec rules ``required_together``,
  ``mutually_exclusive``, ...) into the argument spec, and checks the input with the
  fields' validators before any request (:class:`InputError`, like an argument error).
* :class:`Adapter` is what a service writes: ``find``, ``create``, ``update``, ``delete``
  and, when the service answers a create with more than it was sent, ``simulate_create``.
* :func:`ensure` owns the lifecycle: find -> plan -> check-mode gate -> write -> result,
  with one masking convention (:data:`MASK`, :data:`MASK_SENT`), ``changes`` and ``diff``
  (how they are shown: ``_resource_views.py``, whose names are imported from here too).
"""

from __future__ import annotations

import copy

from ansible.module_utils.basic import env_fallback

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, InputError, check_url
from ansible_collections.sipfleet.provision.plugins.module_utils._resource_views import (  # pylint: disable=unused-import
    MASK, MASK_SENT, build_diff, mask_secrets, module_result, outcome_diff,
)

NO_LOG_MARKER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
"""What Ansible puts in place of a value equal to a ``no_log`` value."""
IDENTITIES = frozenset(('api_username', 'auth_id', 'client_id'))
"""Options naming who logs in: with the secret ones, where credentials belong (not in a URL)."""


class Field:
    """One option of a module and, unless ``control``, one attribute of the service's object.

    Argument spec: ``type``, ``choices``, ``no_log``, ``env`` (environment variables of the
    fallback), ``required``, ``default``, ``elements``, ``children`` (suboptions; a nested
    object whose set keys are compared one by one).

    Compare: ``normalise`` maps a value to its comparable form (both sides);
    ``write_only`` values are never compared, returned or shown (see :data:`MASK`);
    ``read_only`` values are returned but never an option nor sent; ``service_default`` is
    what the service holds when it does not say (compare and check-mode create);
    ``absent_is_unknown`` skips the compare when the service's answer lacks the key.

    ``validate(name, value)`` returns None or the reason ``value`` is refused (the whole
    message, naming the option); it runs on values the user set, before any request.
    ``control`` marks an option of the task (``state``, ``update_password``), not of the object.
    ``option`` names the module option that sets the attribute when their names differ (the
    result's ``changes`` name the option). ``apart`` marks an attribute kept by a request of its
    own beside the object (a switch): returned beside the object, in ``--diff`` only when it
    changes, and a change of it alone is no write of a ``whole_object`` (no secret sent with it).
    """

    def __init__(self, name, type='str', choices=None, no_log=None, env=None, required=False, default=None,
                 elements=None, children=None, normalise=None, validate=None, write_only=False, read_only=False,
                 service_default=None, absent_is_unknown=False, control=False, option=None, apart=False):
        self.name = name
        self.type, self.choices, self.no_log, self.env = type, choices, no_log, env
        self.required, self.default, self.elements = required, default, elements
        self.children = tuple(children) if children else None
        self.normalise = normalise or (lambda value: value)
        self.validate = validate
        self.write_only, self.read_only = write_only, read_only
        self.service_default = service_default
        self.absent_is_unknown = absent_is_unknown
        self.control, self.apart = control, apart
        self.option = option or name

    def spec(self):
        """This field's argument-spec entry."""
        entry = dict(type=self.type)
        for key in ('choices', 'default', 'elements', 'no_log'):
            if getattr(self, key) is not None:
                entry[key] = list(self.choices) if key == 'choices' else getattr(self, key)
        if self.required:
            entry['required'] = True
        if self.children:
            entry['options'] = argument_spec(self.children)
        if self.env:
            entry['fallback'] = (env_fallback, list(self.env))
        return entry


def argument_spec(fields):
    """The argument spec of a field table (``read_only`` fields are no options)."""
    return dict((field.name, field.spec()) for field in fields if not field.read_only)


def check_input(fields, params, prefix=''):
    """Every validator's complaint about the values the user set in ``params``."""
    errors = []
    for field in fields:
        value = params.get(field.name) if isinstance(params, dict) else None
        if value is None or field.read_only:
            continue
        if field.children:
            errors.extend(check_input(field.children, value, prefix + field.name + '.'))
        elif field.validate is not None:
            errors.append(field.validate(prefix + field.name, value))
    return [error for error in errors if error]


class Options:
    """A module's options: a field table, plain argument-spec entries (``extra``, such as the
    shared HTTP options) and the spec's rules (``required_together``, ``mutually_exclusive``,
    ``required_one_of``, ``required_if``, ``required_by``). ``check(params)`` may add
    cross-field checks: it returns a list of reasons."""

    def __init__(self, fields=(), extra=None, check=None, **rules):
        self.fields = tuple(fields)
        self.extra = dict(extra or {})
        self.rules = dict((key, value) for key, value in rules.items() if value)
        self.cross_check = check

    def argument_spec(self):
        spec = argument_spec(self.fields)
        spec.update(copy.deepcopy(self.extra))
        return spec

    def validator_kwargs(self):
        """Keyword arguments of ``AnsibleModule`` and ``ArgumentSpecValidator`` alike."""
        return dict(argument_spec=self.argument_spec(), **self.rules)

    def check(self, params):
        """Raise :class:`InputError` with every complaint about ``params`` (already spec-validated):
        the service URLs (options named ``*_url``) first, then the fields' and the cross checks."""
        spec = self.argument_spec()
        credentials = sorted(field.name for field in self.fields
                             if field.control and (field.no_log or field.name in IDENTITIES))
        errors = [check_url(name, params[name], credentials) for name in sorted(spec)
                  if name.endswith('_url') and params.get(name) is not None]
        errors.extend(check_input(self.fields, params))
        if self.cross_check is not None:
            errors.extend(self.cross_check(params))
        errors = [error for error in errors if error]
        if errors:
            raise InputError('; '.join(errors))

    def secret_values(self, params):
        """The values of ``params`` held by ``no_log`` options, nested options included."""
        return _no_log_values(self.argument_spec(), params)


def _no_log_values(spec, params):
    found = []
    for name, entry in spec.items():
        value = params.get(name) if isinstance(params, dict) else None
        if value is None:
            continue
        if entry.get('no_log'):
            found.extend(str(leaf) for leaf in (value if isinstance(value, (list, tuple)) else [value]))
        elif entry.get('options'):
            for item in value if isinstance(value, list) else [value]:
                found.extend(_no_log_values(entry['options'], item))
    return found


# --- compare and plan -----------------------------------------------------------------------

def resource_fields(fields):
    """The fields that are attributes of the service's object."""
    return tuple(field for field in fields if not field.control)


def desired_state(fields, params):
    """The values the user set (None means "not set"), nested objects pruned the same way."""
    desired = {}
    for field in resource_fields(fields):
        value = params.get(field.option)
        if value is None or field.read_only:
            continue
        if field.children:
            value = desired_state(field.children, value)
            if not value:
                continue
        desired[field.name] = value
    return desired


def changed_fields(fields, desired, current):
    """Names (dotted for nested keys) of the fields whose desired value differs from current."""
    changes = []
    for field in resource_fields(fields):
        if field.name not in desired or field.write_only:
            continue
        if field.absent_is_unknown and field.name not in current:
            continue
        want, have = desired[field.name], current.get(field.name, field.service_default)
        if field.children:
            nested = changed_fields(field.children, want, have if isinstance(have, dict) else {})
            changes.extend('%s.%s' % (field.name, name) for name in nested)
        elif _normalised(field, want) != _normalised(field, have):
            changes.append(field.name)
    return changes


def _normalised(field, value):
    if value is None:
        return None
    try:
        return field.normalise(value)
    except (TypeError, ValueError):
        return value


def simulate_update(current, desired):
    """The object the service holds after applying ``desired`` on ``current`` (deep merge)."""
    result = copy.deepcopy(current)
    for key, value in desired.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = simulate_update(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def plan_update(fields, params, current, update_secrets='on_change'):
    """Plan an update of ``current`` towards the user's ``params``.

    Returns ``(changes, after)``: the differing field names, and the object the
    service will hold afterwards (``current`` itself when nothing changes).
    Write-only values the user gave are part of ``after`` whenever an update is
    sent; ``update_secrets='always'`` counts them as a change on every run.
    """
    desired = desired_state(fields, params)
    changes = changed_fields(fields, desired, current)
    if update_secrets == 'always':
        changes.extend(f.name for f in resource_fields(fields) if f.write_only and f.name in desired)
    if not changes:
        return [], current
    return changes, simulate_update(current, desired)


# --- the service's side ------------------------------------------------------------------------

class WouldFail(ApiError):
    """Raised by :meth:`Adapter.check`: a real run cannot write (for example a secret the
    service needs is missing). A real run fails with it; check mode reports the change and
    warns, so that drift reports work without the secrets at hand."""


class Exists(Exception):
    """Raised by :meth:`Adapter.create` when the service says the object exists already (a
    concurrent or out-of-band create, HTTP 409): :func:`ensure` adopts ``current`` (or finds
    it again) and updates it instead."""

    def __init__(self, current=None):
        super().__init__('exists')
        self.current = current


class Adapter:
    """What a service implements for one resource; :func:`ensure` calls it.

    ``fields`` is the resource's field table, ``result_key`` the result key of the object,
    ``whole_object`` says whether an update sends the whole object (then write-only values
    go with every write) or only the changed fields (then only with ``update_secrets``);
    ``settable`` is False for an object no option sets (a token: got or revoked), whose
    result then has neither ``changes`` nor ``diff``.
    """

    fields = ()
    result_key = 'resource'
    whole_object = False
    settable = True

    def find(self, params):
        """The current object (a dict), or None when it does not exist."""
        raise NotImplementedError

    def create(self, desired):
        """Create the object from ``desired`` (the values the user set); return it."""
        raise ApiError('this object cannot be created')

    def simulate_create(self, desired):
        """The object a create of ``desired`` would return (check mode): service defaults and ``desired``."""
        obj = dict((f.name, f.service_default) for f in resource_fields(self.fields)
                   if f.service_default is not None)
        return simulate_update(obj, desired)

    def check(self, current, after, changes, desired):
        """Refuse a planned write before it is sent (both modes): raise :class:`WouldFail` or ApiError."""

    def check_delete(self, current):
        """Refuse a planned delete before it is sent (both modes), as :meth:`check` does."""

    def update(self, current, after, changes):
        """Write ``changes`` (field names) so that the service holds ``after``; return the new object."""
        raise ApiError('this object cannot be updated')

    def delete(self, current):
        """Delete the object; False when the service no longer knew it (then nothing changed)."""
        raise ApiError('this object cannot be deleted')

    def shown(self, obj):
        """``obj`` as the result shows it (write-only values are masked afterwards)."""
        return obj

    def diff_view(self, obj):
        """``obj`` as ``--diff`` shows it (write-only values are masked afterwards)."""
        return self.shown(obj)


class Outcome:
    """What :func:`converge` did to one object: ``changes`` (field names, all set fields for a
    create), ``obj`` (the object after, unmasked), ``before`` (unmasked), ``created``/``deleted``,
    ``sent`` (the write-only fields this run sends), and ``warnings``."""

    def __init__(self, changes, obj, before, created=False, deleted=False, sent=(), warnings=()):
        self.changes, self.obj, self.before = changes, obj, before
        self.created, self.deleted, self.sent = created, deleted, tuple(sent)
        self.warnings = list(warnings)

    @property
    def changed(self):
        return bool(self.changes) or self.created or self.deleted

    def diff(self, adapter):
        """``--diff`` data of this outcome, as ``adapter`` shows its objects."""
        return outcome_diff(adapter, self)


def converge(adapter, params, current, check_mode=False, state='present', update_secrets='on_change'):
    """Bring one object (``current``, or None when it does not exist) to ``params``."""
    fields = adapter.fields
    if state == 'absent':
        warnings = _unless_it_would_fail(adapter.check_delete, check_mode, current) if current is not None else []
        deleted = current is not None and (check_mode or adapter.delete(current) is not False)
        return Outcome([], {}, current or {}, deleted=deleted, warnings=warnings)
    desired = desired_state(fields, params)
    if current is None:
        try:
            obj = adapter.simulate_create(desired) if check_mode else adapter.create(desired)
            written = [f.name for f in resource_fields(fields) if f.name in desired]
            return Outcome(written, obj, {}, created=True,
                           sent=[f.name for f in fields if f.write_only and f.name in desired])
        except Exists as exc:
            current = exc.current if exc.current is not None else adapter.find(params)
            if current is None:
                raise ApiError('the service said the object exists, but it cannot be found') from None
    changes, after = plan_update(fields, params, current, update_secrets)
    if not changes:
        return Outcome([], current, current)
    warnings = _unless_it_would_fail(adapter.check, check_mode, current, after, changes, desired)
    obj = after if check_mode else adapter.update(current, after, changes)
    rewritten = [f.name for f in fields if f.name in changes and not f.apart]
    sent = [f.name for f in fields if f.write_only and f.name in desired
            and (f.name in changes or adapter.whole_object and rewritten)]
    return Outcome(changes, obj, current, sent=sent, warnings=warnings)


def _unless_it_would_fail(check, check_mode, *args):
    """Run an adapter's ``check``: :class:`WouldFail` fails a real run and is a warning in check mode."""
    try:
        check(*args)
    except WouldFail as exc:
        if not check_mode:
            raise
        return ['A real run would fail: %s' % exc.message]
    return []


def ensure(adapter, params, check_mode=False, diff=False, state='present', update_secrets='on_change'):
    """Find the object, converge it and return the module's result (``module_result()``):
    ``changed``, ``changes``, the object under ``adapter.result_key`` (write-only values as
    :data:`MASK`; ``{}`` when absent; as :meth:`Adapter.shown` shows it), ``diff`` with
    ``--diff`` (as :meth:`Adapter.diff_view` shows the objects) and ``warnings`` when there are any."""
    outcome = converge(adapter, params, adapter.find(params), check_mode, state, update_secrets)
    return module_result(adapter, outcome, params, diff)
