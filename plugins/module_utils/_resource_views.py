# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the resource engine shows an object: the masking convention, ``--diff`` data and the
module's result (``_resource.py`` re-exports these names; the engine calls them).

Fields and adapters are those of ``_resource.py``: a field's ``name``, ``option``,
``write_only`` and ``apart``; an adapter's ``fields``, ``result_key``, ``settable``,
``shown()`` and ``diff_view()``.
"""

from __future__ import annotations

import copy

MASK = '<hidden>'
"""Stands for a write-only value in returned objects and diffs."""
MASK_SENT = '<hidden, sent>'
"""Stands for a write-only value that this run sends (diff ``after`` only)."""


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


def build_diff(fields, before, after, sent=()):
    """``--diff`` data: a write-only field only appears, masked, when this run sends it (``sent``
    names those): after as :data:`MASK_SENT`, before as :data:`MASK` where it was."""
    before, after = mask_secrets(fields, before), mask_secrets(fields, after)
    for field in fields:
        if field.write_only and field.name in sent:
            after[field.name] = MASK_SENT
        elif field.write_only:
            before.pop(field.name, None)
            after.pop(field.name, None)
    return dict(before=before, after=after)


def outcome_diff(adapter, outcome):
    """``--diff`` data of an outcome of ``converge()``, as ``adapter`` shows its objects; a field
    kept ``apart`` appears only when the run changes it."""
    shown = build_diff(adapter.fields, adapter.diff_view(outcome.before), adapter.diff_view(outcome.obj),
                       outcome.sent)
    for field in adapter.fields:
        if field.apart and field.name not in outcome.changes:
            shown['before'].pop(field.name, None)
            shown['after'].pop(field.name, None)
    return shown


def module_result(adapter, outcome, params, diff=False):
    """The module's result of ``outcome``: ``changed``; ``changes`` (option names) and ``diff``
    (with ``--diff``) when the object is ``settable``; the object as ``adapter.shown()`` shows it,
    write-only values masked, under ``adapter.result_key`` (its keys at the top of the result when
    that is None); each field kept ``apart`` beside it when the task set it; ``warnings``."""
    result = dict(changed=outcome.changed)
    if adapter.settable:
        result['changes'] = [_option(adapter.fields, name) for name in outcome.changes]
    shown = mask_secrets(adapter.fields, adapter.shown(outcome.obj))
    apart = dict((f.name, shown.pop(f.name, None)) for f in adapter.fields if f.apart and f.name in shown)
    if adapter.result_key:
        result[adapter.result_key] = shown
    else:
        result.update(shown)
    result.update((f.name, apart.get(f.name)) for f in adapter.fields if f.apart and params.get(f.option) is not None)
    if outcome.warnings:
        result['warnings'] = outcome.warnings
    if diff and adapter.settable:
        result['diff'] = outcome_diff(adapter, outcome)
    return result


def _option(fields, name):
    """The option that sets the field ``name`` (``changes`` name options)."""
    return next((field.option for field in fields if field.name == name), name)
