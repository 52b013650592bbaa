# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RingCentral modules: ``sip_provision_info``, ``ringcentral_token`` and
``ringcentral_device_info`` (option tables, logic and the shapes they return)."""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import register_secret
from ansible_collections.sipfleet.provision.plugins.module_utils._query import QUERY, QUERY_REQUIREMENT, with_query
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import (
    Adapter, Field, Options, ensure, mask_secrets,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral import (
    CONNECTION_FIELDS, CREDENTIALS, HTTP_OPTIONS, RingCentral, check_credentials, check_device_id, check_device_ids,
    request_token, revoke_token,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

TRANSPORTS = ('UDP', 'TCP', 'TLS', 'WSS')
LINE_REASSIGNMENT = ('None', 'Initialize', 'Reassign')
DEVICE_TYPES = ('HardPhone', 'SoftPhone', 'OtherPhone')

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

SECRET_FIELDS = (Field('password', write_only=True), Field('certificate', write_only=True))
"""Secrets of an identity (masked unless ``include_secrets``)."""
DEVICE_ID = Field('device_id', validate=check_device_id)
INCLUDE_SECRETS = Field('include_secrets', type='bool', default=False)


def _known(options):
    return Options(CONNECTION_FIELDS + tuple(options[0]), extra=HTTP_OPTIONS, **options[1])


# --- shapes ----------------------------------------------------------------------------------

def _secrets(item, include_secrets):
    """``item`` as returned: its secrets masked (and kept out of every text) unless asked for."""
    if include_secrets:
        return item
    for field in SECRET_FIELDS:
        register_secret(item.get(field.name))
    return mask_secrets(tuple(f for f in SECRET_FIELDS if item.get(f.name) is not None), item)


def sip_identity(item, include_secrets=False):
    """One ``SipInfoResponse`` with exactly the model's snake_case keys (absent ones None).
    Unknown keys are left out; unknown enum values pass through as they are."""
    present = dict((snake, item[camel]) for camel, snake in SIP_INFO_KEYS if item.get(camel) is not None)
    present = _secrets(present, include_secrets)
    return dict((snake, present.get(snake)) for _camel, snake in SIP_INFO_KEYS)


def _snake(value):
    return camel_dict_to_snake_dict(value) if isinstance(value, dict) else {}


def provision_result(body, device_id=None, include_secrets=False):
    """The module's view of a ``CreateSipRegistrationResponse``; an ApiError when the answer
    lacks what a device needs (identities, the device)."""
    items = body.get('sipInfo')
    device = body.get('device')
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise ApiError('RingCentral answered the registration of device %s without SIP identities (sipInfo: %s)'
                       % (device_id or '(new)', 'empty' if items == [] else type(items).__name__))
    if not isinstance(device, dict) or not device.get('id'):
        raise ApiError('RingCentral answered the registration of device %s without the device (device.id)'
                       % (device_id or '(new)'))
    pstn, codes = body.get('sipInfoPstn'), body.get('sipErrorCodes')
    return dict(
        sip_info=[sip_identity(item, include_secrets) for item in items],
        sip_info_pstn=[sip_identity(i, include_secrets) for i in pstn if isinstance(i, dict)]
        if isinstance(pstn, list) else [],
        sip_flags=_snake(body.get('sipFlags')),
        device=_snake(device),
        polling_interval=body.get('pollingInterval'),
        sip_error_codes=[str(c) for c in codes] if isinstance(codes, list) else [],
        persist_gateway_configured=body.get('persistGatewayConfigured'),
    )


def read_only_sip_info(body, device_id, include_secrets=False):
    """``SipInfoResource`` (readDeviceSipInfo) in snake_case; an ApiError when it lacks the identity."""
    if not body.get('userName') or not body.get('domain'):
        raise ApiError('RingCentral answered the SIP info of device %s without userName and domain' % device_id)
    proxies = body.get('outboundProxies')
    info = dict(domain=body['domain'], user_name=body['userName'], password=body.get('password'),
                authorization_id=body.get('authorizationId'),
                outbound_proxies=[dict(region=p.get('region'), proxy=p.get('proxy'), proxy_tls=p.get('proxyTLS'))
                                  for p in proxies if isinstance(p, dict)] if isinstance(proxies, list) else [])
    return _secrets(info, include_secrets)


def outbound_proxy(outbound_proxies, transport):
    """The outbound proxy (``host:port``) of ``transport`` in the read-only SIP info's
    ``outbound_proxies``: its first entry's ``proxy_tls`` for TLS, else its ``proxy``; None when absent."""
    first = (outbound_proxies or [{}])[0]
    return first.get('proxy_tls' if str(transport).upper() == 'TLS' else 'proxy')


def read_only_identity(info, transport):
    """The read-only SIP info as a ``sip_info`` item (what check mode reports instead of registering)."""
    proxy = outbound_proxy(info['outbound_proxies'], transport)
    item = dict((snake, None) for _camel, snake in SIP_INFO_KEYS)
    item.update(username=info['user_name'], password=info['password'], authorization_id=info['authorization_id'],
                domain=info['domain'], outbound_proxy=proxy)
    return item


# --- sip_provision_info ------------------------------------------------------------------------

def _provision_check(params):
    reasons = check_credentials(params)
    if params.get('device_id') is not None and params.get('device_ids') is not None:
        reasons.append('device_id and device_ids are mutually exclusive')
    if params.get('device_ids') == []:
        reasons.append('device_ids is empty: name at least one device')
    return reasons


PROVISION_OPTIONS = _known(((
    DEVICE_ID,
    Field('device_ids', type='list', elements='str', validate=check_device_ids),
    Field('transport', default='UDP', choices=list(TRANSPORTS)),
    Field('soft_phone_line_reassignment', choices=list(LINE_REASSIGNMENT)),
    INCLUDE_SECRETS, QUERY,
), dict(check=_provision_check)))


def request_body(params, device_id):
    """The ``CreateSipRegistrationRequest`` for ``params`` and one device."""
    body = dict(sipInfo=[dict(transport=params['transport'])])
    if device_id:
        body['device'] = dict(id=device_id)
    if params.get('soft_phone_line_reassignment'):
        body['softPhoneLineReassignment'] = params['soft_phone_line_reassignment']
    return body


def _one_device(rc, params, device_id, check_mode):
    secrets = params.get('include_secrets')
    if check_mode:
        if device_id is None:
            return dict(sip_info=[], sip_info_pstn=[], sip_flags={}, device={}, polling_interval=None,
                        sip_error_codes=[], persist_gateway_configured=None)
        info = read_only_sip_info(rc.sip_info(device_id), device_id, secrets)
        return dict(sip_info=[read_only_identity(info, params['transport'])], sip_info_pstn=[], sip_flags={},
                    device=dict(id=device_id), polling_interval=None, sip_error_codes=[],
                    persist_gateway_configured=None)
    return provision_result(rc.sip_provision(request_body(params, device_id)), device_id, secrets)


class DeviceError(ApiError):
    """A failure about one device: its text starts with the device id, as RingCentral's messages
    name only the parameter ("Resource for parameter [deviceId] is not found")."""

    def __init__(self, device_id, exc):
        self.device_id = device_id
        super().__init__(exc.message, status=exc.status, code=exc.code, method=exc.method, url=exc.url,
                         unreachable=exc.unreachable)

    def __str__(self):
        return 'device %s: %s' % (self.device_id, super().__str__())


def _naming_device(exc, device_id):
    """``exc`` naming ``device_id``, unless it is a failure of the token request (no device's)."""
    if not device_id or '/restapi/oauth/' in (exc.url or ''):
        return exc
    return DeviceError(device_id, exc)


def sip_provision_info(params, check_mode=False, diff=False, **session):
    """Ask RingCentral for the SIP identity of one device (``device_id``) or many (``device_ids``,
    one token, paced); in check mode read the current identities and register nothing."""
    return with_query(params, lambda: _provision(params, check_mode, session),
                      skip=('changed', 'registered', 'rate_limit_waits', 'warnings'))


def _provision(params, check_mode, session):
    many = params.get('device_ids') is not None
    ids = list(dict.fromkeys(params['device_ids'])) if many else [params.get('device_id')]
    result = dict(changed=False)
    identities, errors = {}, {}
    with RingCentral(params, **session) as rc:
        for device_id in ids:
            try:
                identities[device_id] = _one_device(rc, params, device_id, check_mode)
            except ApiError as exc:
                named = _naming_device(exc, device_id)
                if not many or exc.status not in (400, 404):
                    raise named from None
                errors[device_id] = str(named)
    waits = rc.pacer.messages()     # the revocation's wait included
    if check_mode:
        result['would_register'] = ids
    else:   # an _info module by its name, but each call registers the device anew
        result['registered'] = [device_id for device_id in ids if device_id not in errors]
    if many:
        result.update(identities=identities, errors=errors)
    else:
        result.update(identities[ids[0]])
    result['rate_limit_waits'] = waits
    warnings = ['%s (nothing was registered for it)' % text for text in errors.values()]
    if not many and not ids[0]:
        warnings.append('no device_id was given: RingCentral may have registered a new device '
                        '(its id is in device.id; pass it as device_id next time)')
    if warnings:
        result['warnings'] = warnings
    return result


SIP_PROVISION_INFO = ModuleSpec(sip_provision_info, PROVISION_OPTIONS, (QUERY_REQUIREMENT,))


# --- ringcentral_token -------------------------------------------------------------------------

def _token_check(params):
    if params['state'] == 'present':
        return check_credentials(params, token_needed=False)
    missing = [name for name in ('access_token', 'client_id', 'client_secret') if not params.get(name)]
    return ['state=absent revokes access_token with the client\'s credentials; missing: %s'
            % ', '.join(missing)] if missing else []


TOKEN_OPTIONS = _known(((Field('state', default='present', choices=['present', 'absent'], control=True),),
                        dict(check=_token_check)))


TOKEN = (Field('access_token', read_only=True), Field('expires_in', type='int', read_only=True),
         Field('token_type', read_only=True), Field('scope', read_only=True))
"""The token endpoint's answer as the module returns it (nothing in it is set by an option)."""


class _Token(Adapter):
    """A token on the engine: ``present`` finds a new one (the JWT-bearer grant changes nothing
    the account holds, and a check-mode run needs the token too); ``absent`` deletes the given
    one (revoked; RingCentral's answer does not say whether it was still valid)."""

    fields, result_key, settable = TOKEN, None, False

    def __init__(self, rc, params):
        self.rc = rc
        self.credentials = tuple(params.get(name) for name in CREDENTIALS)

    def find(self, params):
        if params['state'] == 'absent':
            return dict(access_token=params['access_token'])
        body = request_token(self.rc.http, self.credentials, self.rc.pacer)
        return dict((field.name, body.get(field.name)) for field in TOKEN)

    def delete(self, current):
        revoke_token(self.rc.http, self.credentials[:2], current['access_token'], self.rc.pacer)


def ringcentral_token(params, check_mode=False, diff=False, **session):
    """``present``: one JWT-bearer grant, the token returned (not revoked at the end);
    ``absent``: revoke ``access_token``."""
    with RingCentral(params, auth=False, **session) as rc:
        return ensure(_Token(rc, params), params, check_mode, diff, state=params['state'])


RINGCENTRAL_TOKEN = ModuleSpec(ringcentral_token, TOKEN_OPTIONS)


# --- ringcentral_device_info -------------------------------------------------------------------

DEVICE_FILTERS = ('device_id', 'serial', 'name', 'extension_number', 'type')
DEVICE_INFO_OPTIONS = _known(((
    DEVICE_ID, Field('serial'), Field('name'), Field('extension_number'), Field('type', choices=list(DEVICE_TYPES)),
    Field('sip_info', type='bool', default=False), INCLUDE_SECRETS, QUERY,
), dict(check=check_credentials)))


def _matches(device, params):
    have = dict(device_id=device.get('id'), serial=device.get('serial'), name=device.get('name'),
                extension_number=(device.get('extension') or {}).get('extension_number'), type=device.get('type'))
    return all(params.get(key) is None or str(have[key]) == params[key] for key in DEVICE_FILTERS)


def ringcentral_device_info(params, check_mode=False, diff=False, **session):
    """The account's devices that match every filter given, with their SIP info when asked."""
    return with_query(params, lambda: _read_devices(params, session), skip=('changed', 'rate_limit_waits'))


def _read_devices(params, session):
    with RingCentral(params, **session) as rc:
        if params.get('device_id'):
            found = rc.device(params['device_id'])
            records = [] if found is None else [found]
        else:
            records = rc.devices()
        devices = [d for d in (_snake(r) for r in records) if _matches(d, params)]
        for device in devices if params['sip_info'] else ():
            device['sip_info'] = read_only_sip_info(rc.sip_info(device['id']), device['id'],
                                                    params['include_secrets'])
    return dict(changed=False, devices=devices, rate_limit_waits=rc.pacer.messages())


RINGCENTRAL_DEVICE_INFO = ModuleSpec(ringcentral_device_info, DEVICE_INFO_OPTIONS, (QUERY_REQUIREMENT,))
