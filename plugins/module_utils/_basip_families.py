# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BAS-IP firmware families (``docs/basip-families.md`` lists each fact and its source).

A family says which API version it answers on, which keys of the SIP settings object the
collection manages, how SIP is switched on and off, whether the registration status can be
read, and which options it cannot take. :func:`detect` names the family of a settings answer
(each family documents its own schema); :func:`family_errors` checks the user's options
against one family's rules.
"""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_rules import check_value

AUTO = 'auto'


class Family:
    """``switch``: ``endpoint`` (``/device/sip/enable``), ``settings`` (the ``enable`` key of the
    settings object) or None (not documented); ``status``: the status call exists;
    ``unsupported``: options this family has no setting for; ``defaults``: values a write
    needs when the panel's answer has none (``h264``, required on write)."""

    def __init__(self, name, api_version, switch=None, status=False, unsupported=(), defaults=None):
        self.name, self.api_version = name, api_version
        self.switch, self.status = switch, status
        self.unsupported = tuple(unsupported)
        self.defaults = dict(defaults or {})


FAMILIES = dict((family.name, family) for family in (
    Family('panel', 'v1', switch='endpoint', status=True),
    Family('android_monitor', 'v0', switch='settings', status=False, unsupported=('outbound',)),
    Family('camdroid_monitor', 'v1', switch=None, status=False, unsupported=('user_id', 'outbound'),
           defaults={'h264': 102}),
))
NAMES = tuple(FAMILIES)


def detect(settings):
    """The family of a SIP settings answer: ``h264`` is the Camdroid monitors' key, ``enable``
    with ``timeout`` the Android monitors' keys; anything else is a panel."""
    if 'h264' in settings:
        return FAMILIES['camdroid_monitor']
    if 'enable' in settings and 'timeout' in settings:
        return FAMILIES['android_monitor']
    return FAMILIES['panel']


def api_version(params):
    """The API path version: the option, else the family's, else ``v1``."""
    if params.get('api_version'):
        return params['api_version']
    return FAMILIES[params['api_family']].api_version if params['api_family'] != AUTO else 'v1'


_NEEDS = dict(enabled=('switch', 'has no documented SIP switch'),
              wait_for_registration=('status', 'has no documented registration status'))


def family_errors(family, params):
    """Why ``params`` cannot be applied to a panel of ``family`` (empty when they can)."""
    errors = ['%s cannot be set: the %s family has no such setting' % (name, family.name)
              for name in family.unsupported if params.get(name) is not None]
    errors.extend('%s cannot be used: the %s family %s' % (name, family.name, why)
                  for name, (attribute, why) in _NEEDS.items()
                  if params.get(name) not in (None, False) and not getattr(family, attribute))
    for name in ('user', 'password'):
        if params.get(name) is not None:
            errors.append(check_value(name, params[name], family.name))
    return [error for error in errors if error]


def any_family_accepts(name, value):
    """None when some family accepts ``value`` for ``name`` (the check before the family is
    known), else the panels' reason, and the Camdroid monitors' where it differs."""
    reasons = [check_value(name, value, family) for family in NAMES]
    if None in reasons:
        return None
    camdroid = check_value(name, value, 'camdroid_monitor')
    return reasons[0] if camdroid == reasons[0] else '%s (on a Camdroid monitor: %s)' % (reasons[0], camdroid)
