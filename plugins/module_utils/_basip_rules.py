# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BAS-IP panel's rules for SIP settings, as one validation table.

Source: the panel API reference (developers.bas-ip.com, "Get/Set SIP settings", for example
https://developers.bas-ip.com/android-panels/set-first-account-sip-settings); the other firmware
families in ``docs/basip-families.md``. The published expressions are reproduced with these
repairs, all covered by the unit tests:

* ``proxy``: the published pattern is ``^sip:(IPv4)|(DNS)$``; its top-level
  alternation leaves the DNS branch without the ``sip:`` prefix. Here ``sip:`` is
  required for both branches (a proxy without ``sip:`` is rejected).
* ``outbound``: the published pattern is ``^$|^IPv4(:port)|DNS(:port)$`` (android-panels
  2.9 to 2.11): empty, or a host and an optional port, without ``sip:``. Here its branches
  are anchored at both ends, as the realm's are. :func:`without_sip` takes a ``sip:`` a
  user gives off, as the value the panel is sent and compared with.
* DNS labels: the published label is ``[0-9]*[A-Za-z+\\-_]+[0-9]*`` (digits only at
  its ends), which rejects real host names such as ``sip112-191.ringcentral.com``
  that the panel accepts through the unanchored branch. Here a label is any run of
  ``[0-9A-Za-z+_-]`` with at least one character that is not a digit; names still
  need at least one dot and at most 253 characters (RFC 1035), and all-digit names must
  be valid IPv4 addresses.
* Character set of ``user``, ``password`` and ``user_id``: letters, digits, the space
  and ``~!@#$%^&;*()_-+={[}]|"<,>.?/``. The published ``\\s`` also admits newline, tab,
  carriage return and other control characters, which cannot appear in a SIP header:
  only the space is accepted.

Every check runs in time linear in the value's length (lengths are checked first, hosts
are split into labels instead of matched by nested repetition), so a megabyte of input is
refused at once. Standard library only: the panel simulator loads this file too.
"""

from __future__ import annotations

import re

_TEXT = re.compile(r'[0-9a-zA-Z ~!@#$%^&;*()_\-+={\[}\]|"<,>.?/]*')
_OCTET = r'(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)'
_IPV4 = re.compile(r'(?:%s\.){3}%s' % (_OCTET, _OCTET))
_LABEL = re.compile(r'[0-9A-Za-z+_\-]+')
_HOST_PORT = re.compile(r'([^:]*)(?::([0-9]{1,5}))?')
_CHAR_TEXT = 'letters, digits, spaces and ~!@#$%^&;*()_-+={[}]|"<,>.?/'
_MAX_HOST = 253


def is_host(value):
    """An IPv4 address or a DNS name of at least two labels (see the module notes)."""
    if len(value) > _MAX_HOST:
        return False
    if _IPV4.fullmatch(value):
        return True
    labels = value.split('.')
    return (len(labels) > 1 and not all(label.isdigit() for label in labels)
            and all(_LABEL.fullmatch(label) and not label.isdigit() for label in labels))


def is_host_port(value, scheme=''):
    """``scheme`` + host with an optional ``:port`` (1 to 65535)."""
    if len(value) > len(scheme) + _MAX_HOST + 6 or not value.startswith(scheme):
        return False
    match = _HOST_PORT.fullmatch(value[len(scheme):])
    return match is not None and is_host(match.group(1)) and (match.group(2) is None or 1 <= int(match.group(2)) <= 65535)


def _text(low, high):
    return lambda value: low <= len(value) <= high and _TEXT.fullmatch(value) is not None


def _printable(low, high):
    return lambda value: low <= len(value) <= high and value.isprintable()


# name -> (kind, rule, what the user is told); kind 'check' is a predicate on a string,
# 'range' an inclusive integer range, 'choice' a set of strings.
RULES = {
    'proxy': ('check', lambda value: is_host_port(value, 'sip:'),
              "'sip:' followed by an IPv4 address or DNS name, with an optional ':port' (1 to 65535)"),
    'realm': ('check', is_host_port, 'an IPv4 address or DNS name, with an optional ":port" (1 to 65535)'),
    'outbound': ('check', lambda value: value == '' or is_host_port(value),
                 'empty, or an IPv4 address or DNS name, with an optional ":port" (1 to 65535)'),
    'user': ('check', _text(1, 31), '1 to 31 characters: ' + _CHAR_TEXT),
    'password': ('check', _text(6, 31), '6 to 31 characters: ' + _CHAR_TEXT),
    'user_id': ('check', _text(0, 31), 'up to 31 characters: ' + _CHAR_TEXT),
    'transport': ('choice', ('udp', 'tcp', 'tls'), 'one of udp, tcp, tls'),
    'stun.ip': ('check', is_host, 'an IPv4 address or DNS name, without a port'),
    'stun.port': ('range', (1, 65535), 'an integer from 1 to 65535'),
    'registration_interval': ('range', (30, 900), 'an integer from 30 to 900 (seconds)'),
}
REQUIRED = ('proxy', 'realm', 'user', 'password', 'stun.ip', 'stun.port')
"""Keys a POST must carry (``stun`` as a whole is required; both its keys are needed)."""

FAMILY_RULES = {
    'camdroid_monitor': {
        'user': ('check', _printable(1, 31), '1 to 31 characters, no control characters'),
        'password': ('check', _printable(1, 31), '1 to 31 characters, no control characters'),
    },
}
"""Rules a firmware family states differently (docs/basip-families.md); the others are RULES."""


def flatten(settings):
    """``{'stun': {'ip': x}}`` -> ``{'stun.ip': x}``; other keys as they are."""
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(('%s.%s' % (key, sub), v) for sub, v in value.items())
        else:
            flat[key] = value
    return flat


def check_value(name, value, family=None):
    """None when ``value`` obeys the rule for ``name`` (of ``family``), else the reason."""
    kind, rule, text = FAMILY_RULES.get(family, {}).get(name) or RULES[name]
    if kind == 'range':
        good = isinstance(value, int) and not isinstance(value, bool) and rule[0] <= value <= rule[1]
    elif kind == 'choice':
        good = value in rule
    else:
        good = isinstance(value, str) and rule(value)
    return None if good else '%s must be %s' % (name, text)


def without_sip(value):
    """An outbound proxy as the panel documents it: ``value`` without a leading ``sip:``."""
    return value[4:] if isinstance(value, str) and value[:4].lower() == 'sip:' else value


def check_outbound(name, value):
    """The option ``outbound``: the panel's rule, after :func:`without_sip`."""
    return check_value(name, without_sip(value))


def check_settings(settings, required=(), family=None):
    """Every rule violation in ``settings`` (unset values skipped), plus missing ``required`` keys."""
    flat = dict((k, v) for k, v in flatten(settings).items() if v is not None)
    errors = ['%s is required' % name for name in required if name not in flat]
    errors.extend(filter(None, (check_value(name, value, family) for name, value in flat.items()
                                if name in RULES)))
    return errors
