# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A BAS-IP panel, as ``api/basip.md`` describes it.

MD5 login with 40-hex tokens that expire, 401 ``Log In``, the three 400 messages of
a POST, the panel's field rules, ``WebPass`` in place of the SIP password, unknown
keys ignored. Control routes (``/targets/NAME/...`` on the control API):

- ``GET /state``: the stored settings, with the real SIP password (for tests);
- ``PATCH /state``: change settings out of band (JSON merged into the stored ones);
- ``PATCH /options``: variants (``extra_keys``, ``post_body``: ``empty`` or ``{}``,
  ``token_ttl`` seconds, ``api_version``);
- ``POST /expire-tokens``: every token of the panel expires now.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import os
import secrets
import threading
import time

from .server import App, json_response, Response

_RULES_FILE = os.path.join(os.path.dirname(__file__), '..', '..', 'plugins', 'module_utils', '_basip_rules.py')
_spec = importlib.util.spec_from_file_location('sipfleet_basip_rules', _RULES_FILE)
rules = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rules)

FACTORY_SETTINGS = {
    'proxy': 'sip:sip.bas-ip.com', 'realm': 'sip.bas-ip.com', 'user': '101', 'password': '123456',
    'transport': 'udp', 'user_id': '', 'stun': {'ip': '127.0.0.1', 'port': 3478},
    'registration_interval': 30,
}
PLACEHOLDER = 'WebPass'
TYPES = {'proxy': str, 'realm': str, 'user': str, 'password': str, 'transport': str,
         'user_id': str, 'stun': dict, 'registration_interval': int, 'outbound': str}
REQUIRED = ('proxy', 'realm', 'user', 'password', 'stun')
LOG_IN = {'error': 'Log In'}


class Panel(App):
    def __init__(self, web_username='admin', web_password='123456', settings=None, token_ttl=7200,
                 api_version='v1', extra_keys=None, post_body='empty'):
        self.web_username = web_username
        self.web_password = web_password
        self.settings = copy.deepcopy(settings or FACTORY_SETTINGS)
        self.options = dict(token_ttl=token_ttl, api_version=api_version,
                            extra_keys=dict(extra_keys or {}), post_body=post_body)
        self.tokens = {}
        self.lock = threading.Lock()

    # --- the panel's API -----------------------------------------------
    def handle(self, request):
        if request.path == '/api/info' and request.method == 'GET':
            return json_response(200, {'device_name': self.name, 'firmware_version': '3.9.2',
                                       'api_version': self.options['api_version']})
        prefix = '/api/%s' % self.options['api_version']
        route = (request.method, request.path[len(prefix):] if request.path.startswith(prefix + '/') else None)
        if route == ('GET', '/login'):
            return self.login(request)
        handler = {('GET', '/logout'): self.logout,
                   ('GET', '/device/sip/settings'): self.get_settings,
                   ('POST', '/device/sip/settings'): self.set_settings}.get(route)
        if handler is None:
            return json_response(404, {'error': 'Not found'})
        if not self.authorised(request):
            return json_response(401, LOG_IN)
        return handler(request)

    def login(self, request):
        username, digest = request.query.get('username'), request.query.get('password')
        if not username or not digest:
            return json_response(400, {'error': 'Required parameters missed'})
        expected = hashlib.md5(self.web_password.encode('utf-8')).hexdigest()
        if username != self.web_username or digest.lower() != expected:
            return json_response(400, {'error': 'Wrong login or password'})
        token = secrets.token_hex(20)
        with self.lock:
            self.tokens[token] = time.time() + self.options['token_ttl']
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

    def get_settings(self, request):
        with self.lock:
            body = copy.deepcopy(self.settings)
        body['password'] = PLACEHOLDER
        body.update(self.options['extra_keys'])
        return json_response(200, body)

    def set_settings(self, request):
        try:
            body = request.json()
        except ValueError:
            return json_response(400, {'error': 'Wrong JSON body'})
        if not isinstance(body, dict):
            return json_response(400, {'error': 'Wrong JSON body'})
        for key in REQUIRED:
            if key not in body:
                return json_response(400, {'error': 'Wrong JSON body: no value for `%s`' % key})
        for key, kind in TYPES.items():
            if key in body and (not isinstance(body[key], kind) or isinstance(body[key], bool)):
                return json_response(400, {'error': 'Wrong JSON body: value `%s` was of the wrong type' % key})
        known = dict((k, v) for k, v in body.items() if k in FACTORY_SETTINGS)
        if rules.check_settings(known, required=rules.REQUIRED):
            return json_response(400, {'error': 'Wrong JSON body'})
        with self.lock:
            self.settings.update(copy.deepcopy(known))
        return Response(200, b'' if self.options['post_body'] == 'empty' else {})

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
        if path == '/state' and request.method == 'PATCH':
            change = request.json()
            with self.lock:
                for key, value in change.items():
                    if isinstance(value, dict) and isinstance(self.settings.get(key), dict):
                        self.settings[key].update(value)
                    else:
                        self.settings[key] = value
            return json_response(200, {})
        if path == '/options' and request.method == 'PATCH':
            self.options.update(request.json())
            return json_response(200, self.options)
        if path == '/expire-tokens' and request.method == 'POST':
            self.expire_tokens()
            return json_response(200, {})
        return super().control(request, path)
