# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Templating the same variables for many hosts, each template compiled once."""

from __future__ import annotations


def may_hold_template(value):
    """False for values that cannot hold a template (plain numbers, strings without ``{``):
    rendering them would return them unchanged, at the cost of a render. A vault-encrypted value
    is not a ``str`` (``EncryptedString``, ``AnsibleVaultEncryptedUnicode`` before 2.19): True."""
    if isinstance(value, str):
        return '{' in value
    return not isinstance(value, (bool, int, float, type(None)))


def compile_once(templar):
    """Let ``templar`` compile each template once, for all the hosts it renders it for.

    ansible-core compiles a variable's template each time it renders it (1 to 3 ms of Jinja
    compilation); a role default or a group variable is the same template for every host. The
    compiled template holds no variables (they are passed when it renders), so one compilation
    serves every host. ``templar`` must be the caller's own (a copy: it gets its own Jinja
    environment); where its environment cannot be reached, templates are compiled as usual.
    Returns ``templar``.
    """
    engine = getattr(templar, '_engine', None)  # ansible-core 2.19+ (Templar.environment is deprecated there)
    environment = engine.environment if engine is not None else getattr(templar, 'environment', None)
    compile_template = getattr(environment, 'from_string', None)
    if compile_template is None:
        return templar
    compiled = {}

    def from_string(source, *args, **kwargs):
        if args or kwargs or not isinstance(source, str):
            return compile_template(source, *args, **kwargs)
        key = str(source)
        if key not in compiled:
            compiled[key] = compile_template(source)
        return compiled[key]

    environment.from_string = from_string
    return templar
