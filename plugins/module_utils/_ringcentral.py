# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RingCentral: the connection options, the token hook, the rate-limit pacer and the calls.

API facts (RingCentral's public OpenAPI specification,
https://netstorage.ringcentral.com/dpw/api-reference/specs/rc-platform.yml, and the extracts of it
in tests/contract/):

- ``POST /restapi/oauth/token`` (JWT-bearer grant, Basic client authentication, form body) and
  ``POST /restapi/oauth/revoke``: usage-plan group Auth.
- ``POST /restapi/v1.0/client-info/sip-provision`` ("Register Device"): group Heavy, app
  permission ``VoipCalling``; every call mints a fresh ``authorizationId``.
- ``GET /restapi/v1.0/account/~/device/{deviceId}`` and ``.../sip-info``: group Light, app
  permission ``ReadAccounts``; read-only. The paged account device list ``GET
  /restapi/v1.0/account/~/device`` is in group Medium in the 2020 specification (the last that
  lists it, https://github.com/grokify/go-ringcentral-client, ``office/v1/client/api/openapi.yaml``).
- Device ids: the contract types ``deviceId`` as a string; every id it shows is a decimal
  number string, so 1 to 20 digits (a 64-bit number) are accepted, nothing else is sent.
- Rate limits (https://developers.ringcentral.com/guide/basics/rate-limits): per user and group
  (defaults Light 50, Medium 40, Heavy 10, Auth 5 a minute), then a penalty that every further
  request restarts. Answers carry ``X-Rate-Limit-Group/-Limit/-Remaining/-Window``. The group's
  value is lower case in RingCentral's answers (``heavy``: the guide's examples, and the official
  .NET SDK, https://github.com/ringcentral/RingCentral.Net, lower-cases it), and the guide gives
  groups and limits as examples that vary from app to app: :class:`Pacer` keys groups
  case-insensitively, learns each route's group from its answers, and waits for the window to
  pass when a group has no request left, so that normal operation never earns a 429 (a 429
  still waits for ``Retry-After`` within ``retry_max_wait``, in the HTTP client).
"""

from __future__ import annotations

import re
import time
import urllib.parse

from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, ServiceClient, TokenAuth, error_text, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Field

DEFAULT_SERVER_URL = 'https://platform.ringcentral.com'
TOKEN_PATH = '/restapi/oauth/token'
REVOKE_PATH = '/restapi/oauth/revoke'
SIP_PROVISION_PATH = '/restapi/v1.0/client-info/sip-provision'
DEVICES_PATH = '/restapi/v1.0/account/~/device'
JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
TOKEN_EXPIRED = 'OAU-128'
DEFAULT_RETRY_AFTER = 60
"""Seconds to wait after a 429 without ``Retry-After``. RingCentral asks for at least
30 s; a penalty lasts 60 s by default and any request inside it restarts it, so waiting
the whole default penalty is the wait that cannot prolong it."""
PACING_MARGIN = 0.25
"""Seconds added to a window before the next request of an exhausted group (clock skew)."""
MAX_PAGES = 1000
_DEVICE_ID = re.compile(r'[0-9]{1,20}\Z')
CREDENTIALS = ('client_id', 'client_secret', 'jwt')


def check_device_id(name, value):
    """None, or why ``value`` is not a RingCentral device id (the option is ``name``)."""
    if isinstance(value, str) and _DEVICE_ID.match(value):
        return None
    shown = repr(value) if len(str(value)) <= 40 else '%r... (%d characters)' % (str(value)[:20], len(str(value)))
    return ('%s must be RingCentral\'s id of a device, 1 to 20 digits (for example 802398804016), '
            'not %s' % (name, shown))


def check_device_ids(name, values):
    """The first complaint about a list of device ids, or None."""
    for index, value in enumerate(values or ()):
        reason = check_device_id('%s[%d]' % (name, index), value)
        if reason:
            return reason
    return None


CONNECTION_FIELDS = (
    Field('server_url', default=DEFAULT_SERVER_URL, env=['RINGCENTRAL_SERVER_URL'], control=True),
    Field('client_id', env=['RINGCENTRAL_CLIENT_ID'], control=True),
    Field('client_secret', no_log=True, env=['RINGCENTRAL_CLIENT_SECRET'], control=True),
    Field('jwt', no_log=True, env=['RINGCENTRAL_JWT'], control=True),
    Field('access_token', no_log=True, env=['RINGCENTRAL_ACCESS_TOKEN'], control=True),
)
"""The connection options of every RingCentral module (doc_fragments/ringcentral.py)."""
HTTP_OPTIONS = http_argument_spec()


def check_credentials(params, token_needed=True):
    """Reasons the credentials cannot work: an access token, or all of client_id, client_secret, jwt."""
    given = [name for name in CREDENTIALS if params.get(name)]
    if (token_needed and params.get('access_token')) or len(given) == 3:
        return []
    missing = ', '.join(sorted(set(CREDENTIALS) - set(given)))
    if not token_needed:
        return ['the JWT-bearer grant needs client_id, client_secret and jwt; missing: %s' % missing]
    return ['RingCentral needs either access_token, or client_id, client_secret and jwt '
            '(the JWT-bearer grant); missing: %s' % missing]


ROUTE_GROUPS = {
    'POST ' + TOKEN_PATH: 'auth',
    'POST ' + REVOKE_PATH: 'auth',
    'POST ' + SIP_PROVISION_PATH: 'heavy',
    'GET ' + DEVICES_PATH: 'medium',
    'GET ' + DEVICES_PATH + '/{deviceId}': 'light',
    'GET ' + DEVICES_PATH + '/{deviceId}/sip-info': 'light',
}
"""The usage-plan group of each route until an answer names it (the specifications' groups)."""
_ACCOUNT = re.compile(r'/account/[^/]+')
_DEVICE = re.compile(r'/device/[^/]+')


def route(method, url):
    """``METHOD /path`` of a request, the account as ``~`` and a device id as ``{deviceId}``."""
    path = urllib.parse.urlsplit(url).path
    path = path[path.find('/restapi/'):] if '/restapi/' in path else path
    return '%s %s' % (method.upper(), _DEVICE.sub('/device/{deviceId}', _ACCOUNT.sub('/account/~', path)))


class Pacer:
    """Keeps each usage-plan group within its limit from the ``X-Rate-Limit-*`` headers.

    :meth:`observe` sees every answer (a response hook of the session). It records the route's
    group as the answer names it, compared case-insensitively, and when the group has no request
    left in its window, the next request of that group waits until a whole window has passed
    since that answer (RingCentral counts per window; a request over the limit would start a
    penalty). A route not answered yet is taken to be in its group of :data:`ROUTE_GROUPS`.
    ``waits`` records every wait.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock, self.sleep = clock, sleep
        self.groups = dict(ROUTE_GROUPS)    # route -> group (lower case)
        self.exhausted = {}                 # group -> (its spelling, time after which a request is allowed)
        self.waits = []

    def observe(self, response, *args, **kwargs):
        headers = response.headers
        group, remaining, window = (headers.get('X-Rate-Limit-%s' % name) for name in ('Group', 'Remaining', 'Window'))
        if not group or not group.strip():
            return
        key = group.strip().lower()
        self.groups[route(response.request.method, response.url)] = key
        try:
            remaining, window = int(remaining), float(window)
        except (TypeError, ValueError):
            return
        if remaining <= 0:
            self.exhausted[key] = (group.strip(), self.clock() + window + PACING_MARGIN)
        else:
            self.exhausted.pop(key, None)

    def wait(self, method, path):
        """Before ``method path``: wait while its group has no request left."""
        group, until = self.exhausted.pop(self.groups.get(route(method, path)), (None, None))
        delay = 0 if until is None else until - self.clock()
        if delay > 0:
            self.waits.append(dict(group=group, seconds=round(delay, 2), before=route(method, path)))
            self.sleep(delay)

    def messages(self):
        return ['waited %gs for the RingCentral %s rate-limit window before %s' % (w['seconds'], w['group'], w['before'])
                for w in self.waits]


class RingCentralAuth(TokenAuth):
    """A given access token, or one from the JWT-bearer grant; one renewal on ``OAU-128``;
    a token obtained here is revoked at the end."""

    def __init__(self, params, pacer):
        super().__init__(token=params.get('access_token'))
        self.credentials = tuple(params.get(k) for k in CREDENTIALS)
        self.pacer = pacer
        self.obtained = False

    def login(self, http):
        if not all(self.credentials):
            raise ApiError('the access token has expired and no client_id, client_secret and jwt were given to get '
                           'a new one', status=401, code=TOKEN_EXPIRED)
        self.obtained = True
        return request_token(http, self.credentials, self.pacer)['access_token']

    def expired(self, response):
        return error_text(response)[0] == TOKEN_EXPIRED

    def logout(self, http, token):
        if self.obtained:
            revoke_token(http, self.credentials[:2], token, self.pacer)


def request_token(http, credentials, pacer):
    """The token endpoint's answer to the JWT-bearer grant (checked: a token and its lifetime)."""
    client_id, client_secret, jwt = credentials
    pacer.wait('POST', TOKEN_PATH)
    response = http.request('POST', TOKEN_PATH, authenticated=False, auth=(client_id, client_secret),
                            data=dict(grant_type=JWT_GRANT, assertion=jwt), headers={'Accept': 'application/json'})
    body = json_object(response, 'RingCentral', empty_ok=False)
    if not isinstance(body.get('access_token'), str) or not body['access_token']:
        raise ApiError('the token endpoint answered without an access token', status=response.status_code,
                       method='POST', url=response.url)
    return body


def revoke_token(http, client, token, pacer):
    """Revoke ``token`` once (no retry: it expires on its own)."""
    pacer.wait('POST', REVOKE_PATH)
    retries, http.retries = http.retries, 0
    try:
        http.request('POST', REVOKE_PATH, authenticated=False, auth=client, data=dict(token=token))
    finally:
        http.retries = retries


class RingCentral(ServiceClient):
    """One authorised, paced session (a context manager: the obtained token is revoked at exit);
    the pacer sees every answer of the session."""

    def __init__(self, params, sleep=time.sleep, clock=time.monotonic, auth=True):
        self.pacer = Pacer(clock=clock, sleep=sleep)
        self.auth = RingCentralAuth(params, self.pacer) if auth else None
        self.http = HttpClient.from_params(params, url_option='server_url', auth=self.auth, sleep=sleep,
                                           default_retry_after=DEFAULT_RETRY_AFTER)
        self.http.session.hooks['response'].append(self.pacer.observe)

    def call(self, method, path, ok=(200,), **kwargs):
        self.pacer.wait(method, path)
        return self.http.request(method, path, ok=ok, headers={'Accept': 'application/json'}, **kwargs)

    def sip_provision(self, body):
        return json_object(self.call('POST', SIP_PROVISION_PATH, json=body), 'RingCentral', empty_ok=False)

    def device(self, device_id):
        """The device (``DeviceResource``), or None when RingCentral does not know it (404)."""
        response = self.call('GET', '%s/%s' % (DEVICES_PATH, device_id), ok=(200, 404))
        return None if response.status_code == 404 else json_object(response, 'RingCentral', empty_ok=False)

    def sip_info(self, device_id):
        """The device's current SIP identity (``SipInfoResource``), read-only."""
        return json_object(self.call('GET', '%s/%s/sip-info' % (DEVICES_PATH, device_id)),
                           'RingCentral', empty_ok=False)

    def devices(self):
        """Every device of the account, page after page (``navigation.nextPage.uri``)."""
        records, path = [], DEVICES_PATH
        for dummy in range(MAX_PAGES):
            body = json_object(self.call('GET', path), 'RingCentral', empty_ok=False)
            if not isinstance(body.get('records'), list):
                raise ApiError('RingCentral answered the device list without records', method='GET', url=path)
            records.extend(r for r in body['records'] if isinstance(r, dict))
            path = next_page(body)
            if path is None:
                return records
        raise ApiError('RingCentral\'s device list has more than %d pages' % MAX_PAGES, method='GET', url=DEVICES_PATH)


def next_page(body):
    """The path and query of ``navigation.nextPage.uri`` on the configured server, or None.

    Only the path and query are taken: the next request goes to ``server_url``, never to
    the host the link names."""
    uri = ((body.get('navigation') or {}).get('nextPage') or {}).get('uri')
    if not isinstance(uri, str) or not uri:
        return None
    parts = urllib.parse.urlsplit(uri)
    if not parts.path.startswith('/restapi/v1.0/account/'):
        raise ApiError('RingCentral answered a next page outside the device list: %s' % parts.path)
    return parts.path + ('?' + parts.query if parts.query else '')
