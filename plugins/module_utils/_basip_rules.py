# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BAS-IP panel's rules for SIP settings, as one validation table.

Source: the panel API reference (developers.bas-ip.com, "Get/Set SIP settings"),
summarised in ``api/basip.md``. The published expressions are reproduced with two
repairs, both covered by the unit tests:

* ``proxy``: the published pattern is ``^sip:(IPv4)|(DNS)$``; its top-level
  alternation leaves the DNS branch without the ``sip:`` prefix. Here ``sip:`` is
  required for both branches (a proxy without ``sip:`` is rejected).
* DNS labels: the published label is ``[0-9]*[A-Za-z+\\-_]+[0-9]*`` (digits only at
  its ends), which rejects real host names such as ``sip112-191.ringcentral.com``
  that the panel accepts through the unanchored branch. Here a label is any run of
  ``[0-9A-Za-z+_-]`` with at least one character that is not a digit; names still
  need at least one dot, and all-digit names must be valid IPv4 addresses.

Character set of ``user``, ``password`` and ``user_id``: letters, digits, white
space and ``~!@#$%^&;*()_-+={[}]|"<,>.?/``.

Standard library only: the panel simulator loads this file too.
"""

from __future__ import annotations

import re

_CHARS = r'[0-9a-zA-Z\s~!@#$%^&;*()_\-+={\[}\]|"<,>.?/]'
_OCTET = r'(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)'
_IPV4 = r'(?:%s\.){3}%s' % (_OCTET, _OCTET)
_LABEL = r'[0-9A-Za-z+_\-]*[A-Za-z+_\-][0-9A-Za-z+_\-]*'
_HOST = r'(?:%s|%s(?:\.%s)+)' % (_IPV4, _LABEL, _LABEL)
_PORT = r'(?::[0-9]{1,5})?'
_CHAR_TEXT = 'letters, digits, spaces and ~!@#$%^&;*()_-+={[}]|"<,>.?/'

# name -> (kind, rule, what the user is told); kind 'pattern' is a full match
# of a string, 'range' an inclusive integer range, 'choice' a set of strings.
RULES = {
    'proxy': ('pattern', re.compile('sip:' + _HOST + _PORT),
              "'sip:' followed by an IPv4 address or DNS name, with an optional ':port'"),
    'realm': ('pattern', re.compile(_HOST + _PORT),
              'an IPv4 address or DNS name, with an optional ":port"'),
    'user': ('pattern', re.compile(_CHARS + '{1,31}'), '1 to 31 characters: ' + _CHAR_TEXT),
    'password': ('pattern', re.compile(_CHARS + '{6,31}'), '6 to 31 characters: ' + _CHAR_TEXT),
    'user_id': ('pattern', re.compile(_CHARS + '{0,31}'), 'up to 31 characters: ' + _CHAR_TEXT),
    'transport': ('choice', ('udp', 'tcp', 'tls'), 'one of udp, tcp, tls'),
    'stun.ip': ('pattern', re.compile(_HOST), 'an IPv4 address or DNS name, without a port'),
    'stun.port': ('range', (1, 65535), 'an integer from 1 to 65535'),
    'registration_interval': ('range', (30, 900), 'an integer from 30 to 900 (seconds)'),
}
REQUIRED = ('proxy', 'realm', 'user', 'password', 'stun.ip', 'stun.port')
"""Keys a POST must carry (``stun`` as a whole is required; both its keys are needed)."""


def flatten(settings):
    """``{'stun': {'ip': x}}`` -> ``{'stun.ip': x}``; other keys as they are."""
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(('%s.%s' % (key, sub), v) for sub, v in value.items())
        else:
            flat[key] = value
    return flat


def check_value(name, value):
    """None when ``value`` obeys the panel's rule for ``name``, else the reason."""
    kind, rule, text = RULES[name]
    if kind == 'range':
        good = isinstance(value, int) and not isinstance(value, bool) and rule[0] <= value <= rule[1]
    elif kind == 'choice':
        good = value in rule
    else:
        good = isinstance(value, str) and rule.fullmatch(value) is not None
    return None if good else '%s must be %s' % (name, text)


def check_settings(settings, required=()):
    """Every rule violation in ``settings`` (unset values skipped), plus missing ``required`` keys."""
    flat = dict((k, v) for k, v in flatten(settings).items() if v is not None)
    errors = ['%s is required' % name for name in required if name not in flat]
    errors.extend(filter(None, (check_value(name, value) for name, value in flat.items()
                                if name in RULES)))
    return errors
