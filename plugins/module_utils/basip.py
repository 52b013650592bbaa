# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""BAS-IP panel client and the logic of ``basip_sip`` (module and action plugin)."""

from __future__ import annotations

import hashlib

from ansible.module_utils.basic import env_fallback

from ansible_collections.sipfleet.provision.plugins.module_utils.basip_rules import REQUIRED, check_settings
from ansible_collections.sipfleet.provision.plugins.module_utils.engine import (
    Field, build_diff, ensure_state, mask_secrets,
)
from ansible_collections.sipfleet.provision.plugins.module_utils.http_client import (
    ApiError, HttpClient, http_argument_spec, json_object,
)

SIP_SETTINGS = '/device/sip/settings'

FIELDS = (
    Field('proxy'),
    Field('realm'),
    Field('user'),
    Field('password', write_only=True),
    Field('user_id'),
    Field('transport', normalise=lambda value: value.lower()),
    Field('stun', children=(Field('ip'), Field('port', normalise=int))),
    Field('registration_interval', normalise=int),
)

NO_PASSWORD = (
    'The SIP settings of this panel differ (%s) and must be written, but no SIP "password" '
    'was given. The panel writes its settings as one object that includes the SIP password, '
    'and it never returns the current password (a read shows a placeholder), so it cannot be '
    'kept as it is: set "password".'
)


def argument_spec():
    """Options of ``basip_sip`` (documented in the module and doc_fragments/basip.py)."""
    spec = dict(
        api_url=dict(type='str', required=True, fallback=(env_fallback, ['BASIP_API_URL'])),
        api_username=dict(type='str', default='admin', fallback=(env_fallback, ['BASIP_API_USERNAME'])),
        api_password=dict(type='str', required=True, no_log=True,
                          fallback=(env_fallback, ['BASIP_API_PASSWORD'])),
        api_version=dict(type='str', default='v1', choices=['v0', 'v1']),
        proxy=dict(type='str'),
        realm=dict(type='str'),
        user=dict(type='str'),
        password=dict(type='str', no_log=True),
        user_id=dict(type='str'),
        transport=dict(type='str', choices=['udp', 'tcp', 'tls']),
        stun=dict(type='dict', options=dict(ip=dict(type='str'), port=dict(type='int'))),
        registration_interval=dict(type='int'),
        update_password=dict(type='str', default='on_change', choices=['always', 'on_change'], no_log=False),
    )
    spec.update(http_argument_spec())
    return spec


class PanelClient:
    """A logged-in session with one panel: MD5 login, bearer token, one re-login on 401."""

    def __init__(self, params):
        self.username = params['api_username']
        self.password_md5 = hashlib.md5(params['api_password'].encode('utf-8')).hexdigest()
        self.prefix = '/api/%s' % params['api_version']
        self.http = HttpClient(
            params['api_url'], timeout=params['timeout'], validate_certs=params['validate_certs'],
            ca_path=params['ca_path'], retries=params['retries'],
            retry_max_wait=params['retry_max_wait'])
        self.token = None

    def login(self):
        response = self.http.request('GET', self.prefix + '/login', params=dict(
            username=self.username, password=self.password_md5))
        token = json_object(response, 'the panel').get('token')
        if not token:
            raise ApiError('login answered without a token', status=response.status_code,
                           method='GET', url=response.url)
        self.token = token

    def call(self, method, path, **kwargs):
        """Send an authenticated request; log in first, and once more if the token expired."""
        for attempt in (1, 2):
            if self.token is None:
                self.login()
            response = self.http.request(
                method, self.prefix + path, ok=(200, 401),
                headers={'Authorization': 'Bearer %s' % self.token}, **kwargs)
            if response.status_code == 200:
                return response
            self.token = None
        raise self.http.error(response, method, response.url)

    def get_settings(self):
        return json_object(self.call('GET', SIP_SETTINGS), 'the panel')

    def set_settings(self, settings):
        self.call('POST', SIP_SETTINGS, json=settings)

    def close(self):
        """Log out (errors ignored: the token expires on its own) and release connections."""
        try:
            if self.token is not None:
                self.http.request('GET', self.prefix + '/logout',
                                  headers={'Authorization': 'Bearer %s' % self.token})
        except ApiError:
            pass
        finally:
            self.token = None
            self.http.close()


def validate_params(params):
    """Check the user's settings against the panel's rules before anything is sent."""
    errors = check_settings(dict((f.name, params.get(f.name)) for f in FIELDS))
    if errors:
        raise ApiError('invalid SIP settings: ' + '; '.join(errors))


def ensure_sip_settings(params, check_mode=False, diff=False):
    """Make a panel's SIP settings match ``params``; return the module result."""
    validate_params(params)
    client = PanelClient(params)
    try:
        current = client.get_settings()
        changes, after = ensure_state(FIELDS, params, current, params['update_password'])
        warnings = []
        if changes and not params.get('password'):
            if not check_mode:
                raise ApiError(NO_PASSWORD % ', '.join(changes))
            warnings.append('A real run would fail: ' + NO_PASSWORD % ', '.join(changes))
        elif changes:
            errors = check_settings(after, required=REQUIRED)
            if errors:
                raise ApiError('the settings to write are incomplete or invalid (the panel holds no '
                               'usable value and none was given): ' + '; '.join(errors))
            if not check_mode:
                client.set_settings(after)
    finally:
        client.close()
    result = dict(changed=bool(changes), changes=changes, settings=mask_secrets(FIELDS, after))
    if warnings:
        result['warnings'] = warnings
    if diff:
        result['diff'] = build_diff(FIELDS, current, after, secrets_sent=bool(changes and params.get('password')))
    return result
