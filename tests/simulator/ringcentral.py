# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A RingCentral account, as ``api/ringcentral.md`` and its OpenAPI extract describe it.

Routes:

- ``POST /restapi/oauth/token``: form body, ``Authorization: Basic`` of the client; grants
  ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (``assertion``) and ``refresh_token``.
  Auth rate-limit group (5 a minute).
- ``POST /restapi/oauth/revoke``: form ``token``; Basic client authentication.
- ``POST /restapi/v1.0/client-info/sip-provision``: Bearer token, app permission
  ``VoipCalling``, Heavy group (10 a minute, then a 60 s penalty that every request
  inside it restarts). The JSON body is checked against ``CreateSipRegistrationRequest``
  (a transcription of the spec's schema below; the spec file is not read at run time):
  a bad value is 400 ``CMN-101`` with ``parameterName``. Every call mints a fresh
  ``authorizationId``; without ``device.id`` a new device is registered.

Errors: 401 ``OAU-128`` (expired token), ``OAU-149`` (unknown token), 403 ``CMN-401``
(no ``VoipCalling``), 429 ``CMN-301`` with ``Retry-After``, 400 ``CMN-101/103/104``.
Codes the notes do not give are this simulator's choice: ``OAU-123`` (client
authentication failed), ``OAU-140`` (bad JWT or refresh token), ``OAU-251`` (unsupported
grant), ``CMN-102`` (unknown ``device.id``), ``CMN-202`` (500).
Every answer of a rate-limited route carries ``X-Rate-Limit-Group/-Limit/-Remaining/-Window``.

Control routes (``/targets/NAME/...`` on the control API):

- ``GET /state``: credentials, devices (with SIP passwords), every token and
  authorization id issued, options and limits (it holds secrets: tests read it with no_log);
- ``PATCH /options``: ``voip_calling`` (the app's permission), ``pstn`` (``sipInfoPstn``
  present), ``extra_fields`` (unknown keys everywhere), ``unknown_enums`` (enum values the
  spec does not list), ``rotate_password`` (a new SIP password on every call),
  ``retry_after`` (send ``Retry-After`` on 429), ``token_ttl`` (seconds);
- ``PATCH /limits``: ``{"Heavy": {"limit": 10, "window": 60, "penalty": 60}, "Auth": {...}}``
  (any subset); every group's counters and penalty restart;
- ``POST /expire-tokens``: every access token expires now (the next use is ``OAU-128``).
"""

from __future__ import annotations

import base64
import copy
import math
import secrets
import string
import threading
import time

from .server import App, json_response

TOKEN_PATH = '/restapi/oauth/token'
REVOKE_PATH = '/restapi/oauth/revoke'
SIP_PROVISION_PATH = '/restapi/v1.0/client-info/sip-provision'
JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
PLATFORM = 'https://platform.ringcentral.com'
ACCOUNT_ID = '37439510'
MAIN_NUMBER = '17203861294'
FORM = 'application/x-www-form-urlencoded'

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
PORTS = {'UDP': 5090, 'TCP': 5090, 'TLS': 5090, 'WSS': 8083}
DEFAULT_LIMITS = {'Heavy': dict(limit=10, window=60, penalty=60), 'Auth': dict(limit=5, window=60, penalty=60)}
DEFAULT_OPTIONS = dict(voip_calling=True, pstn=True, extra_fields=False, unknown_enums=False,
                       rotate_password=False, retry_after=True, token_ttl=3600)


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


def _digits(count):
    return ''.join(secrets.choice(string.digits) for dummy in range(count))


def _sip_password():
    return ''.join(secrets.choice(string.ascii_letters + string.digits) for dummy in range(10))


class RateLimit:
    """One usage-plan group: ``limit`` requests per ``window`` seconds, then ``penalty`` seconds
    of 429; a request during the penalty restarts it; a new window starts after it."""

    def __init__(self, group, limit, window, penalty):
        self.group, self.limit, self.window, self.penalty = group, limit, window, penalty
        self.times = []
        self.penalty_until = 0.0

    def take(self, now):
        """(allowed, headers) for one request at ``now``."""
        if now < self.penalty_until:
            self.penalty_until = now + self.penalty
            return False, self.headers()
        self.times = [t for t in self.times if t > now - self.window]
        if len(self.times) >= self.limit:
            self.times = []
            self.penalty_until = now + self.penalty
            return False, self.headers()
        self.times.append(now)
        return True, self.headers()

    def headers(self):
        remaining = 0 if self.penalty_until > time.time() else max(0, self.limit - len(self.times))
        return {'X-Rate-Limit-Group': self.group, 'X-Rate-Limit-Limit': str(self.limit),
                'X-Rate-Limit-Remaining': str(remaining), 'X-Rate-Limit-Window': str(int(self.window))}


class RingCentralAccount(App):
    def __init__(self, client_id=None, client_secret=None, jwt=None, devices=None, options=None, limits=None):
        self.client_id = client_id or 'sim' + secrets.token_hex(8)
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.jwt = jwt or '.'.join(base64.urlsafe_b64encode(part).decode().rstrip('=') for part in (
            b'{"alg":"RS256","typ":"JWT"}', b'{"aud":"%s","sub":"%s"}' % (PLATFORM.encode(), ACCOUNT_ID.encode()),
            secrets.token_bytes(64)))
        self.devices = {}
        for device in devices or ({'id': '802398804016', 'extension': '115'}, {'id': '802398805016', 'extension': '116'}):
            self.add_device(**device)
        self.options = dict(DEFAULT_OPTIONS, **(options or {}))
        self.limit_settings = copy.deepcopy(DEFAULT_LIMITS)
        for group, values in (limits or {}).items():
            self.limit_settings[group].update(values)
        self.limits = self.new_limits()
        self.tokens = {}            # access token -> expiry time
        self.refresh_tokens = set()
        self.issued = dict(access_tokens=[], refresh_tokens=[], authorization_ids=[])
        self.lock = threading.RLock()

    def add_device(self, id=None, extension='115', name=None, type='OtherPhone', serial=None, computerName=None):
        device = dict(id=id or '8023988' + _digits(5), type=type, extension=extension,
                      name=name or 'Intercom %s' % extension, serial=serial or 'SN%s' % _digits(8),
                      username='%s*%s' % (MAIN_NUMBER, extension), password=_sip_password())
        if computerName:
            device['computerName'] = computerName
        self.devices[device['id']] = device
        return device

    def new_limits(self):
        return dict((group, RateLimit(group, **values)) for group, values in self.limit_settings.items())

    # --- routing -------------------------------------------------------
    def handle(self, request):
        routes = {TOKEN_PATH: self.token, REVOKE_PATH: self.revoke, SIP_PROVISION_PATH: self.sip_provision}
        handler = routes.get(request.path)
        if handler is None:
            return errors(404, 'CMN-102', 'Resource for parameter [path] is not found', parameterName='path')
        if request.method != 'POST':
            return errors(405, 'CMN-405', 'Method %s is not allowed' % request.method)
        return handler(request)

    def limited(self, group, handler, request):
        """Run ``handler`` within ``group``'s rate limit; add the X-Rate-Limit-* headers."""
        with self.lock:
            limit = self.limits[group]
            allowed, headers = limit.take(time.time())
        if allowed:
            response = handler(request)
        else:
            response = errors(429, 'CMN-301', 'Request rate exceeded')
            if self.options['retry_after']:
                headers['Retry-After'] = str(max(1, int(math.ceil(limit.penalty))))
        response.headers.update(headers)
        return response

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
            self.tokens[access] = time.time() + self.options['token_ttl']
            self.refresh_tokens.add(refresh)
            self.issued['access_tokens'].append(access)
            self.issued['refresh_tokens'].append(refresh)
        return json_response(200, dict(
            access_token=access, token_type='bearer', expires_in=int(self.options['token_ttl']),
            refresh_token=refresh, refresh_token_expires_in=604800, scope='VoipCalling ReadAccounts',
            owner_id='%s' % ACCOUNT_ID, endpoint_id=secrets.token_urlsafe(16)))

    def revoke(self, request):
        form = self.form(request)
        if form is None or not self.client_authenticated(request):
            return oauth_error(401, 'invalid_client', 'OAU-123', 'Client authentication failed')
        with self.lock:
            self.tokens.pop(form.get('token'), None)
            self.refresh_tokens.discard(form.get('token'))
        return json_response(200, None)

    def bearer_error(self, request):
        """None when the request carries a live access token, else the 401 answer."""
        header = request.headers.get('Authorization') or ''
        token = header[7:] if header.startswith('Bearer ') else None
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None:
            return errors(401, 'OAU-149', 'Invalid token')
        if expiry <= time.time():
            return errors(401, 'OAU-128', 'Access token expired')
        return None

    # --- sip-provision -------------------------------------------------
    def sip_provision(self, request):
        denied = self.bearer_error(request)
        if denied is not None:
            return denied
        return self.limited('Heavy', self.register_device, request)

    def register_device(self, request):
        if not self.options['voip_calling']:
            return errors(403, 'CMN-401', 'In order to call this API endpoint, application needs to have '
                                          '[VoipCalling] permission')
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
            device = dict(device)
        transports = []
        for item in body.get('sipInfo') or [{}]:
            if item.get('transport', 'UDP') not in transports:
                transports.append(item.get('transport', 'UDP'))
        return json_response(200, self.answer(device, transports, authorization_id))

    def identity(self, device, transport, authorization_id, host):
        port = PORTS.get(transport, 5090)
        info = dict(
            username=device['username'], password=device['password'],
            authorizationTypes=['SipDigest', 'BearerToken'] if transport == 'WSS' else ['SipDigest'],
            authorizationId=authorization_id, domain='sip.ringcentral.com',
            outboundProxy='%s-191.ringcentral.com:%d' % (host, port),
            outboundProxyIPv6='[2001:db8:%s::191]:%d' % (host[3:], port),
            outboundProxyBackup='%s-192.ringcentral.com:%d' % (host, port),
            outboundProxyIPv6Backup='[2001:db8:%s::192]:%d' % (host[3:], port),
            transport=transport, switchBackInterval=3600,
            stunServers=['stun1.ringcentral.com:19302', 'stun2.ringcentral.com:19302'])
        if transport == 'TLS':
            info['certificate'] = base64.b64encode(b'0\x82\x03' + device['id'].encode() * 8).decode()
        if self.options['extra_fields']:
            info.update(outboundProxyQuic='%s-191.ringcentral.com:5097' % host, mediaEncryption='SRTP')
        if self.options['unknown_enums']:
            info['authorizationTypes'] = info['authorizationTypes'] + ['MutualTls']
        return info

    def device_view(self, device):
        view = dict(
            uri='%s/restapi/v1.0/account/%s/device/%s' % (PLATFORM, ACCOUNT_ID, device['id']),
            id=device['id'], type=device['type'], sku='DV-1', status='Online', name=device['name'],
            serial=device['serial'], linePooling='None',
            extension=dict(id=int('1' + device['extension'] + '0' * 6),
                           uri='%s/restapi/v1.0/account/%s/extension/%s' % (PLATFORM, ACCOUNT_ID, device['extension']),
                           extensionNumber=device['extension']))
        if device.get('computerName'):
            view['computerName'] = device['computerName']
        if self.options['extra_fields']:
            view['firmware'] = {'version': '3.9.2', 'channel': 'stable'}
        if self.options['unknown_enums']:
            view.update(type='IntercomPanel', status='Provisioning', linePooling='Shared')
        return view

    def answer(self, device, transports, authorization_id):
        body = dict(
            device=self.device_view(device),
            sipInfo=[self.identity(device, t, authorization_id, 'sip112') for t in transports],
            sipFlags=dict(voipFeatureEnabled=True, voipCountryBlocked=False, outboundCallsEnabled=True,
                          dscpEnabled=False, dscpSignaling=26, dscpVoice=46, dscpVideo=34),
            sipErrorCodes=['408', '502', '503', '504'],
            pollingInterval=86400,
            persistGatewayConfigured=False)
        if self.options['pstn']:
            body['sipInfoPstn'] = [self.identity(device, t, authorization_id, 'sip71') for t in transports]
            if self.options['unknown_enums']:
                body['sipInfoPstn'][0]['transport'] = 'QUIC'
        if self.options['extra_fields']:
            body.update(hdVoiceEnabled=True, sipInfoVideo=[{'codec': 'VP8'}])
            body['sipFlags']['e2eeEnabled'] = True
        return body

    # --- faults and control --------------------------------------------
    def fault_body(self, status):
        codes = {429: ('CMN-301', 'Request rate exceeded'), 503: ('CMN-201', 'Service Temporary Unavailable')}
        code, message = codes.get(status, ('CMN-202', 'Internal Server Error'))
        return {'errors': [dict(errorCode=code, message=message)]}

    def expire_tokens(self):
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def control(self, request, path):
        if path == '/state' and request.method == 'GET':
            with self.lock:
                return json_response(200, dict(
                    client_id=self.client_id, client_secret=self.client_secret, jwt=self.jwt,
                    devices=copy.deepcopy(self.devices), issued=copy.deepcopy(self.issued),
                    options=dict(self.options), limits=copy.deepcopy(self.limit_settings)))
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
        if path == '/expire-tokens' and request.method == 'POST':
            self.expire_tokens()
            return json_response(200, {})
        return super().control(request, path)
