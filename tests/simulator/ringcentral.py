# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A RingCentral account, as RingCentral's public OpenAPI specification (the extracts in
tests/contract/), its API reference (https://developers.ringcentral.com/api-reference) and its
rate-limit guide (https://developers.ringcentral.com/guide/basics/rate-limits) describe it.

Routes (usage-plan group in brackets, see ringcentral_rules.py):

- ``POST /restapi/oauth/token`` [Auth]: form body, ``Authorization: Basic`` of the client; grants
  ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (``assertion``) and ``refresh_token``. The token's
  ``scope`` is the app's permissions when it is issued (options ``voip_calling``, ``read_accounts``).
- ``POST /restapi/oauth/revoke`` [Auth]: form ``token``; Basic client authentication.
- ``POST /restapi/v1.0/client-info/sip-provision`` [Heavy]: Bearer token with ``VoipCalling``
  (else 403 ``CMN-401``). The JSON body is checked against ``CreateSipRegistrationRequest``
  (a transcription, ringcentral_rules.REQUEST_SCHEMA; the contract is not read at run time):
  a bad value is 400 ``CMN-101`` with ``parameterName``. Every call mints a fresh
  ``authorizationId``; without ``device.id`` a new device is registered; an unknown
  ``device.id`` is 400 ``CMN-102``.
- ``GET /restapi/v1.0/account/{accountId}/device`` [Medium] (listAccountDevices, 2020 contract):
  ``page``/``perPage`` (default 1/100), ``navigation.nextPage.uri`` while pages remain; no filters
  (the contract documents none).
- ``GET /restapi/v1.0/account/{accountId}/device/{deviceId}`` [Light] (readDevice) and
  ``.../sip-info`` [Light] (readDeviceSipInfo: the current identity, nothing minted).
  ``accountId`` is ``~`` or the account's id. These need ``ReadAccounts`` (403 ``CMN-401``);
  an unknown device or account is the contract's ``NotFound``: 404 ``CMN-102``.

Errors: 401 ``OAU-128`` (expired token), ``OAU-149`` (unknown token), 429 ``CMN-301`` with
``Retry-After``, 400 ``CMN-101/103/104``. Codes the notes do not give are this simulator's
choice: ``OAU-123`` (client authentication failed), ``OAU-140`` (bad JWT or refresh token),
``OAU-251`` (unsupported grant), ``CMN-202`` (500), ``CMN-405`` (method).
Every answer of a rate-limited route carries ``X-Rate-Limit-Group/-Limit/-Remaining/-Window``,
the group spelled lower case (``heavy``) as RingCentral answers. ``counters`` count the answers
of each rate-limited route by status (``{"POST /restapi/oauth/token": {"200": 1}}``).
``clock`` (default ``time.time``) is the account's time: tests pass a fake one.

Control routes (``/targets/NAME/...`` on the control API):

- ``GET /state``: credentials, devices (with SIP passwords), every token and
  authorization id issued, options, limits and counters (it holds secrets: tests read it with no_log);
- ``DELETE /counters``: the counters start from zero;
- ``PATCH /options``: ``voip_calling`` and ``read_accounts`` (the app's permissions, given to
  tokens issued from then on), ``pstn`` (``sipInfoPstn`` present), ``extra_fields`` (unknown
  keys everywhere), ``unknown_enums`` (enum values the spec does not list), ``rotate_password``
  (a new SIP password on every sip-provision), ``retry_after`` (send ``Retry-After`` on 429),
  ``token_ttl`` (seconds), ``capitalised_groups`` (spell ``X-Rate-Limit-Group`` as the guide's
  tables do, ``Heavy``, instead of as RingCentral answers, ``heavy``);
- ``PATCH /limits``: ``{"Heavy": {"limit": 10, "window": 60, "penalty": 60}, "Auth": {...}}``
  (any subset); every group's counters and penalty restart;
- ``PATCH /devices/ID``: change a device out of band (``username``, ``password``, ``name``, ...);
- ``POST /expire-tokens``: every access token expires now (the next use is ``OAU-128``).
"""

from __future__ import annotations

import base64
import copy
import math
import re
import secrets
import string
import threading
import time

# DEFAULT_LIMITS is re-exported: tests import it from here.
from .ringcentral_rules import (  # noqa: F401 pylint: disable=unused-import
    DEFAULT_LIMITS, DEFAULT_WINDOW, REQUEST_SCHEMA, RateLimit, default_limits, errors, not_found, oauth_error,
    permission_error, schema_error,
)
from .ringcentral_views import ACCOUNT_ID, PLATFORM, device_page, device_view, provision_answer, sip_info_view
from .server import App, json_response

TOKEN_PATH = '/restapi/oauth/token'
REVOKE_PATH = '/restapi/oauth/revoke'
SIP_PROVISION_PATH = '/restapi/v1.0/client-info/sip-provision'
DEVICE_PATH = re.compile(r'^/restapi/v1\.0/account/([^/]+)/device(?:/([^/]+)(/sip-info)?)?$')
DEVICE_ID = re.compile(r'/device/[^/]+')
JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
MAIN_NUMBER = '17203861294'
FORM = 'application/x-www-form-urlencoded'
MAX_PER_PAGE = 1000
DEFAULT_OPTIONS = dict(voip_calling=True, read_accounts=True, pstn=True, extra_fields=False, unknown_enums=False,
                       rotate_password=False, retry_after=True, token_ttl=3600, capitalised_groups=False)
DEFAULT_DEVICES = ({'id': '802398804016', 'extension': '115'}, {'id': '802398805016', 'extension': '116'})


def _digits(count):
    return ''.join(secrets.choice(string.digits) for dummy in range(count))


def _sip_password():
    return ''.join(secrets.choice(string.ascii_letters + string.digits) for dummy in range(10))


def numbered_devices(count):
    """``count`` intercom devices with predictable ids, extensions, names and serials."""
    return [dict(id='80239880%04d' % index, extension=str(200 + index), name='Intercom %03d' % index,
                 serial='SIMSN%06d' % index) for index in range(1, count + 1)]


class RingCentralAccount(App):
    def __init__(self, client_id=None, client_secret=None, jwt=None, devices=None, options=None, limits=None,
                 window=DEFAULT_WINDOW, clock=time.time):
        self.clock = clock
        self.client_id = client_id or 'sim' + secrets.token_hex(8)
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.jwt = jwt or '.'.join(base64.urlsafe_b64encode(part).decode().rstrip('=') for part in (
            b'{"alg":"RS256","typ":"JWT"}', b'{"aud":"%s","sub":"%s"}' % (PLATFORM.encode(), ACCOUNT_ID.encode()),
            secrets.token_bytes(64)))
        self.devices = {}
        for device in DEFAULT_DEVICES if devices is None else devices:
            self.add_device(**device)
        self.options = dict(DEFAULT_OPTIONS, **(options or {}))
        self.limit_settings = default_limits(window)
        for group, values in (limits or {}).items():
            self.limit_settings[group].update(values)
        self.limits = self.new_limits()
        self.tokens = {}            # access token -> {expiry, scope}
        self.refresh_tokens = set()
        self.issued = dict(access_tokens=[], refresh_tokens=[], authorization_ids=[])
        self.counters = {}          # "METHOD /route" -> status -> answers
        self.lock = threading.RLock()

    def add_device(self, id=None, extension='115', name=None, type='OtherPhone', serial=None, computerName=None):
        device = dict(id=id or '8023988' + _digits(5), type=type, extension=extension,
                      name=name or 'Intercom %s' % extension, serial=serial or 'SN%s' % _digits(8),
                      username='%s*%s' % (MAIN_NUMBER, extension), password=_sip_password(),
                      authorization_id=_digits(12))
        if computerName:
            device['computerName'] = computerName
        self.devices[device['id']] = device
        return device

    def new_limits(self):
        return dict((group, RateLimit(group, **values)) for group, values in self.limit_settings.items())

    # --- routing -------------------------------------------------------
    def handle(self, request):
        posts = {TOKEN_PATH: self.token, REVOKE_PATH: self.revoke, SIP_PROVISION_PATH: self.sip_provision}
        if request.path in posts:
            if request.method != 'POST':
                return errors(405, 'CMN-405', 'Method %s is not allowed' % request.method)
            return posts[request.path](request)
        match = DEVICE_PATH.match(request.path)
        if match is None:
            return errors(404, 'CMN-102', 'Resource for parameter [path] is not found', parameterName='path')
        if request.method != 'GET':
            return errors(405, 'CMN-405', 'Method %s is not allowed' % request.method)
        group = 'Medium' if match.group(2) is None else 'Light'
        return self.bearer(group, 'ReadAccounts', lambda r: self.read_devices(r, *match.groups()), request)

    def limited(self, group, handler, request):
        """Run ``handler`` within ``group``'s rate limit; add the X-Rate-Limit-* headers."""
        with self.lock:
            limit = self.limits[group]
            allowed, headers = limit.take(self.clock())
        if allowed:
            response = handler(request)
        else:
            response = errors(429, 'CMN-301', 'Request rate exceeded')
            if self.options['retry_after']:
                headers['Retry-After'] = str(max(1, int(math.ceil(limit.penalty))))
        if self.options['capitalised_groups']:
            headers['X-Rate-Limit-Group'] = group
        response.headers.update(headers)
        self.count(request, response.status)
        return response

    def count(self, request, status):
        route = DEVICE_ID.sub('/device/{deviceId}', request.path)
        with self.lock:
            by_status = self.counters.setdefault('%s %s' % (request.method, route), {})
            by_status[str(status)] = by_status.get(str(status), 0) + 1

    def bearer(self, group, permission, handler, request):
        """``handler`` for a request with a live token whose scope has ``permission``, in ``group``."""
        header = request.headers.get('Authorization') or ''
        token = header[7:] if header.startswith('Bearer ') else None
        with self.lock:
            grant = self.tokens.get(token)
        if grant is None:
            return errors(401, 'OAU-149', 'Invalid token')
        if grant['expiry'] <= self.clock():
            return errors(401, 'OAU-128', 'Access token expired')

        def permitted(request):
            return handler(request) if permission in grant['scope'] else permission_error(permission)
        return self.limited(group, permitted, request)

    # --- OAuth ---------------------------------------------------------
    def client_authenticated(self, request):
        header = request.headers.get('Authorization') or ''
        if not header.startswith('Basic '):
            return False
        try:
            pair = base64.b64decode(header[6:], validate=True).decode('utf-8')
        except ValueError:
            return False
        return pair == '%s:%s' % (self.client_id, self.client_secret)

    def form(self, request):
        if (request.headers.get('Content-Type') or '').split(';')[0].strip() != FORM:
            return None
        return request.form()

    def token(self, request):
        return self.limited('Auth', self.grant, request)

    def scope(self):
        return [name for name, option in (('VoipCalling', 'voip_calling'), ('ReadAccounts', 'read_accounts'))
                if self.options[option]]

    def grant(self, request):
        form = self.form(request)
        if form is None:
            return oauth_error(415, 'invalid_request', 'CMN-415', 'Unsupported content type, expected %s' % FORM)
        if not self.client_authenticated(request):
            return oauth_error(401, 'invalid_client', 'OAU-123', 'Client authentication failed')
        grant = form.get('grant_type')
        with self.lock:
            if grant == JWT_GRANT:
                if form.get('assertion') != self.jwt:
                    return oauth_error(400, 'invalid_grant', 'OAU-140', 'Invalid JWT assertion')
            elif grant == 'refresh_token':
                if form.get('refresh_token') not in self.refresh_tokens:
                    return oauth_error(400, 'invalid_grant', 'OAU-140', 'Invalid refresh token')
                self.refresh_tokens.discard(form['refresh_token'])
            else:
                return oauth_error(400, 'unsupported_grant_type', 'OAU-251', 'Unsupported grant type')
            access, refresh = 'SIM' + secrets.token_urlsafe(48), 'SIMR' + secrets.token_urlsafe(48)
            scope = self.scope()
            self.tokens[access] = dict(expiry=self.clock() + self.options['token_ttl'], scope=scope)
            self.refresh_tokens.add(refresh)
            self.issued['access_tokens'].append(access)
            self.issued['refresh_tokens'].append(refresh)
        return json_response(200, dict(
            access_token=access, token_type='bearer', expires_in=int(self.options['token_ttl']),
            refresh_token=refresh, refresh_token_expires_in=604800, scope=' '.join(scope),
            owner_id=ACCOUNT_ID, endpoint_id=secrets.token_urlsafe(16), session_id=_digits(10)))

    def revoke(self, request):
        return self.limited('Auth', self.revoke_token, request)

    def revoke_token(self, request):
        form = self.form(request)
        if form is None or not self.client_authenticated(request):
            return oauth_error(401, 'invalid_client', 'OAU-123', 'Client authentication failed')
        with self.lock:
            self.tokens.pop(form.get('token'), None)
            self.refresh_tokens.discard(form.get('token'))
        return json_response(200, None)

    # --- sip-provision -------------------------------------------------
    def sip_provision(self, request):
        return self.bearer('Heavy', 'VoipCalling', self.register_device, request)

    def register_device(self, request):
        if not request.body:
            return errors(400, 'CMN-104', 'Request body is required')
        try:
            body = request.json()
        except ValueError:
            return errors(400, 'CMN-103', 'Request body is not valid JSON')
        found = schema_error(REQUEST_SCHEMA, body)
        if found:
            name, value = found
            return errors(400, 'CMN-101', 'Parameter [%s] value is invalid' % name,
                          parameterName=name, parameterValue=str(value))
        device_id = (body.get('device') or {}).get('id')
        with self.lock:
            if device_id is None:
                wanted = body.get('device') or {}
                device = self.add_device(type='SoftPhone', serial=wanted.get('serial'),
                                         computerName=wanted.get('computerName'))
            elif device_id in self.devices:
                device = self.devices[device_id]
            else:
                return errors(400, 'CMN-102', 'Resource for parameter [device.id] is not found',
                              parameterName='device.id', parameterValue=device_id)
            if self.options['rotate_password']:
                device['password'] = _sip_password()
            authorization_id = _digits(12)
            while authorization_id in self.issued['authorization_ids']:
                authorization_id = _digits(12)
            self.issued['authorization_ids'].append(authorization_id)
            device['authorization_id'] = authorization_id
            device = dict(device)
        transports = []
        for item in body.get('sipInfo') or [{}]:
            if item.get('transport', 'UDP') not in transports:
                transports.append(item.get('transport', 'UDP'))
        return json_response(200, provision_answer(device, transports, authorization_id, self.options))

    # --- device reads --------------------------------------------------
    def read_devices(self, request, account, device_id, sip_info):
        if account not in ('~', ACCOUNT_ID):
            return not_found('accountId', account)
        with self.lock:
            if device_id is None:
                return self.device_list(request, list(self.devices.values()))
            device = copy.deepcopy(self.devices.get(device_id))
        if device is None:
            return not_found('deviceId', device_id)
        return json_response(200, (sip_info_view if sip_info else device_view)(device, self.options))

    def device_list(self, request, devices):
        numbers = {}
        for name, default in (('page', 1), ('perPage', 100)):
            text = request.query.get(name, str(default))
            if not text.isdigit() or not 1 <= int(text) <= (MAX_PER_PAGE if name == 'perPage' else 10 ** 6):
                return errors(400, 'CMN-101', 'Parameter [%s] value is invalid' % name,
                              parameterName=name, parameterValue=text)
            numbers[name] = int(text)
        return json_response(200, device_page(devices, numbers['page'], numbers['perPage'], self.options))

    # --- faults and control --------------------------------------------
    def fault_body(self, status):
        codes = {429: ('CMN-301', 'Request rate exceeded'), 503: ('CMN-201', 'Service Temporary Unavailable')}
        code, message = codes.get(status, ('CMN-202', 'Internal Server Error'))
        return {'errors': [dict(errorCode=code, message=message)]}

    def expire_tokens(self):
        with self.lock:
            for grant in self.tokens.values():
                grant['expiry'] = 0.0

    def control(self, request, path):
        if path == '/state' and request.method == 'GET':
            with self.lock:
                return json_response(200, dict(
                    client_id=self.client_id, client_secret=self.client_secret, jwt=self.jwt,
                    devices=copy.deepcopy(self.devices), issued=copy.deepcopy(self.issued),
                    options=dict(self.options), limits=copy.deepcopy(self.limit_settings),
                    counters=copy.deepcopy(self.counters)))
        if path == '/counters' and request.method == 'DELETE':
            with self.lock:
                self.counters = {}
            return json_response(200, {})
        if path == '/options' and request.method == 'PATCH':
            change = request.json()
            unknown = set(change) - set(DEFAULT_OPTIONS)
            if unknown:
                return json_response(400, {'error': 'unknown options %s' % sorted(unknown)})
            with self.lock:
                self.options.update(change)
                return json_response(200, dict(self.options))
        if path == '/limits' and request.method == 'PATCH':
            with self.lock:
                for group, values in request.json().items():
                    self.limit_settings[group].update(values)
                self.limits = self.new_limits()
                return json_response(200, copy.deepcopy(self.limit_settings))
        if path.startswith('/devices/') and request.method == 'PATCH':
            with self.lock:
                device = self.devices.get(path[len('/devices/'):])
                if device is None:
                    return json_response(404, {'error': 'unknown device'})
                device.update(request.json())
                return json_response(200, copy.deepcopy(device))
        if path == '/expire-tokens' and request.method == 'POST':
            self.expire_tokens()
            return json_response(200, {})
        return super().control(request, path)
