# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Desired-vs-current engine shared by every module.

A service describes its object once, as a table of :class:`Field`. The engine
then compares only what the user set, normalising both sides; leaves write-only
fields out of the comparison; builds the object the service will hold after an
update (the same in check mode and in a real run); and produces ``--diff``
before/after with secrets masked.
"""

from __future__ import annotations

import copy

MASK = '<hidden>'
"""Stands for a write-only value in returned objects and diffs."""
MASK_SENT = '<hidden, sent>'
"""Stands for a write-only value that this run sends (diff ``after`` only)."""


class Field:
    """One attribute of a service object.

    ``normalise`` maps a value to its comparable form (both sides). ``write_only``
    values are never compared, returned or shown. ``read_only`` values are shown
    but never sent. ``children`` makes a nested object whose set keys are compared
    one by one. ``absent_is_unknown`` skips the compare when the service's answer
    lacks the key (a field some API versions do not return).
    """

    def __init__(self, name, normalise=None, write_only=False, read_only=False,
                 children=None, absent_is_unknown=False):
        self.name = name
        self.normalise = normalise or (lambda value: value)
        self.write_only = write_only
        self.read_only = read_only
        self.children = children
        self.absent_is_unknown = absent_is_unknown


def desired_state(fields, params):
    """The values the user set (None means "not set"), nested objects pruned the same way."""
    desired = {}
    for field in fields:
        value = params.get(field.name)
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
    for field in fields:
        if field.name not in desired or field.write_only:
            continue
        if field.absent_is_unknown and field.name not in current:
            continue
        want, have = desired[field.name], current.get(field.name)
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


def mask_secrets(fields, obj, mask=MASK):
    """A copy of ``obj`` in which every write-only field present is replaced by ``mask``."""
    masked = copy.deepcopy(obj)
    for field in fields:
        if field.name not in masked:
            continue
        if field.write_only:
            masked[field.name] = mask
        elif field.children and isinstance(masked[field.name], dict):
            masked[field.name] = mask_secrets(field.children, masked[field.name], mask)
    return masked


def build_diff(fields, before, after, secrets_sent=False):
    """``--diff`` data: write-only fields only appear, masked, when this run sends them."""
    before = mask_secrets(fields, before)
    after = mask_secrets(fields, after, MASK_SENT if secrets_sent else MASK)
    for field in fields:
        if field.write_only and not secrets_sent:
            before.pop(field.name, None)
            after.pop(field.name, None)
    return dict(before=before, after=after)


def ensure_state(fields, params, current, update_secrets='on_change'):
    """Plan an update of ``current`` towards the user's ``params``.

    Returns ``(changes, after)``: the differing field names, and the object the
    service will hold afterwards (``current`` itself when nothing changes).
    Write-only values the user gave are part of ``after`` whenever an update is
    sent; ``update_secrets='always'`` counts them as a change on every run.
    """
    desired = desired_state(fields, params)
    changes = changed_fields(fields, desired, current)
    if update_secrets == 'always':
        changes.extend(f.name for f in fields if f.write_only and f.name in desired)
    if not changes:
        return [], current
    return changes, simulate_update(current, desired)
