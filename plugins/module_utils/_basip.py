# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``basip_sip`` and ``basip_sip_info``: the panel's SIP settings as a field table and a service
adapter, SIP on/off and the registration status.

API facts (https://developers.bas-ip.com/, ``docs/basip-families.md``): ``GET /api/{v}/login?username=&password=<MD5>``
(or, on firmware that takes it, ``POST`` with that JSON body) answers a token; a refused login is
never retried (five failures lock the client out); ``GET``/``POST /api/{v}/device/sip/settings`` read and write the settings as one
object (the password is never returned); ``GET``/``POST /api/v1/device/sip/enable``
``{"sip_enable": bool}`` (panels) or the settings' ``enable`` key (Android monitors) switch SIP;
``GET /api/v1/sip/status`` answers ``{"sip_status": "OK"|"ERROR"|"OFFLINE", "register_last_attempt"}``
(panels); ``GET /api/info`` needs no login; ``GET /api/{v}/logout`` ends the session.
"""

from __future__ import annotations

import hashlib
import time

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_families import (
    AUTO, FAMILIES, NAMES, any_family_accepts, api_version, detect, family_errors,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._basip_rules import (
    REQUIRED, RULES, check_outbound, check_settings, check_value, without_sip,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, InputError, ServiceClient, TokenAuth, http_argument_spec, json_object, parse_retry_after,
    redact_url,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY, QUERY_REQUIREMENT, with_query
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    Adapter, Field, Options, WouldFail, ensure, mask_secrets,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

SIP_SETTINGS = '/device/sip/settings'
SIP_ENABLE = '/device/sip/enable'
SIP_STATUS = '/sip/status'
POLL_INTERVAL = 2.0

CONNECTION = (
    Field('api_url', required=True, env=['BASIP_API_URL'], control=True),
    Field('api_username', default='admin', env=['BASIP_API_USERNAME'], control=True),
    Field('api_password', required=True, no_log=True, env=['BASIP_API_PASSWORD'], control=True),
    Field('api_version', choices=['v0', 'v1'], control=True),
    Field('api_family', default=AUTO, choices=(AUTO,) + NAMES, control=True),
)

SETTINGS = (
    Field('proxy', validate=check_value),
    Field('realm', validate=check_value),
    Field('user', validate=any_family_accepts),
    Field('password', no_log=True, write_only=True, validate=any_family_accepts),
    Field('user_id', validate=check_value),
    Field('transport', choices=RULES['transport'][1], normalise=str.lower),
    Field('stun', type='dict', children=(Field('ip', validate=check_value),
                                         Field('port', type='int', normalise=int, validate=check_value))),
    Field('registration_interval', type='int', normalise=int, validate=check_value),
    Field('outbound', normalise=without_sip, validate=check_outbound),
)

FIELDS = CONNECTION + SETTINGS + (
    Field('enabled', type='bool', control=True),
    Field('update_password', default='on_change', choices=['always', 'on_change'], no_log=False, control=True),
    Field('wait_for_registration', type='bool', default=False, control=True),
    Field('registration_timeout', type='int', default=60, control=True),
)

NO_PASSWORD = (
    'The SIP settings of this panel differ (%s) and must be written, but no SIP "password" '
    'was given. The panel writes its settings as one object that includes the SIP password, '
    'and it never returns the current password (a read shows a placeholder), so it cannot be '
    'kept as it is: set "password".'
)


def _check_options(params):
    """Cross-option checks before any request: the named family's rules, the timeout."""
    errors = []
    if params.get('api_password') == '':
        errors.append("api_password is empty: the panel's web login needs it")
    if params.get('registration_timeout') is not None and params['registration_timeout'] < 1:
        errors.append('registration_timeout must be at least 1 (seconds)')
    if params.get('api_family', AUTO) != AUTO:
        errors.extend(family_errors(FAMILIES[params['api_family']], params))
    return errors


LOGIN_ANSWERS = (200, 400, 401, 403, 404, 405, 429)
"""Answers to a login that are never retried: a refusal, a lock-out, a login form the firmware lacks."""
NOT_RETRIED = ('not retried: after 5 failed logins the panel locks this host out, and each failure while '
               'locked out lengthens the lock-out')


class PanelAuth(TokenAuth):
    """MD5 login (the digest is as good as the password: a registered secret), logout.

    The login is sent once: a refused login (wrong web password or user) or a lock-out (429
    after 5 failed logins, https://developers.bas-ip.com/android-panels/login-user) fails the task
    at once, saying which and what to check. The query-string form is sent first; a panel that
    misses its parameters (``Required parameters missed``) or has no such route takes the JSON body
    that page documents, sent once instead (``docs/basip-families.md``, "Login")."""

    def __init__(self, params):
        self.username = params['api_username']
        self.prefix = '/api/%s' % api_version(params)
        self.password_md5 = hashlib.md5(params['api_password'].encode('utf-8')).hexdigest()
        self.form = 'query'
        super().__init__(secrets=[self.password_md5])

    def _send(self, http):
        credentials = dict(username=self.username, password=self.password_md5)
        if self.form == 'json':
            return http.request('POST', self.prefix + '/login', ok=LOGIN_ANSWERS, authenticated=False, json=credentials)
        return http.request('GET', self.prefix + '/login', ok=LOGIN_ANSWERS, authenticated=False, params=credentials)

    def login(self, http):
        response = self._send(http)
        if self.form == 'query' and (response.status_code in (404, 405) or (
                response.status_code == 400 and http.error_text(response)[1] == 'Required parameters missed')):
            self.form = 'json'
            response = self._send(http)
        if response.status_code != 200:
            raise login_error(http, response, self.username)
        token = json_object(response, 'the panel').get('token')
        if not token:
            raise ApiError('login answered without a token', status=response.status_code,
                           method=response.request.method, url=response.url)
        return token

    def logout(self, http, token):
        http.request('GET', self.prefix + '/logout', authenticated=False, headers=self.headers())


def login_error(http, response, username):
    """The failure of a login the panel did not accept: locked out (for how long), refused, or other
    (``http``'s secrets scrubbed from what the panel said)."""
    code, message = http.error_text(response)
    status = response.status_code
    if status == 429:
        try:
            seconds = int(response.json().get('seconds'))
        except (AttributeError, TypeError, ValueError):
            seconds = parse_retry_after(response.headers.get('Retry-After'))
        left = '%d s left' % seconds if seconds is not None else 'the panel did not say for how long'
        text = ('the panel has locked this host out after repeated failed logins (%s); check api_password (the '
                "panel's web password) and api_username before the next run: %s" % (left, NOT_RETRIED))
    elif message == 'Wrong login or password' or status in (401, 403):
        text = ('the panel refused the login of api_username %r: wrong web password or user name (check '
                'api_password and api_username); %s' % (username, NOT_RETRIED))
    else:
        text = 'the panel refused the login (check api_username, api_password and api_version): %s' % message
    return ApiError(http.scrub(text), status=status, code=code, method=response.request.method, url=response.url)


class Session(ServiceClient):
    """One panel: the HTTP client, the API prefix, and the family once known. A Camdroid
    monitor's error names the refused parameters in ``error.data``."""

    def __init__(self, params):
        self.params = params
        self.auth = PanelAuth(params)
        self.http = HttpClient.from_params(params, auth=self.auth, refused_in='data')
        self.prefix = self.auth.prefix
        self.family = None if params['api_family'] == AUTO else FAMILIES[params['api_family']]

    def get(self, path, optional=False):
        """The JSON object of ``GET path``; None when ``optional`` and the panel answers 404."""
        response = self.http.request('GET', self.prefix + path, ok=(200, 404) if optional else (200,))
        if response.status_code == 404:
            return None
        return json_object(response, 'the panel', empty_ok=False)

    def settings(self):
        """The SIP settings object; detects the family from it and checks the options for it."""
        current = self.get(SIP_SETTINGS)
        if self.family is None:
            self.family = detect(current)
            errors = family_errors(self.family, self.params)
            if errors:
                raise InputError('this panel is a %s (detected from its SIP settings): %s'
                                 % (self.family.name, '; '.join(errors)))
        if self.params.get('outbound') is not None and 'outbound' not in current:
            raise InputError('outbound cannot be set on this panel: its SIP settings have no "outbound" '
                             'key (older firmware, which ignores it)')
        return current

    def sip_enabled(self, current):
        """Whether SIP is on (None where the family documents no switch or the firmware lacks it)."""
        if self.family.switch == 'settings':
            return current.get('enable') if isinstance(current.get('enable'), bool) else None
        if self.family.switch == 'endpoint':
            answer = self.get(SIP_ENABLE, optional=True)
            value = (answer or {}).get('sip_enable')
            return value if isinstance(value, bool) else None
        return None

    def set_sip_enabled(self, value):
        self.http.request('POST', self.prefix + SIP_ENABLE, json={'sip_enable': value})

    def registration(self):
        """``{state, registered, last_attempt}``; every value None where the status is not known."""
        answer = self.get(SIP_STATUS, optional=True) if self.family.status else None
        state = (answer or {}).get('sip_status')
        state = state if isinstance(state, str) else None
        last = (answer or {}).get('register_last_attempt')
        return dict(state=state, registered=None if state is None else state == 'OK',
                    last_attempt=last if isinstance(last, int) and not isinstance(last, bool) else None)


SWITCHES = dict(settings=Field('enable', type='bool', option='enabled'),
                endpoint=Field('sip_enabled', type='bool', option='enabled', apart=True))
"""SIP on/off as each family keeps it: a key of the settings, or its own endpoint (kept apart)."""


class SipSettings(Adapter):
    """The panel's one SIP settings object: it always exists and is written whole; SIP on/off
    is one of its keys or, kept apart, the switch of the enable endpoint (written alone)."""

    result_key = 'settings'
    whole_object = True

    def __init__(self, session, current):
        self.session, self.current = session, current
        switch = SWITCHES.get(session.family.switch)
        self.fields = SETTINGS + ((switch,) if switch else ())
        self.apart = frozenset(f.name for f in self.fields if f.apart)  # kept by their own request

    def find(self, params):
        """The settings, with ``sip_enabled`` when the task sets the endpoint's switch."""
        if self.session.family.switch != 'endpoint' or params.get('enabled') is None:
            return self.current
        enabled = self.session.sip_enabled(self.current)
        if enabled is None:
            raise ApiError('enabled cannot be set on this panel: it answers no SIP switch (GET %s%s)'
                           % (self.session.prefix, SIP_ENABLE))
        return dict(self.current, sip_enabled=enabled)

    def check(self, current, after, changes, desired):
        changes = [name for name in changes if name not in self.apart]
        if not changes:
            return  # the switch alone: its own request, without the password
        if not desired.get('password'):
            raise WouldFail(NO_PASSWORD % ', '.join(changes))
        errors = check_settings(after, required=REQUIRED, family=self.session.family.name)
        if errors:
            raise ApiError('the settings to write are incomplete or invalid (the panel holds no '
                           'usable value and none was given): ' + '; '.join(errors))

    def update(self, current, after, changes):
        """The settings when one of them changes, then the switch when it changes."""
        if [name for name in changes if name not in self.apart]:
            settings = dict((k, v) for k, v in after.items() if k not in self.apart)
            self.session.http.request('POST', self.session.prefix + SIP_SETTINGS,
                                      json=dict(self.session.family.defaults, **settings))
        if 'sip_enabled' in changes:
            self.session.set_sip_enabled(after['sip_enabled'])
        return after


class NotRegistered(ApiError):
    """``wait_for_registration`` ran out of time: the failure keeps what the run did."""

    def __init__(self, message, result):
        super().__init__(message)
        self.result = result

    def to_result(self):
        return dict(self.result, msg=str(self))


def _wait_until_registered(session, result, timeout, clock=time.monotonic, sleep=time.sleep):
    deadline = clock() + timeout
    while True:
        registration = session.registration()
        if registration['registered'] or clock() >= deadline:
            break
        sleep(min(POLL_INTERVAL, max(deadline - clock(), 0)))
    result['registration'] = registration
    if not registration['registered']:
        raise NotRegistered('the panel at %s did not register within %d s: last sip_status %s (%s)' % (
            redact_url(session.params['api_url']), timeout, registration['state'] or 'unknown',
            'last attempt at %s' % registration['last_attempt'] if registration['last_attempt'] else
            'no registration attempt reported'), result)


def ensure_sip_settings(params, check_mode=False, diff=False):
    """Make a panel's SIP settings (and SIP on/off) match ``params``; return the module result."""
    with Session(params) as session:
        current = session.settings()
        wanted = dict(params, outbound=without_sip(params.get('outbound')))
        result = ensure(SipSettings(session, current), wanted, check_mode, diff,
                        update_secrets=params['update_password'])
        result['api_family'] = session.family.name
        if params.get('enabled') is not None and session.family.switch != 'endpoint':
            result['sip_enabled'] = result['settings'].get('enable')
        if params['wait_for_registration']:
            if check_mode:
                result['registration'] = session.registration()
            else:
                _wait_until_registered(session, result, params['registration_timeout'])
    return result


def sip_info(params, check_mode=False, diff=False):
    """Read a panel's SIP settings, SIP on/off and registration state (reads only)."""
    return with_query(params, lambda: _read_panel(params))


def _read_panel(params):
    with Session(params) as session:
        response = session.http.request('GET', '/api/info', ok=(200, 404), authenticated=False)
        device = json_object(response, 'the panel') if response.status_code == 200 and response.content else {}
        current = session.settings()
        return dict(changed=False, settings=mask_secrets(SETTINGS, current), sip_enabled=session.sip_enabled(current),
                    registration=session.registration(), api_family=session.family.name, device=device)


BASIP_SIP = ModuleSpec(ensure_sip_settings, Options(FIELDS, extra=http_argument_spec(), check=_check_options))
"""The module ``basip_sip`` (its ``main()`` and its action plugin)."""

BASIP_SIP_INFO = ModuleSpec(
    sip_info, Options(CONNECTION + (QUERY,), extra=http_argument_spec(),
                      check=_check_options), (QUERY_REQUIREMENT,))
"""The module ``basip_sip_info``."""
