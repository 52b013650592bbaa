# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a task collects while it runs: secrets it derived or received, and warnings.

The module runner (``_runner.py``) opens :func:`collect_notes` around a module's logic;
anything inside (the HTTP client, an auth hook, an adapter) calls :func:`register_secret`
for a value as good as a password (a digest, an access token) and :func:`warn_once` for
a warning. The module path adds the secrets to ``AnsibleModule.no_log_values``; the
controller path removes them from the result like ``no_log`` options.

A secret travels in more forms than its own: a service that echoes a request in its error
shows it JSON-escaped, URL-encoded, as the MD5 digest a BAS-IP panel's login takes, or inside
a Basic ``Authorization`` header. :func:`secret_forms` lists them; every registered secret is
registered in each form.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import json
from urllib.parse import quote, quote_plus


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


def secret_forms(value):
    """``value`` and the forms it takes inside a request or an echo of one: JSON-escaped
    (ASCII and not), URL-encoded (``%20`` and ``+`` for a space, ``/`` kept or not), and its
    MD5 hex digest in both cases (a BAS-IP panel's login sends the web password so)."""
    text = str(value)
    digest = hashlib.md5(text.encode('utf-8')).hexdigest()
    forms = {text, quote(text, safe=''), quote(text), quote_plus(text), quote_plus(text, safe='/'),
             digest, digest.upper()}
    forms.update(json.dumps(text, ensure_ascii=ascii)[1:-1] for ascii in (True, False))
    return set(form for form in forms if form)


def basic_credentials(user, secret):
    """The value of an HTTP Basic ``Authorization`` header (after ``Basic``) for ``user:secret``,
    encoded as requests encodes it (Latin-1, else UTF-8)."""
    pair = '%s:%s' % (user, secret)
    try:
        raw = pair.encode('latin1')
    except UnicodeEncodeError:
        raw = pair.encode('utf-8')
    return base64.b64encode(raw).decode('ascii')


def register_secret(value):
    """Treat ``value`` (a digest, a token) like a ``no_log`` option, in each of its
    :func:`secret_forms`: removed from the result."""
    notes = _NOTES.get()
    if notes is not None and value:
        notes.secrets.update(secret_forms(value))


def warn_once(text):
    """A warning for the task's result, shown once however many clients give it."""
    notes = _NOTES.get()
    if notes is not None and text not in notes.warnings:
        notes.warnings.append(text)
