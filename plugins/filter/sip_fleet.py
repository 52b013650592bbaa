# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the sip_fleet role decides for every panel of the play, in one pass.

The role's fleet tasks run once for the play; these filters turn the variables of every
panel (``fleet_vars``: host -> the checked variables of its source) and what the services
answered into the panels' settings (for ``basip_sip_fleet``) and their results. Each filter is
documented in its sidecar, ``sip_fleet_<name>.yml``.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.sipfleet.provision.plugins.filter.sip_identity import basip_sip_options
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import outbound_proxy

_CONNECTION = (('api_url', 'sip_fleet_panel_api_url'), ('api_username', 'sip_fleet_panel_api_username'),
               ('api_password', 'sip_fleet_panel_api_password'), ('validate_certs', 'sip_fleet_panel_validate_certs'),
               ('ca_path', 'sip_fleet_panel_ca_path'))
# RingCentral device ids are digit strings (the API's "internal identifier of a device", for
# example 802398804016); anything else would be sent and, when empty, register a new device.
_DEVICE_ID = re.compile(r'[0-9]{1,20}\Z')
_DEVICE_KEYS = ('sip_fleet_ringcentral_device_id', 'sip_fleet_ringcentral_device_serial', 'sip_fleet_ringcentral_device_name')


def _defined(options):
    return dict((key, value) for key, value in options.items() if value is not None)


def _update_password(values):
    return 'always' if values.get('sip_fleet_rotate') else 'on_change'


def device_errors(checked):
    """host -> error, for RingCentral panels that name no usable device."""
    errors = {}
    for host, values in checked.items():
        if values.get('sip_fleet_source') != 'ringcentral':
            continue
        device_id = values.get('sip_fleet_ringcentral_device_id')
        if not any(values.get(key) is not None for key in _DEVICE_KEYS) or (
                device_id is not None and not _DEVICE_ID.match(str(device_id))):
            errors[host] = ('%s: name the RingCentral device by sip_fleet_ringcentral_device_id (1 to 20 digits), '
                            'sip_fleet_ringcentral_device_serial or sip_fleet_ringcentral_device_name.' % host)
    return errors


def hosts_of(checked, source=None, among=None, without=()):
    """The hosts of ``source`` (vobiz, ringcentral; None: any), in play order: only those in ``among``
    when given, none of those in any of ``without`` (lists or dicts of hosts)."""
    among = None if among is None else set(among)
    left_out = set()
    for hosts in without:
        left_out.update(hosts)
    return [host for host, values in checked.items()
            if (source is None or values.get('sip_fleet_source') == source) and (among is None or host in among)
            and host not in left_out]


def panels(checked, hosts, settings=None):
    """``basip_sip_fleet`` panels: each host's connection options and its ``settings[host]``."""
    settings = settings or {}
    return [dict(host=host, options=_defined(dict(
        ((option, checked[host].get(name)) for option, name in _CONNECTION), **settings.get(host, {}))))
        for host in hosts]


def credentials(checked, hosts):
    """The trunk credentials of the Vobiz panels ``hosts`` (for ``vobiz_credential_set``)."""
    return [dict(username=checked[host]['sip_fleet_username'], password=checked[host]['sip_fleet_trunk_password'],
                 description=checked[host]['sip_fleet_credential_description']) for host in hosts]


def vobiz_settings(checked, hosts, trunk_domain):
    """host -> the ``basip_sip`` settings of each Vobiz panel, registering to ``trunk_domain``."""
    settings = {}
    for host in hosts:
        values = checked[host]
        settings[host] = _defined(dict(
            proxy='sip:%s' % trunk_domain, realm=values['sip_fleet_vobiz_realm'], user=values['sip_fleet_username'],
            user_id=values['sip_fleet_username'], password=values['sip_fleet_trunk_password'],
            transport=values['sip_fleet_transport'], stun=values.get('sip_fleet_stun'),
            registration_interval=values.get('sip_fleet_registration_interval'),
            update_password=_update_password(values)))
    return settings


def rc_plan(checked, hosts, panels_now, drift, check_mode):
    """host -> what each RingCentral panel needs: ``identity`` (fetch one: the panel holds none from
    RingCentral yet, or refresh, or rotation; never in a drift run or check mode), ``lookup`` (its device
    is named by serial or name), and its device reference."""
    plan = {}
    for host in hosts:
        values = checked[host]
        realm = ((panels_now.get(host) or {}).get('settings') or {}).get('realm')
        identity = not drift and not check_mode and bool(
            values.get('sip_fleet_rotate') or values.get('sip_fleet_ringcentral_refresh')
            or realm != values.get('sip_fleet_ringcentral_domain'))
        wants = identity or drift
        device_id = values.get('sip_fleet_ringcentral_device_id')
        plan[host] = dict(identity=identity, wants=wants, lookup=wants and device_id is None,
                          device_id=None if device_id is None else str(device_id),
                          serial=values.get('sip_fleet_ringcentral_device_serial'),
                          name=values.get('sip_fleet_ringcentral_device_name'))
    return plan


def rc_device_ids(plan, devices):
    """``{'ids': host -> device id, 'errors': host -> error}`` for the panels that want RingCentral;
    a serial or name must match exactly one device of ``devices`` (the account's device list)."""
    ids, errors = {}, {}
    for host, entry in plan.items():
        if not entry['wants']:
            continue
        if not entry['lookup']:
            ids[host] = entry['device_id']
            continue
        key, wanted = ('serial', entry['serial']) if entry['serial'] is not None else ('name', entry['name'])
        matches = [device for device in devices or [] if device.get(key) == wanted]
        if len(matches) == 1:
            ids[host] = str(matches[0]['id'])
        else:
            errors[host] = '%s: %d RingCentral devices have the %s %s; exactly one must' % (
                host, len(matches), key, wanted)
    return dict(ids=ids, errors=errors)


def rc_settings(checked, plan, device_ids, identities, devices_now, drift):
    """``{'settings': host -> basip_sip settings, 'errors': host -> error}`` of the RingCentral panels:
    the identity fetched for it, in a drift run its device's current (read-only) SIP info, else only
    the realm and transport (a converged panel keeps its identity). An identity the panel would
    reject is that panel's error, not the play's."""
    settings, errors = {}, {}
    now = dict((str(device.get('id')), device.get('sip_info') or {}) for device in devices_now or [])
    for host, entry in plan.items():
        values = checked[host]
        device_id = device_ids.get(host)
        options = dict(realm=values['sip_fleet_ringcentral_domain'],
                       transport=values['sip_fleet_ringcentral_transport'].lower())
        if entry['identity']:
            identity = (identities or {}).get(device_id)
            if not identity:
                errors[host] = '%s: RingCentral returned no SIP identity for device %s' % (host, device_id)
                continue
            try:
                options = basip_sip_options(identity['sip_info'][0])
            except AnsibleFilterError as exc:  # an identity the panel would reject: this panel's error
                errors[host] = '%s: %s' % (host, exc)
                continue
        elif drift:
            read = now.get(device_id) or {}
            # the proxy of the panel's transport, as a converge writes it (proxy_tls for TLS)
            proxy = outbound_proxy(read.get('outbound_proxies'), options['transport'])
            missing = [key for key in ('domain', 'outbound_proxies', 'user_name', 'authorization_id')
                       if not (proxy if key == 'outbound_proxies' else read.get(key))]
            if missing:  # this panel alone cannot be compared
                errors[host] = '%s: RingCentral has no SIP info for device %s (%s)' % (host, device_id, ', '.join(missing))
                continue
            options.update(proxy='sip:' + read['domain'], outbound='sip:' + proxy,
                           realm=read['domain'], user=read['user_name'], user_id=read['authorization_id'])
        options['update_password'] = _update_password(values)
        settings[host] = _defined(options)
    return dict(settings=settings, errors=errors)


def previous_users(checked, hosts, panels_now, converged):
    """``[{host, username}]``: the credential each Vobiz panel of ``hosts`` held before a rotation
    with ``sip_fleet_rotate_mode=new_credential``, to delete now that the panel converged on its new
    one; never the panel's current credential, one outside the prefix, or the trunk's attached one."""
    found = []
    for host in hosts:
        values = checked[host]
        previous = (((panels_now.get(host) or {}).get('settings')) or {}).get('user') or ''
        done = converged.get(host) or {}
        if (values.get('sip_fleet_rotate') and values.get('sip_fleet_rotate_mode') == 'new_credential'
                and done and not done.get('failed') and not done.get('unreachable')
                and previous != values['sip_fleet_username'] and previous.startswith(values['sip_fleet_username_prefix'])
                and previous != ((values.get('sip_fleet_vobiz_trunk') or {}).get('credential') or '')):
            found.append(dict(host=host, username=previous))
    return found


def stopped(hosts, error, trunk_domain, trunk_name):
    """host -> the result of each Vobiz panel that is not converged: failed with ``error`` (the
    credentials or the trunk could not be ensured), or, without a trunk domain (check mode on an
    account without the trunk), ok with the reason."""
    if error:
        return failures(dict.fromkeys(hosts, error))
    if trunk_domain:
        return {}
    message = ('The trunk %s does not exist yet (check mode): its domain is known after the first real run.'
               % trunk_name)
    return dict((host, dict(changed=False, msg=message)) for host in hosts)


def failures(errors, prefix=''):
    """host -> a failed result with the host's error (``prefix`` before it). ``errors`` is a dict
    host -> message, or the ``results`` of a loop over ``{host, ...}`` items (its failed items)."""
    if isinstance(errors, list):
        errors = dict((entry['item']['host'], entry.get('msg') or '(no message)')
                      for entry in errors if entry.get('failed'))
    return dict((host, dict(failed=True, changed=False, msg=prefix + message)) for host, message in errors.items())


class FilterModule:
    def filters(self):
        return dict(('sip_fleet_' + name, function) for name, function in (
            ('device_errors', device_errors), ('hosts_of', hosts_of), ('panels', panels),
            ('credentials', credentials), ('vobiz_settings', vobiz_settings), ('rc_plan', rc_plan),
            ('rc_device_ids', rc_device_ids), ('rc_settings', rc_settings), ('previous_users', previous_users),
            ('stopped', stopped), ('failures', failures)))
