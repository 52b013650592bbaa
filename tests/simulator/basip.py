# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A BAS-IP panel, as https://developers.bas-ip.com/ and ``docs/basip-families.md`` describe it.

MD5 login with 40-hex tokens that expire, 401 ``Log In``, the three 400 messages of
a POST, the panel's field rules (plugins/module_utils/_basip_rules.py: the published patterns, so
``outbound`` is empty or ``host[:port]`` without ``sip:``, else 400 ``Wrong JSON body``),
``WebPass`` in place of the SIP password, unknown
keys ignored; per firmware family (``basip_families.py``) the device-info answer, the
API version, the SIP schema and rules, SIP on/off and the registration status, and the
error shape. Control routes (``/targets/NAME/...`` on the control API):

- ``GET /state``: the stored settings, with the real SIP password (for tests);
- ``PATCH /state``: change settings out of band (JSON merged into the stored ones);
- ``GET /sip``: ``sip_enabled`` (the switch of families with an enable endpoint) and
  ``registration`` (what the status endpoint would report now);
- ``PATCH /sip`` ``{"sip_enabled": bool}``: switch SIP out of band;
- ``PATCH /options``: variants (``family``, ``extra_keys``, ``post_body``: ``empty`` or ``{}``,
  ``token_ttl`` seconds, ``api_version``, ``outbound`` (false: firmware without the key),
  ``registration``: ``auto``, ``OK`` or ``ERROR``, ``registration_delay`` seconds, ``login``:
  ``query`` or ``json``, the login form the firmware takes); changing ``family`` resets the
  settings to that family's factory values;
- ``POST /expire-tokens``: every token of the panel expires now;
- ``DELETE /lockout``: forget every client's failed logins and lock-outs.

Login (``docs/basip-families.md``, "Login"): ``GET .../login?username=&password=<MD5>``, or with
``login: json`` ``POST .../login`` with the JSON body ``{"username", "password"}`` (a GET then
misses its parameters). After 5 failed logins of one client address the panel locks that client
out: every login answers 429 ``{"error": "Too Many Requests", "seconds": N}`` for 60 s, then
180 s, 10 min, 30 min, 1 h and 3 h for the next lock-outs; a successful login resets the count
(the page does not say what resets it).

Registration: :meth:`Panel.registration_state` answers the status endpoint. SIP off is
``OFFLINE``; a forced ``registration`` option wins; else a registration source (a callable
set with :meth:`Panel.set_registration_source`, e.g. a SIP user agent) decides; else the
rule: ``OK`` once ``registration_delay`` seconds have passed since SIP was last switched on
or its settings last written, ``ERROR`` before. :meth:`Panel.add_listener` registers a
callable that receives a copy of the settings (with the real password) after every change.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import secrets
import threading
import time

from . import basip_families as families
from .basip_families import FAMILIES
from .server import App, json_response, Response

_RULES_FILE = os.path.join(os.path.dirname(__file__), '..', '..', 'plugins', 'module_utils', '_basip_rules.py')
_spec = importlib.util.spec_from_file_location('sipfleet_basip_rules', _RULES_FILE)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

FACTORY_SETTINGS = families.factory_settings('panel')
PLACEHOLDER = 'WebPass'
MAX_FAILED_LOGINS = 5
LOCKOUTS = (60, 180, 600, 1800, 3600, 10800)
"""Seconds of each successive lock-out (developers.bas-ip.com/android-panels/login-user)."""
TYPES = {'proxy': str, 'realm': str, 'user': str, 'password': str, 'transport': str,
         'user_id': str, 'stun': dict, 'registration_interval': int, 'outbound': str,
         'h264': int, 'enable': bool, 'timeout': int, 'net': int}
REQUIRED = ('proxy', 'realm', 'user', 'password', 'stun')


class Panel(App):
    def __init__(self, web_username='admin', web_password='123456', settings=None, token_ttl=7200,
                 api_version=None, extra_keys=None, post_body='empty', family='panel'):
        self.web_username = web_username
        self.web_password = web_password
        self.family = family
        self.settings = copy.deepcopy(settings) if settings else families.factory_settings(family)
        self.options = dict(token_ttl=token_ttl, api_version=api_version or FAMILIES[family]['api_version'],
                            extra_keys=dict(extra_keys or {}), post_body=post_body, outbound=True,
                            registration='auto', registration_delay=0.0, login='query')
        self.sip_enabled = True
        self.changed_at = time.time()
        self.attempted_at = None
        self.tokens = {}
        self.failed_logins = {}  # client address -> {failures, lockouts, until}
        self.clock = time.time  # of the lock-outs
        self.lock = threading.RLock()
        self.listeners = []
        self.registration_source = None

    # --- hooks for a SIP user agent -------------------------------------
    def add_listener(self, listener):
        """Call ``listener(settings)`` (a copy, real password included) after every change."""
        self.listeners.append(listener)

    def set_registration_source(self, source):
        """``source()`` returns ``OK`` or ``ERROR`` (or None: use the rule); None removes it."""
        self.registration_source = source

    def registration_state(self):
        """What the status endpoint reports: ``OK``, ``ERROR`` or ``OFFLINE``."""
        with self.lock:
            enabled = self.sip_enabled if FAMILIES[self.family]['switch'] != 'settings' \
                else bool(self.settings.get('enable'))
            forced, delay, changed_at = (self.options['registration'], self.options['registration_delay'],
                                         self.changed_at)
        if not enabled:
            return 'OFFLINE'
        if forced != 'auto':
            return forced
        reported = self.registration_source() if self.registration_source else None
        if reported is not None:
            return reported
        return 'OK' if time.time() - changed_at >= delay else 'ERROR'

    def _changed(self):
        with self.lock:
            self.changed_at = time.time()
            snapshot = copy.deepcopy(self.settings)
            snapshot['sip_enabled'] = self.sip_enabled
        for listener in list(self.listeners):
            listener(snapshot)

    def _error(self, status, kind, param=None):
        return json_response(status, families.error_body(self.family, kind, param))

    # --- the panel's API -----------------------------------------------
    def handle(self, request):
        if request.path == '/api/info' and request.method == 'GET':
            info = dict(FAMILIES[self.family]['info'], device_name=self.name)
            return json_response(200, info)
        prefix = '/api/%s' % self.options['api_version']
        route = (request.method, request.path[len(prefix):] if request.path.startswith(prefix + '/') else None)
        if route == ('GET', '/login') or (route == ('POST', '/login') and self.options['login'] == 'json'):
            return self.login(request)
        handler = {('GET', '/logout'): self.logout,
                   ('GET', '/device/sip/settings'): self.get_settings,
                   ('POST', '/device/sip/settings'): self.set_settings}.get(route)
        if FAMILIES[self.family]['switch'] == 'endpoint':
            handler = handler or {('GET', '/device/sip/enable'): self.get_enable,
                                  ('POST', '/device/sip/enable'): self.set_enable}.get(route)
        if FAMILIES[self.family]['status'] and route == ('GET', '/sip/status'):
            handler = self.get_status
        if handler is None:
            return json_response(404, {'error': 'Not found'})
        if not self.authorised(request):
            return self._error(401, 'auth')
        return handler(request)

    def login(self, request):
        credentials = request.query
        if self.options['login'] == 'json':
            try:
                credentials = request.json() if request.method == 'POST' else {}
            except ValueError:
                credentials = {}
        username, digest = credentials.get('username'), credentials.get('password')
        if not isinstance(username, str) or not isinstance(digest, str) or not username or not digest:
            return self._error(400, 'missing')
        now = self.clock()
        with self.lock:
            client = self.failed_logins.setdefault(request.client, dict(failures=0, lockouts=0, until=0.0))
            if client['until'] > now:
                return json_response(429, {'error': 'Too Many Requests', 'seconds': int(client['until'] - now + 0.999)})
            expected = hashlib.md5(self.web_password.encode('utf-8')).hexdigest()
            if username != self.web_username or digest.lower() != expected:
                client['failures'] += 1
                if client['failures'] >= MAX_FAILED_LOGINS:
                    client['until'] = now + LOCKOUTS[min(client['lockouts'], len(LOCKOUTS) - 1)]
                    client['failures'], client['lockouts'] = 0, client['lockouts'] + 1
                return self._error(400, 'login')
            client.update(failures=0, lockouts=0)
            token = secrets.token_hex(20)
            self.tokens[token] = now + self.options['token_ttl']
        return json_response(200, {'token': token, 'account_type': 'admin'})

    def authorised(self, request):
        header = request.headers.get('Authorization') or ''
        token = header[7:] if header.startswith('Bearer ') else None
        with self.lock:
            expiry = self.tokens.get(token)
            if expiry is not None and expiry < time.time():
                del self.tokens[token]
                expiry = None
        return expiry is not None

    def logout(self, request):
        with self.lock:
            self.tokens.pop(request.headers['Authorization'][7:], None)
        return json_response(200, {})

    def _known_keys(self):
        keys = set(FAMILIES[self.family]['settings'])
        if not self.options['outbound']:
            keys.discard('outbound')
        return keys

    def get_settings(self, request):
        with self.lock:
            body = dict((k, copy.deepcopy(v)) for k, v in self.settings.items() if k in self._known_keys())
        body['password'] = PLACEHOLDER
        body.update(self.options['extra_keys'])
        return json_response(200, body)

    def _read_body(self, request):
        try:
            body = request.json()
        except ValueError:
            return None, self._error(400, 'json')
        if not isinstance(body, dict):
            return None, self._error(400, 'json')
        return body, None

    def set_settings(self, request):
        body, error = self._read_body(request)
        if error:
            return error
        required = REQUIRED + (('h264',) if FAMILIES[self.family]['h264'] else ())
        for key in required:
            if key not in body:
                return self._error(400, 'required', key)
        for key, kind in TYPES.items():
            if key in body and (not isinstance(body[key], kind) or (kind is int and isinstance(body[key], bool))):
                return self._error(400, 'type', key)
        known = dict((k, v) for k, v in body.items() if k in self._known_keys())
        refused = families.check_family_rules(self.family, known, rules)
        if refused:
            return self._error(400, 'rule', refused)
        with self.lock:
            self.settings.update(copy.deepcopy(known))
        self._changed()
        return Response(200, b'' if self.options['post_body'] == 'empty' else {})

    def get_enable(self, request):
        with self.lock:
            return json_response(200, {'sip_enable': self.sip_enabled})

    def set_enable(self, request):
        body, error = self._read_body(request)
        if error:
            return error
        if 'sip_enable' not in body:
            return self._error(400, 'required', 'sip_enable')
        if not isinstance(body['sip_enable'], bool):
            return self._error(400, 'type', 'sip_enable')
        with self.lock:
            self.sip_enabled = body['sip_enable']
        self._changed()
        return Response(200, b'' if self.options['post_body'] == 'empty' else {})

    def get_status(self, request):
        state = self.registration_state()
        with self.lock:
            if state != 'OFFLINE':
                self.attempted_at = int(time.time())
            attempted = self.attempted_at
        return json_response(200, {'sip_status': state, 'register_last_attempt': attempted})

    # --- faults and control --------------------------------------------
    def fault_body(self, status):
        return {'error': 'Internal error'} if status >= 500 else {'error': 'Too many requests'}

    def expire_tokens(self):
        with self.lock:
            self.tokens.clear()

    def control(self, request, path):
        if path == '/state' and request.method == 'GET':
            with self.lock:
                return json_response(200, copy.deepcopy(self.settings))
        if path == '/sip' and request.method == 'GET':
            with self.lock:
                enabled = self.sip_enabled
            return json_response(200, dict(sip_enabled=enabled, registration=self.registration_state()))
        if path == '/sip' and request.method == 'PATCH':
            with self.lock:
                self.sip_enabled = bool(request.json()['sip_enabled'])
            self._changed()
            return json_response(200, {})
        if path == '/state' and request.method == 'PATCH':
            change = request.json()
            with self.lock:
                for key, value in change.items():
                    if isinstance(value, dict) and isinstance(self.settings.get(key), dict):
                        self.settings[key].update(value)
                    else:
                        self.settings[key] = value
            self._changed()
            return json_response(200, {})
        if path == '/options' and request.method == 'PATCH':
            change = request.json()
            if change.get('family', self.family) not in FAMILIES:
                return json_response(400, {'error': 'unknown family %s' % change['family']})
            reset = change.get('family', self.family) != self.family
            with self.lock:
                if reset:
                    self.family = change['family']
                    self.settings = families.factory_settings(self.family)
                    self.sip_enabled = True
                    self.options['api_version'] = FAMILIES[self.family]['api_version']
                self.options.update((k, v) for k, v in change.items() if k != 'family')
                options = dict(self.options, family=self.family)
            if reset:
                self._changed()
            return json_response(200, options)
        if path == '/expire-tokens' and request.method == 'POST':
            self.expire_tokens()
            return json_response(200, {})
        if path == '/lockout' and request.method == 'DELETE':
            with self.lock:
                self.failed_logins.clear()
            return json_response(200, {})
        return super().control(request, path)
