# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RingCentral's rules the simulator enforces: usage-plan rate limits, the request schema of
sip-provision and the error bodies.

Rate limits (RingCentral's "API Rate Limits" guide,
https://developers.ringcentral.com/guide/basics/rate-limits): every API belongs to a usage-plan
group; the default user-level limits are Light 50, Medium 40, Heavy 10 and Auth 5 requests per
user and minute, each with a 60 s penalty interval. Every answer carries
``X-Rate-Limit-Group``, ``-Limit``, ``-Remaining`` and ``-Window`` (seconds); the group is spelled
lower case, as RingCentral answers (``X-Rate-Limit-Group: heavy``; the official .NET SDK,
https://github.com/ringcentral/RingCentral.Net, lower-cases it too). A request over the limit is
answered 429 ``CMN-301`` with ``Retry-After`` (when it is absent, clients wait 30 s or more).
Within the penalty every further request is refused and restarts it: a client must wait, not
hammer. Each path's group is its ``x-throttling-group`` in the contract (tests/contract/).
"""

from __future__ import annotations

from .server import json_response

GROUPS = ('Light', 'Medium', 'Heavy', 'Auth')
DEFAULT_RATES = dict(Light=50, Medium=40, Heavy=10, Auth=5)
DEFAULT_WINDOW = 60


def default_limits(window=DEFAULT_WINDOW):
    """Every group's settings with a ``window`` (and penalty) of ``window`` seconds."""
    return dict((group, dict(limit=DEFAULT_RATES[group], window=window, penalty=window)) for group in GROUPS)


DEFAULT_LIMITS = default_limits()

_DEVICE_REQUEST = {'type': 'object', 'properties': dict(
    (name, {'type': 'string'}) for name in ('id', 'appExternalId', 'computerName', 'serial'))}
REQUEST_SCHEMA = {
    'type': 'object',
    'properties': {
        'device': _DEVICE_REQUEST,
        'sipInfo': {'type': 'array', 'items': {'type': 'object', 'properties': {
            'transport': {'type': 'string', 'enum': ['UDP', 'TCP', 'TLS', 'WSS']}}}},
        'softPhoneLineReassignment': {'type': 'string', 'enum': ['None', 'Initialize', 'Reassign']},
    },
}
"""``CreateSipRegistrationRequest`` with ``DeviceInfoRequest`` and ``SIPInfoRequest`` inlined."""

_TYPES = {'object': dict, 'array': list, 'string': str, 'boolean': bool}


def schema_error(schema, value, name=''):
    """(parameterName, value) of the first violation of ``schema`` in ``value``, or None."""
    kind = _TYPES.get(schema.get('type'))
    if kind is not None and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
        return name or 'body', value
    if 'enum' in schema and value not in schema['enum']:
        return name, value
    for key, sub in schema.get('properties', {}).items():
        if isinstance(value, dict) and key in value:
            found = schema_error(sub, value[key], '%s.%s' % (name, key) if name else key)
            if found:
                return found
    for item in value if schema.get('type') == 'array' else ():
        found = schema_error(schema['items'], item, name)
        if found:
            return found
    return None


def errors(status, code, message, **extra):
    """RingCentral's error body (``ApiErrorResponseModel``), with extra parameters."""
    error = dict(errorCode=code, message=message, **extra)
    return json_response(status, {'errors': [error]})


def oauth_error(status, error, code, message):
    """The token endpoint's error body: OAuth 2 ``error`` plus RingCentral's ``errors``."""
    return json_response(status, {'error': error, 'error_description': message,
                                  'errors': [dict(errorCode=code, message=message)]})


def permission_error(permission):
    """403 ``CMN-401``: the token's app lacks ``permission``."""
    return errors(403, 'CMN-401', 'In order to call this API endpoint, application needs to have [%s] permission'
                  % permission)


def not_found(parameter, value):
    """404 ``CMN-102`` (the contract's ``NotFound``: an entity named in the path does not exist)."""
    return errors(404, 'CMN-102', 'Resource for parameter [%s] is not found' % parameter,
                  parameterName=parameter, parameterValue=value)


class RateLimit:
    """One usage-plan group: ``limit`` requests per sliding ``window`` seconds, then ``penalty``
    seconds of 429; a request during the penalty restarts it; a new window starts after it."""

    def __init__(self, group, limit, window, penalty):
        self.group, self.limit, self.window, self.penalty = group, limit, window, penalty
        self.times = []
        self.penalty_until = 0.0

    def take(self, now):
        """(allowed, headers) for one request at ``now``."""
        if now < self.penalty_until:
            self.penalty_until = now + self.penalty
            return False, self.headers(now)
        self.times = [t for t in self.times if t > now - self.window]
        if len(self.times) >= self.limit:
            self.times = []
            self.penalty_until = now + self.penalty
            return False, self.headers(now)
        self.times.append(now)
        return True, self.headers(now)

    def headers(self, now):
        remaining = 0 if self.penalty_until > now else max(0, self.limit - len(self.times))
        return {'X-Rate-Limit-Group': self.group.lower(), 'X-Rate-Limit-Limit': str(self.limit),
                'X-Rate-Limit-Remaining': str(remaining), 'X-Rate-Limit-Window': _seconds(self.window)}


def _seconds(value):
    return str(int(value)) if float(value).is_integer() else str(value)
