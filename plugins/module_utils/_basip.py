# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``basip_sip``: the panel's SIP settings as a field table and a service adapter.

API facts (``api/basip.md``): ``GET /api/{v}/login?username=&password=<MD5>`` answers a
token; ``GET``/``POST /api/{v}/device/sip/settings`` read and write the settings as one
object (the password is never returned); ``GET /api/{v}/logout`` ends the session.
"""

from __future__ import annotations

import hashlib

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_rules import (
    REQUIRED, RULES, check_settings, check_value,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, TokenAuth, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    Adapter, Field, Options, WouldFail, ensure,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

SIP_SETTINGS = '/device/sip/settings'

FIELDS = (
    Field('api_url', required=True, env=['BASIP_API_URL'], control=True),
    Field('api_username', default='admin', env=['BASIP_API_USERNAME'], control=True),
    Field('api_password', required=True, no_log=True, env=['BASIP_API_PASSWORD'], control=True),
    Field('api_version', default='v1', choices=['v0', 'v1'], control=True),
    Field('proxy', validate=check_value),
    Field('realm', validate=check_value),
    Field('user', validate=check_value),
    Field('password', no_log=True, write_only=True, validate=check_value),
    Field('user_id', validate=check_value),
    Field('transport', choices=RULES['transport'][1], normalise=str.lower),
    Field('stun', type='dict', children=(Field('ip', validate=check_value),
                                         Field('port', type='int', normalise=int, validate=check_value))),
    Field('registration_interval', type='int', normalise=int, validate=check_value),
    Field('update_password', default='on_change', choices=['always', 'on_change'], no_log=False, control=True),
)

NO_PASSWORD = (
    'The SIP settings of this panel differ (%s) and must be written, but no SIP "password" '
    'was given. The panel writes its settings as one object that includes the SIP password, '
    'and it never returns the current password (a read shows a placeholder), so it cannot be '
    'kept as it is: set "password".'
)


class PanelAuth(TokenAuth):
    """MD5 login (the digest is as good as the password: a registered secret), logout."""

    def __init__(self, params):
        self.username = params['api_username']
        self.prefix = '/api/%s' % params['api_version']
        self.password_md5 = hashlib.md5(params['api_password'].encode('utf-8')).hexdigest()
        super().__init__(secrets=[self.password_md5])

    def login(self, http):
        response = http.request('GET', self.prefix + '/login', authenticated=False,
                                params=dict(username=self.username, password=self.password_md5))
        token = json_object(response, 'the panel').get('token')
        if not token:
            raise ApiError('login answered without a token', status=response.status_code,
                           method='GET', url=response.url)
        return token

    def logout(self, http, token):
        http.request('GET', self.prefix + '/logout', authenticated=False, headers=self.headers())


class SipSettings(Adapter):
    """The panel's one SIP settings object: it always exists and is written whole."""

    fields = FIELDS
    result_key = 'settings'
    whole_object = True

    def __init__(self, http, prefix):
        self.http, self.url = http, prefix + SIP_SETTINGS

    def find(self, params):
        return json_object(self.http.request('GET', self.url), 'the panel')

    def check(self, current, after, changes, desired):
        if not desired.get('password'):
            raise WouldFail(NO_PASSWORD % ', '.join(changes))
        errors = check_settings(after, required=REQUIRED)
        if errors:
            raise ApiError('the settings to write are incomplete or invalid (the panel holds no '
                           'usable value and none was given): ' + '; '.join(errors))

    def update(self, current, after, changes):
        self.http.request('POST', self.url, json=after)
        return after


def ensure_sip_settings(params, check_mode=False, diff=False):
    """Make a panel's SIP settings match ``params``; return the module result."""
    auth = PanelAuth(params)
    with HttpClient.from_params(params, auth=auth) as http:
        return ensure(SipSettings(http, auth.prefix), params, check_mode, diff,
                      update_secrets=params['update_password'])


BASIP_SIP = ModuleSpec(ensure_sip_settings, Options(FIELDS, extra=http_argument_spec()))
"""The module ``basip_sip`` (its ``main()`` and its action plugin)."""
