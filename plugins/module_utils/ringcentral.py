# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RingCentral client and the logic of ``sip_provision_info`` (module and action plugin).

One call, ``POST /restapi/v1.0/client-info/sip-provision`` ("Register Device"), returns
the SIP identity RingCentral issues for a device (``SipInfoResponse`` items). The
token comes from the JWT-bearer grant of ``/restapi/oauth/token`` (Basic client
authentication, form body) or is given ready (``access_token``). An expired token
(401 ``OAU-128``) is replaced once; 429 waits for ``Retry-After`` within
``retry_max_wait``; 502/503/504 back off (all in the shared HTTP client). A token the
module obtained is revoked at the end (errors ignored). Errors carry RingCentral's
``errorCode`` and message, never a token, JWT, client secret or SIP password.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Field, mask_secrets
from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, default_error_text, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY_REQUIREMENT, compile_query
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec


DEFAULT_SERVER_URL = 'https://platform.ringcentral.com'
TOKEN_PATH = '/restapi/oauth/token'
REVOKE_PATH = '/restapi/oauth/revoke'
SIP_PROVISION_PATH = '/restapi/v1.0/client-info/sip-provision'
JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
TOKEN_EXPIRED = 'OAU-128'
DEFAULT_RETRY_AFTER = 60
"""Seconds to wait after a 429 without ``Retry-After``. RingCentral asks for at least
30 s; a Heavy-group penalty lasts 60 s by default and any request inside it restarts
it, so waiting the whole default penalty is the wait that cannot prolong it."""

TRANSPORTS = ('UDP', 'TCP', 'TLS', 'WSS')
LINE_REASSIGNMENT = ('None', 'Initialize', 'Reassign')

SIP_INFO_KEYS = (
    ('username', 'username'),
    ('password', 'password'),
    ('authorizationTypes', 'authorization_types'),
    ('authorizationId', 'authorization_id'),
    ('domain', 'domain'),
    ('outboundProxy', 'outbound_proxy'),
    ('outboundProxyIPv6', 'outbound_proxy_i_pv6'),
    ('outboundProxyBackup', 'outbound_proxy_backup'),
    ('outboundProxyIPv6Backup', 'outbound_proxy_i_pv6_backup'),
    ('transport', 'transport'),
    ('certificate', 'certificate'),
    ('switchBackInterval', 'switch_back_interval'),
    ('stunServers', 'stun_servers'),
)
"""``SipInfoResponse``: the API's name and the model's snake_case name, in the model's order."""

SIP_INFO_FIELDS = tuple(Field(snake, write_only=snake in ('password', 'certificate'))
                        for _camel, snake in SIP_INFO_KEYS)
"""Secrets of an identity (masked unless ``include_secrets``)."""


def argument_spec():
    """Options of ``sip_provision_info`` (documented in the module and doc_fragments/ringcentral.py)."""
    spec = dict(
        server_url=dict(type='str', default=DEFAULT_SERVER_URL,
                        fallback=(env_fallback, ['RINGCENTRAL_SERVER_URL'])),
        client_id=dict(type='str', fallback=(env_fallback, ['RINGCENTRAL_CLIENT_ID'])),
        client_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['RINGCENTRAL_CLIENT_SECRET'])),
        jwt=dict(type='str', no_log=True, fallback=(env_fallback, ['RINGCENTRAL_JWT'])),
        access_token=dict(type='str', no_log=True, fallback=(env_fallback, ['RINGCENTRAL_ACCESS_TOKEN'])),
        device_id=dict(type='str'),
        transport=dict(type='str', default='UDP', choices=list(TRANSPORTS)),
        soft_phone_line_reassignment=dict(type='str', choices=list(LINE_REASSIGNMENT)),
        include_secrets=dict(type='bool', default=False),
        query=dict(type='str'),
    )
    spec.update(http_argument_spec())
    return spec


class RingCentralClient:
    """An authorised session: JWT-bearer token (or a given one), one renewal on ``OAU-128``."""

    def __init__(self, params):
        self.credentials = tuple(params.get(k) for k in ('client_id', 'client_secret', 'jwt'))
        self.can_authorise = all(self.credentials)
        self.token = params.get('access_token') or None
        self.obtained = False
        self.http = HttpClient(
            params['server_url'], timeout=params['timeout'], validate_certs=params['validate_certs'],
            ca_path=params['ca_path'], retries=params['retries'], retry_max_wait=params['retry_max_wait'],
            default_retry_after=DEFAULT_RETRY_AFTER)

    def authorise(self):
        """Get an access token with the JWT-bearer grant."""
        client_id, client_secret, jwt = self.credentials
        response = self.http.request('POST', TOKEN_PATH, auth=(client_id, client_secret),
                                     data=dict(grant_type=JWT_GRANT, assertion=jwt),
                                     headers={'Accept': 'application/json'})
        token = json_object(response, 'RingCentral', empty_ok=False).get('access_token')
        if not isinstance(token, str) or not token:
            raise ApiError('the token endpoint answered without an access token',
                           status=response.status_code, method='POST', url=response.url)
        self.token, self.obtained = token, True

    def call(self, method, path, **kwargs):
        """An authorised request; an expired token (``OAU-128``) is replaced once."""
        for attempt in (1, 2):
            if self.token is None:
                self.authorise()
            response = self.http.request(
                method, path, ok=(200, 401),
                headers={'Authorization': 'Bearer %s' % self.token, 'Accept': 'application/json'}, **kwargs)
            if response.status_code == 200:
                return response
            code = default_error_text(response)[0]
            if code != TOKEN_EXPIRED or attempt == 2:
                break
            if not self.can_authorise:
                raise ApiError('the access token has expired and no client_id, client_secret and jwt were '
                               'given to get a new one', status=401, code=code, method=method, url=response.url)
            self.token = None
        raise self.http.error(response, method, response.url)

    def sip_provision(self, body):
        return json_object(self.call('POST', SIP_PROVISION_PATH, json=body), 'RingCentral', empty_ok=False)

    def close(self):
        """Revoke a token this client obtained (errors ignored: it expires on its own)."""
        try:
            if self.obtained and self.token:
                self.http.retries = 0  # not worth a wait: the token expires within the hour anyway
                self.http.request('POST', REVOKE_PATH, auth=self.credentials[:2], data=dict(token=self.token))
        except ApiError:
            pass
        finally:
            self.token = None
            self.http.close()


def validate_params(params):
    """Everything that can be checked before a request; returns the compiled ``query`` (or None)."""
    server = params.get('server_url') or ''
    if not server.startswith(('https://', 'http://')):
        raise ApiError('server_url must be an http:// or https:// URL, for example %s' % DEFAULT_SERVER_URL)
    given = [name for name in ('client_id', 'client_secret', 'jwt') if params.get(name)]
    if not params.get('access_token') and len(given) < 3:
        missing = sorted(set(('client_id', 'client_secret', 'jwt')) - set(given))
        raise ApiError('RingCentral needs either access_token, or client_id, client_secret and jwt '
                       '(the JWT-bearer grant); missing: %s' % ', '.join(missing))
    return compile_query(params.get('query'))


def request_body(params):
    """The ``CreateSipRegistrationRequest`` for ``params``."""
    body = dict(sipInfo=[dict(transport=params['transport'])])
    if params.get('device_id'):
        body['device'] = dict(id=params['device_id'])
    if params.get('soft_phone_line_reassignment'):
        body['softPhoneLineReassignment'] = params['soft_phone_line_reassignment']
    return body


def sip_identity(item, include_secrets=False):
    """One ``SipInfoResponse`` with exactly the model's snake_case keys (absent ones None).

    Unknown keys are left out; unknown enum values pass through as they are.
    """
    present = dict((snake, item[camel]) for camel, snake in SIP_INFO_KEYS if item.get(camel) is not None)
    if not include_secrets:
        present = mask_secrets(SIP_INFO_FIELDS, present)
    return dict((snake, present.get(snake)) for _camel, snake in SIP_INFO_KEYS)


def _identities(value, include_secrets):
    if not isinstance(value, list):
        return []
    return [sip_identity(item, include_secrets) for item in value if isinstance(item, dict)]


def _snake(value):
    return camel_dict_to_snake_dict(value) if isinstance(value, dict) else {}


def provision_result(body, include_secrets=False):
    """The module's view of a ``CreateSipRegistrationResponse``."""
    codes = body.get('sipErrorCodes')
    return dict(
        sip_info=_identities(body.get('sipInfo'), include_secrets),
        sip_info_pstn=_identities(body.get('sipInfoPstn'), include_secrets),
        sip_flags=_snake(body.get('sipFlags')),
        device=_snake(body.get('device')),
        polling_interval=body.get('pollingInterval'),
        sip_error_codes=[str(c) for c in codes] if isinstance(codes, list) else [],
        persist_gateway_configured=body.get('persistGatewayConfigured'),
    )


def sip_provision_info(params, check_mode=False, diff=False):
    """Ask RingCentral for a device's SIP identity; return the module result (never ``changed``).

    Check mode makes the same call: it is the only way to read the identity (see the
    module's notes on its side effects).
    """
    expression = validate_params(params)
    client = RingCentralClient(params)
    try:
        body = client.sip_provision(request_body(params))
    finally:
        client.close()
    result = dict(changed=False, **provision_result(body, params.get('include_secrets')))
    if expression is not None:
        data = dict((k, v) for k, v in result.items() if k != 'changed')
        result['query_result'] = expression.search(data)
    if not params.get('device_id'):
        result['warnings'] = ['no device_id was given: RingCentral may have registered a new device '
                              '(its id is in device.id; pass it as device_id next time)']
    return result


SIP_PROVISION_INFO = ModuleSpec(sip_provision_info, argument_spec(), (QUERY_REQUIREMENT,))
