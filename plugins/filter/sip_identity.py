# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that turn a SIP identity into device settings (documented in basip_sip_options.yml)."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_rules import check_settings, without_sip
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK

PANEL_TRANSPORTS = ('udp', 'tcp', 'tls')
REQUIRED = ('username', 'password', 'authorization_id', 'domain', 'outbound_proxy', 'transport')
"""Keys of a ``sip_info`` item the panel needs."""


def _host_port(value):
    """``'host:port'`` -> ``{'ip': host, 'port': int}``."""
    host, sep, port = str(value).rpartition(':')
    if not sep or not host or not port.isdigit():
        raise AnsibleFilterError('basip_sip_options: the STUN server %r is not in the form host:port' % str(value))
    return dict(ip=host, port=int(port))


def _sip_uri(value):
    value = str(value)
    return value if value.startswith('sip:') else 'sip:' + value


def basip_sip_options(identity, outbound=True):
    """The ``basip_sip`` options for one SIP identity (an item of ``sip_provision_info``'s ``sip_info``).

    RingCentral documents ``domain`` as the SIP domain and ``outboundProxy`` as the SIP outbound
    proxy (``<host:port>``). With ``outbound`` (panel firmware that has the ``outbound`` setting),
    the domain is the panel's registrar (``proxy``) and realm, and the outbound proxy its
    ``outbound``, as BAS-IP documents it: ``host[:port]`` without ``sip:``
    (https://developers.bas-ip.com/android-panels/set-first-account-sip-settings); without it,
    the outbound proxy is the only address the panel can send to, so it becomes ``proxy`` (the
    REGISTER still carries the domain as realm).
    """
    if not isinstance(identity, Mapping):
        raise AnsibleFilterError('basip_sip_options expects one SIP identity (an item of sip_info, a dict), '
                                 'not %s' % type(identity).__name__)
    missing = [key for key in REQUIRED if identity.get(key) in (None, '')]
    if missing:
        raise AnsibleFilterError('basip_sip_options: the SIP identity has no %s (the panel needs it)'
                                 % ', '.join(missing))
    if identity['password'] == MASK:
        raise AnsibleFilterError('basip_sip_options: the SIP password is masked (%s); get the identity with '
                                 'include_secrets: true (and no_log: true on that task)' % MASK)
    transport = str(identity['transport']).lower()
    if transport not in PANEL_TRANSPORTS:
        reason = ' (WebRTC only)' if transport == 'wss' else ''
        raise AnsibleFilterError('basip_sip_options: transport %s%s cannot be used by a BAS-IP panel, which '
                                 'speaks %s only; get the identity with transport UDP, TCP or TLS'
                                 % (str(identity['transport']), reason, ', '.join(PANEL_TRANSPORTS)))
    if not isinstance(outbound, bool):
        raise AnsibleFilterError('basip_sip_options: outbound must be true or false, not %r' % (outbound,))
    options = dict(
        proxy=_sip_uri(identity['domain'] if outbound else identity['outbound_proxy']),
        realm=str(identity['domain']),
        user=str(identity['username']),
        password=str(identity['password']),
        user_id=str(identity['authorization_id']),
        transport=transport,
    )
    if outbound:
        options['outbound'] = without_sip(str(identity['outbound_proxy']))
    stun_servers = identity.get('stun_servers') or []
    if stun_servers:
        options['stun'] = _host_port(stun_servers[0])
    errors = check_settings(options)
    if errors:
        raise AnsibleFilterError('basip_sip_options: a BAS-IP panel would reject this SIP identity: %s'
                                 % '; '.join(errors))
    return options


class FilterModule:
    def filters(self):
        return {'basip_sip_options': basip_sip_options}
