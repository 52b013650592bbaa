# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RingCentral simulator's answer bodies, built from a device record and the options.

A device record: ``id``, ``type``, ``extension`` (number), ``name``, ``serial``, optional
``computerName``, and its SIP identity ``username``, ``password``, ``authorization_id``.
"""

from __future__ import annotations

import base64

PLATFORM = 'https://platform.ringcentral.com'
ACCOUNT_ID = '37439510'
PORTS = {'UDP': 5090, 'TCP': 5090, 'TLS': 5090, 'WSS': 8083}
DOMAIN = 'sip.ringcentral.com'
PROXY_HOST = 'sip112-191.ringcentral.com'


def _uri(*parts):
    return '%s/restapi/v1.0/account/%s/%s' % (PLATFORM, ACCOUNT_ID, '/'.join(parts))


def identity(device, transport, authorization_id, host, options):
    """One ``SipInfoResponse`` of a sip-provision answer."""
    port = PORTS.get(transport, 5090)
    info = dict(
        username=device['username'], password=device['password'],
        authorizationTypes=['SipDigest', 'BearerToken'] if transport == 'WSS' else ['SipDigest'],
        authorizationId=authorization_id, domain=DOMAIN,
        outboundProxy='%s-191.ringcentral.com:%d' % (host, port),
        outboundProxyIPv6='[2001:db8:%s::191]:%d' % (host[3:], port),
        outboundProxyBackup='%s-192.ringcentral.com:%d' % (host, port),
        outboundProxyIPv6Backup='[2001:db8:%s::192]:%d' % (host[3:], port),
        transport=transport, switchBackInterval=3600,
        stunServers=['stun1.ringcentral.com:19302', 'stun2.ringcentral.com:19302'])
    if transport == 'TLS':
        info['certificate'] = base64.b64encode(b'0\x82\x03' + device['id'].encode() * 8).decode()
    if options['extra_fields']:
        info.update(outboundProxyQuic='%s-191.ringcentral.com:5097' % host, mediaEncryption='SRTP')
    if options['unknown_enums']:
        info['authorizationTypes'] = info['authorizationTypes'] + ['MutualTls']
    return info


def device_view(device, options):
    """The device as sip-provision (``SipRegistrationDeviceInfo``) and readDevice
    (``DeviceResource``) show it."""
    view = dict(
        uri=_uri('device', device['id']), id=device['id'], type=device['type'], sku='DV-1', status='Online',
        name=device['name'], serial=device['serial'], linePooling='None',
        extension=dict(id=int('1' + device['extension'] + '0' * 6), uri=_uri('extension', device['extension']),
                       extensionNumber=device['extension']))
    if device.get('computerName'):
        view['computerName'] = device['computerName']
    if options['extra_fields']:
        view['firmware'] = {'version': '3.9.2', 'channel': 'stable'}
    if options['unknown_enums']:
        view.update(type='IntercomPanel', status='Provisioning', linePooling='Shared')
    return view


def list_record(device, options):
    """One record of the account's device list (``GetDeviceInfoResponse`` of the 2020 contract:
    no ``status`` or ``linePooling``)."""
    view = device_view(device, options)
    for key in ('status', 'linePooling'):
        view.pop(key, None)
    return view


def device_page(devices, page, per_page, options):
    """``GetAccountDevicesResponse``: one page of ``devices`` with paging and navigation."""
    total = len(devices)
    pages = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    records = [list_record(d, options) for d in devices[start:start + per_page]]
    link = dict((name, dict(uri='%s?page=%d&perPage=%d' % (_uri('device'), number, per_page)))
                for name, number in (('firstPage', 1), ('lastPage', pages), ('nextPage', page + 1),
                                     ('previousPage', page - 1)) if 1 <= number <= pages)
    paging = dict(page=page, perPage=per_page, totalPages=pages, totalElements=total)
    if records:
        paging.update(pageStart=start, pageEnd=start + len(records) - 1)
    return dict(uri='%s?page=%d&perPage=%d' % (_uri('device'), page, per_page), records=records,
                paging=paging, navigation=link)


def sip_info_view(device, options):
    """``SipInfoResource`` (readDeviceSipInfo): the device's current identity, read-only."""
    view = dict(domain=DOMAIN, userName=device['username'], password=device['password'],
                authorizationId=device['authorization_id'],
                outboundProxies=[dict(region='NA', proxy='%s:%d' % (PROXY_HOST, PORTS['UDP']),
                                      proxyTLS='%s:%d' % (PROXY_HOST, PORTS['TLS']))])
    if options['extra_fields']:
        view['outboundProxies'][0]['proxyQuic'] = '%s:5097' % PROXY_HOST
    return view


def provision_answer(device, transports, authorization_id, options):
    """``CreateSipRegistrationResponse``."""
    body = dict(
        device=device_view(device, options),
        sipInfo=[identity(device, t, authorization_id, 'sip112', options) for t in transports],
        sipFlags=dict(voipFeatureEnabled=True, voipCountryBlocked=False, outboundCallsEnabled=True,
                      dscpEnabled=False, dscpSignaling=26, dscpVoice=46, dscpVideo=34),
        sipErrorCodes=['408', '502', '503', '504'],
        pollingInterval=86400,
        persistGatewayConfigured=False)
    if options['pstn']:
        body['sipInfoPstn'] = [identity(device, t, authorization_id, 'sip71', options) for t in transports]
        if options['unknown_enums']:
            body['sipInfoPstn'][0]['transport'] = 'QUIC'
    if options['extra_fields']:
        body.update(hdVoiceEnabled=True, sipInfoVideo=[{'codec': 'VP8'}])
        body['sipFlags']['e2eeEnabled'] = True
    return body
