# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secret strings of a drift report run, and scrubbing them out of the report (drift_report callback)."""

from __future__ import annotations

import re
from collections.abc import Mapping

try:
    from ansible.parsing.vault import VaultHelper
except ImportError:  # ansible-core before 2.19
    VaultHelper = None

from ansible_collections.sipfleet.provision.plugins.module_utils._notes import secret_forms
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK, MASK_SENT, NO_LOG_MARKER
from ansible_collections.sipfleet.provision.plugins.plugin_utils._occurrences import occurring, occurring_in

MIN_SECRET_LENGTH = 4
SECRET_WORDS = frozenset(('passwd', 'password', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'jwt',
                          'credential', 'credentials'))
SECRET_LAST_WORDS = frozenset(('pass', 'key', 'keys', 'apikey', 'pin', 'otp'))  # secret as the last word only
SECRET_ENDINGS = ('password', 'passwd', 'secret', 'token')
NEVER_SECRET = frozenset(('true', 'false', 'none', 'null', 'yes', 'no', 'on', 'off'))
NOT_SECRET_LAST = frozenset(('mode', 'policy', 'file', 'path', 'dir', 'url', 'uri', 'type', 'length', 'id',
                             'name', 'names', 'format', 'ttl', 'expiry', 'expires', 'lifetime', 'header', 'field',
                             'description', 'generation'))
LOOKUP_CALL = re.compile(r'\b(lookup|query|q)\s*\(')
SKIPPED_VARS = frozenset(('hostvars', 'groups', 'group_names', 'vars', 'environment', 'ansible_facts', 'ansible_local',
                          'omit', 'play_hosts', 'ansible_play_hosts', 'ansible_play_hosts_all', 'ansible_play_batch',
                          'ansible_play_role_names', 'ansible_role_names', 'ansible_dependent_role_names'))


class Secrets:
    """The secret strings of a run, and scrubbing them out of report data and text."""

    def __init__(self, extra_names=()):
        self.values = set()
        self.forms = set()  # every value in each of its forms (secret_forms)
        self.extra = [re.compile(p, re.I) for p in extra_names]
        self.replaced = 0
        # Variables are mostly the same objects for every host (group vars, role defaults, results
        # registered once for the play): each is scanned once, not once per host.
        self._scanned = {}

    def is_secret_name(self, name):
        name = str(name).lower()
        if any(p.search(name) for p in self.extra):
            return True
        if name.startswith('vault_'):
            return True
        words = [w for w in re.split(r'[^a-z0-9]+', name) if w]
        if not words or words[0] in ('update', 'no') or words[-1] in NOT_SECRET_LAST:
            return False
        return words[-1] in SECRET_LAST_WORDS or any(w in SECRET_WORDS or w.endswith(SECRET_ENDINGS) for w in words)

    def add(self, value):
        """A secret, in each of its forms (JSON-escaped, URL-encoded: ``secret_forms``)."""
        if value is None or isinstance(value, bool) or isinstance(value, (Mapping, list, tuple, set)):
            return
        text = str(value)
        if (len(text) >= MIN_SECRET_LENGTH and text not in (MASK, MASK_SENT, NO_LOG_MARKER, '********')
                and text.lower() not in NEVER_SECRET):
            self.values.add(text)
            self.forms.update(secret_forms(text))

    def add_tree(self, value):
        """Every leaf value of ``value``."""
        for leaf in _leaves(value):
            self.add(leaf)

    def scan(self, value, secret=False, invocation=None):
        """Values under secret-looking names, that a module showed as no_log, or vault-encrypted."""
        if isinstance(value, Mapping):
            for key, item in value.items():
                shown = invocation.get(key) if isinstance(invocation, Mapping) else None
                self.scan(item, secret or self.is_secret_name(key) or shown == NO_LOG_MARKER, shown)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.scan(item, secret)
        elif secret or _vaulted(value):
            self.add(value)

    def scan_variables(self, variables, templar):
        """Host variables named like secrets (rendered) and vault-encrypted values."""
        facts = variables.get('ansible_facts') or {}
        for name, value in variables.items():
            if name in SKIPPED_VARS or (name.startswith('ansible_') and name[8:] in facts):
                continue
            if self._seen(name, value):
                continue
            if self.is_secret_name(name) or _vaulted(value):
                if isinstance(value, str) and LOOKUP_CALL.search(value):
                    continue
                try:
                    self.add_tree(templar.template(value) if may_hold_template(value) else value)
                except Exception:  # an undefined or failing expression: its value is not known
                    continue
            else:
                for leaf in _leaves(value, depth=6):
                    if _vaulted(leaf):
                        self.add(leaf)

    def _seen(self, name, value):
        """True when ``value`` (the same object, under the same name) was scanned for another host
        and renders the same for every host: anything but a string or container holding a template."""
        if value is None or isinstance(value, (bool, int, float)):
            return False
        key = (name, id(value))
        if key in self._scanned:
            return self._scanned[key][1]
        fixed = not any(isinstance(leaf, str) and '{' in leaf for leaf in _leaves(value, depth=6))
        self._scanned[key] = (value, fixed)  # the value kept: its id stays its own
        return False

    def scan_environment(self, environ):
        for name, value in environ.items():
            if self.is_secret_name(name):
                self.add(value)

    def scrub(self, value):
        """A copy of ``value`` (nested) in which every secret is replaced by the mask. Only the
        secrets that occur in its strings are tried (a thousand passwords on every string of a
        large report would take seconds)."""
        if not self.values:
            return value
        return self._scrub(value, _pattern(occurring_in(self.forms, value, keys=True)))

    def _scrub(self, value, pattern):
        if isinstance(value, Mapping):
            return dict((self._scrub(k, pattern), self._scrub(v, pattern)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self._scrub(v, pattern) for v in value]
        if isinstance(value, str):
            if pattern is None:
                return value
            text, count = pattern.subn(MASK, value)
            self.replaced += count
            return text
        if not isinstance(value, bool) and isinstance(value, (int, float)) and str(value) in self.values:
            self.replaced += 1
            return MASK
        return value

    def scrub_text(self, text, escape):
        """Last pass over rendered text: every secret, in each of its forms and as ``escape`` writes it."""
        forms = set(self.forms)
        for value in self.values:
            forms.add(escape(value))
        for _attempt in range(3):  # a replacement may, in theory, make another secret appear
            found = occurring(forms, text)
            if not found:
                break
            for form in sorted(found, key=len, reverse=True):
                text = text.replace(form, MASK)
        return text


def may_hold_template(value):
    """False for values that cannot hold a template (plain numbers, strings without ``{``): rendering
    them would return them unchanged, at the cost of a render. A vault-encrypted value is not a ``str``."""
    if isinstance(value, str):
        return '{' in value
    return not isinstance(value, (bool, int, float, type(None)))


def _pattern(values):
    """The regular expression of ``values`` (longest first), or None."""
    return re.compile('|'.join(re.escape(v) for v in sorted(values, key=len, reverse=True))) if values else None


def _vaulted(value):
    if isinstance(value, (int, float, bool)) or value is None:
        return False
    if VaultHelper is None:
        return type(value).__name__ in ('AnsibleVaultEncryptedUnicode', 'EncryptedString')
    try:
        return VaultHelper.get_ciphertext(value, with_tags=False) is not None
    except Exception:
        return False


def _leaves(value, depth=32):
    if depth <= 0:
        return
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item, depth - 1)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _leaves(item, depth - 1)
    else:
        yield value
