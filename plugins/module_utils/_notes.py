# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a task collects while it runs: secrets it derived or received, and warnings.

The module runner (``_runner.py``) opens :func:`collect_notes` around a module's logic;
anything inside (the HTTP client, an auth hook, an adapter) calls :func:`register_secret`
for a value as good as a password (a digest, an access token) and :func:`warn_once` for
a warning. The module path adds the secrets to ``AnsibleModule.no_log_values``; the
controller path removes them from the result like ``no_log`` options.
"""

from __future__ import annotations

import contextlib
import contextvars


class RunNotes:
    """Secrets to remove from the task's result and warnings to show, collected while it runs."""

    def __init__(self):
        self.secrets = set()
        self.warnings = []


_NOTES = contextvars.ContextVar('sipfleet_run_notes', default=None)


@contextlib.contextmanager
def collect_notes():
    """Collect the :class:`RunNotes` of everything run inside the block."""
    notes = RunNotes()
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def register_secret(value):
    """Treat ``value`` (a digest, a token) like a ``no_log`` option: removed from the result."""
    notes = _NOTES.get()
    if notes is not None and value:
        notes.secrets.add(str(value))


def warn_once(text):
    """A warning for the task's result, shown once however many clients give it."""
    notes = _NOTES.get()
    if notes is not None and text not in notes.warnings:
        notes.warnings.append(text)
