# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the sip_fleet role decides for the panels of a play (documented in sip_fleet_plan.yml and
sip_fleet_settings.yml).

``sip_fleet_plan`` reads every panel's own variables through ``hostvars`` and checks them, all of
them before the role sends its first request; ``sip_fleet_settings`` turns the plan and what the
services answered into each panel's ``basip_sip`` options, or the reason the panel cannot have them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ansible.errors import AnsibleError, AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from jinja2.exceptions import UndefinedError

from ansible_collections.sipfleet.provision.plugins.filter.sip_identity import basip_sip_options
from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import InputError
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral import check_device_id
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import validate_args

# The variables each panel may set for itself (host_vars, group_vars, inventory, extra vars), by source.
# Every other variable of the role is the play's (one value for the play: the mode, the rotation,
# the accounts).
_PANEL_VARS = ('sip_fleet_panel_api_url', 'sip_fleet_panel_api_username', 'sip_fleet_panel_api_password',
               'sip_fleet_panel_validate_certs', 'sip_fleet_panel_ca_path')
_SOURCE_VARS = dict(
    vobiz=('sip_fleet_transport', 'sip_fleet_stun', 'sip_fleet_registration_interval', 'sip_fleet_username_prefix',
           'sip_fleet_credential_generation', 'sip_fleet_username', 'sip_fleet_trunk_password',
           'sip_fleet_credential_description'),
    ringcentral=('sip_fleet_ringcentral_device_id', 'sip_fleet_ringcentral_device_serial',
                 'sip_fleet_ringcentral_device_name', 'sip_fleet_ringcentral_transport',
                 'sip_fleet_ringcentral_domain', 'sip_fleet_ringcentral_refresh'),
)
_CONNECTION = (('api_url', 'sip_fleet_panel_api_url'), ('api_username', 'sip_fleet_panel_api_username'),
               ('api_password', 'sip_fleet_panel_api_password'), ('validate_certs', 'sip_fleet_panel_validate_certs'),
               ('ca_path', 'sip_fleet_panel_ca_path'))
# The role variable behind each basip_sip option, named in a panel's error.
_VARIABLE_OF = dict(dict((option, name) for option, name in _CONNECTION), realm='sip_fleet_vobiz_realm',
                    user='sip_fleet_username', user_id='sip_fleet_username', password='sip_fleet_trunk_password',
                    transport='sip_fleet_transport', stun='sip_fleet_stun',
                    registration_interval='sip_fleet_registration_interval')
_BASIP_VALIDATOR = ArgumentSpecValidator(**BASIP_SIP.options.validator_kwargs())


def _plain(value):
    """JSON types (a vault-encrypted or tagged value becomes its text)."""
    if isinstance(value, Mapping):
        return dict((str(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _defined(options):
    return dict((key, value) for key, value in options.items() if value is not None)


def username(host, prefix, generation=0):
    """The credential user name of ``host``: ``prefix``, the host name without every character that is
    not a letter or digit, and ``-g<generation>`` above generation 0."""
    return '%s%s%s' % (prefix, re.sub('[^A-Za-z0-9]', '', host), ('-g%d' % generation) if generation > 0 else '')


def _host_values(host, variables, names, defaults):
    """``(values, error)``: each name's value for the host, its own or else the role's default."""
    values = {}
    for name in names:
        try:
            values[name] = _plain(variables[name]) if name in variables else defaults.get(name)
        except (AnsibleError, UndefinedError) as exc:  # hostvars hand an undefined value over unraised
            return values, '%s: %s cannot be evaluated: %s' % (host, name, getattr(exc, 'message', exc))
    return values, None


def _computed(host, address, values):
    """The rules of the role's computed defaults (argument_specs.yml documents them)."""
    if values.get('sip_fleet_panel_api_url') is None:
        values['sip_fleet_panel_api_url'] = 'http://%s' % address
    if values['sip_fleet_source'] == 'vobiz':
        generation = values.get('sip_fleet_credential_generation') or 0
        if values.get('sip_fleet_username') is None:
            values['sip_fleet_username'] = username(host, values['sip_fleet_username_prefix'], generation)
            if generation > 0:
                values['sip_fleet_previous_username'] = username(host, values['sip_fleet_username_prefix'], generation - 1)
        if values.get('sip_fleet_credential_description') is None:
            values['sip_fleet_credential_description'] = 'panel %s' % host
    return values


def _checked(host, values, validators):
    """The values with their types as the role's argument spec converts them, or the spec's error."""
    validator = validators.get(values.get('sip_fleet_source'))
    if validator is None:
        return values, '%s: sip_fleet_source is %r; expected one of: %s' % (
            host, values.get('sip_fleet_source'), ', '.join(sorted(validators)))
    given = _defined(values)
    checked = validator.validate(given, validate_role_argument_spec=True)
    values.update((k, v) for k, v in checked.validated_parameters.items() if k in given)
    if checked.error_messages:
        return values, '%s: %s' % (host, '; '.join(checked.error_messages))
    return values, None


def _connection(values):
    return _defined(dict((option, values.get(name)) for option, name in _CONNECTION))


def _vobiz_options(values, play):
    """The panel's basip_sip options but the proxy (the trunk's domain comes from Vobiz)."""
    return _defined(dict(
        realm=play.get('vobiz_realm'), user=values['sip_fleet_username'], user_id=values['sip_fleet_username'],
        password=values['sip_fleet_trunk_password'], transport=values['sip_fleet_transport'],
        stun=values.get('sip_fleet_stun'), registration_interval=values.get('sip_fleet_registration_interval')))


def _panel_error(host, values, options):
    """Every rule basip_sip applies to the panel's options before a request, as one message, or None:
    those of BAS-IP's panels (the role does not know a panel's family before it reads it; the panel
    family's are the strictest, letters, digits and ASCII signs, and the password also goes to Vobiz)."""
    args = dict(_connection(values), api_family='panel', **options)
    params, error = validate_args(_BASIP_VALIDATOR, args, 'basip_sip')
    if error is None:
        try:
            BASIP_SIP.options.check(params)
        except InputError as exc:
            error = str(exc)
    if error is None:
        return None
    named = sorted(set(name for option, name in _VARIABLE_OF.items() if re.search(r'(?<![\w.])%s\b' % option, error)))
    return '%s: the panel would refuse its settings: %s%s' % (host, error, ' (check %s)' % ', '.join(named) if named else '')


def _device_error(host, values):
    device_id = values.get('sip_fleet_ringcentral_device_id')
    named = [key for key in _SOURCE_VARS['ringcentral'][:3] if values.get(key) is not None]
    if not named or (device_id is not None and check_device_id('', str(device_id))):
        return ('%s: name the RingCentral device by sip_fleet_ringcentral_device_id (1 to 20 digits), '
                'sip_fleet_ringcentral_device_serial or sip_fleet_ringcentral_device_name.' % host)
    return None


def _panel_address(url):
    """The panel a URL reaches (scheme, host and port, case-insensitively), to find two hosts on one panel."""
    try:
        parts = urlsplit(str(url).strip())
        return (parts.scheme.lower(), (parts.hostname or '').lower(), parts.port)
    except ValueError:
        return str(url)


def _same(errors, panels, key, what, fix):
    """Fail every panel that shares ``key(values)`` with another, naming the others."""
    seen = {}
    for host, values in panels.items():
        if host not in errors and key(values) is not None:
            seen.setdefault(key(values), []).append(host)
    for hosts in seen.values():
        for host in hosts if len(hosts) > 1 else ():
            others = ', '.join(h for h in hosts if h != host)
            errors[host] = '%s: %s as %s; %s' % (host, what, others, fix)


def sip_fleet_plan(hostvars, hosts, defaults, specs, play, pending=None):
    """The checked variables of every panel of ``hosts`` and the error of each panel that fails;
    ``pending`` (the hosts of an unfinished rotation) gives ``repair``, those of them that passed, and
    ``resend``, the user names of their Vobiz credentials."""
    validators = dict((source, ArgumentSpecValidator(dict(specs['panel']['options'], **specs[source + '_panel']['options'])))
                      for source in _SOURCE_VARS)
    panels, errors = {}, {}
    for host in hosts:
        variables = hostvars[host]
        values, error = _host_values(host, variables, ('sip_fleet_source',), defaults)
        address = variables['ansible_host'] if 'ansible_host' in variables else host
        if error is None:
            own, error = _host_values(host, variables, _PANEL_VARS + _SOURCE_VARS.get(values['sip_fleet_source'], ()),
                                      defaults)
            values.update(own)
        if error is None:
            values, error = _checked(host, values, validators)
        if error is None:
            values = _computed(host, str(address), values)
        if error is None:
            if values['sip_fleet_source'] == 'vobiz':
                error = _panel_error(host, values, _vobiz_options(values, play))
            else:
                error = _device_error(host, values) or _panel_error(host, values, {})
        panels[host] = values
        if error is not None:
            errors[host] = error
    _same(errors, panels, lambda values: _panel_address(values['sip_fleet_panel_api_url']),
          'reaches the same panel (sip_fleet_panel_api_url)', 'give each panel one inventory host')
    _same(errors, panels, lambda values: (values.get('sip_fleet_username') or '').lower() or None,
          'has the same Vobiz user name (sip_fleet_username)', 'set sip_fleet_username for one of them')
    sources = dict((source, [host for host in hosts if host not in errors and panels[host]['sip_fleet_source'] == source])
                   for source in _SOURCE_VARS)
    pending = set(pending or ())
    repair = [host for host in hosts if host in pending and host not in errors]
    return dict(panels=dict((host, panels[host]) for host in hosts if host not in errors), errors=errors,
                vobiz=sources['vobiz'], ringcentral=sources['ringcentral'], repair=repair,
                resend=[panels[host]['sip_fleet_username'] for host in sources['vobiz'] if host in repair],
                credentials=[dict(username=panels[host]['sip_fleet_username'],
                                  password=panels[host]['sip_fleet_trunk_password'],
                                  description=panels[host]['sip_fleet_credential_description'])
                             for host in sources['vobiz']])


def _rc_needs(plan, panels_now, play):
    """host -> whether each RingCentral panel gets a new identity: only in an enforce run, not in check
    mode, and only when the panel holds none from RingCentral yet or its transport is not the one asked
    (the panel takes its settings with the SIP password, which only a new identity gives) or it does
    not register with the one it holds (its status reads ERROR: superseded), on refresh,
    on rotation or to repair an unfinished one (every identity RingCentral issues mints a new
    authorization ID)."""
    if play.get('mode') == 'drift' or play.get('check_mode'):
        return dict.fromkeys(plan['ringcentral'], False)
    needs, repair = {}, set(plan.get('repair', ()))
    for host in plan['ringcentral']:
        values = plan['panels'][host]
        now = (panels_now.get(host) or {}).get('query_result') or {}
        needs[host] = bool(play.get('rotate') or host in repair or values.get('sip_fleet_ringcentral_refresh')
                           or now.get('registered') is False  # a superseded identity: ERROR
                           or now.get('realm') != values['sip_fleet_ringcentral_domain']
                           or str(now.get('transport')).lower() != values['sip_fleet_ringcentral_transport'].lower())
    return needs


def sip_fleet_ringcentral(plan, panels_now, play, devices=None):
    """``{'needing': host -> device id, 'errors': host -> error}`` of the RingCentral panels that get a new
    identity. ``panels_now`` are the results of a ``basip_sip_info`` loop over the hosts with
    ``query: {realm: settings.realm, transport: settings.transport, registered: registration.registered}``;
    ``devices`` (the account's device list) resolves a serial or a name (a
    host whose device is named so has the id None until then)."""
    needing, errors = {}, {}
    panels_now = dict((result['item'], result) for result in panels_now or [])  # the results of a loop over hosts
    for host, needed in _rc_needs(plan, panels_now, play).items():
        values = plan['panels'][host]
        if not needed:
            continue
        if (panels_now.get(host) or {}).get('failed'):
            errors[host] = '%s: %s' % (host, panels_now[host].get('msg') or 'the panel could not be read')
            continue
        if values.get('sip_fleet_ringcentral_device_id') is not None:
            needing[host] = str(values['sip_fleet_ringcentral_device_id'])
            continue
        key = 'serial' if values.get('sip_fleet_ringcentral_device_serial') is not None else 'name'
        wanted = values['sip_fleet_ringcentral_device_' + key]
        if devices is None:
            needing[host] = None  # looked up first
            continue
        matches = [device for device in devices if device.get(key) == wanted]
        if len(matches) == 1:
            needing[host] = str(matches[0]['id'])
        else:
            errors[host] = '%s: %d RingCentral devices have the %s %s (sip_fleet_ringcentral_device_%s); exactly one must' % (
                host, len(matches), key, wanted, key)
    return dict(needing=needing, errors=errors)


def _bucket(host):
    """The key of the group of panels ``host`` is filed under in the role's settings: the last two
    characters of its name. ansible-core 2.19+ wraps every entry of a dict a template reaches, so a
    host looking up its settings in a dict of the whole fleet would copy the fleet's entries once per
    host; in its bucket, it copies a few."""
    return host[-2:]


def sip_fleet_settings(plan, play, vobiz=None, ringcentral=None):
    """``{'panels': bucket -> host -> basip_sip options, 'errors': host -> error}`` for every panel of
    the plan (``bucket``: the host name's last two characters, see :func:`_bucket`)."""
    vobiz, ringcentral = vobiz or {}, ringcentral or {}
    settings, errors = {}, dict(plan['errors'])
    for host in plan['vobiz']:
        if vobiz.get('error'):
            errors[host] = '%s: the trunk credentials or the trunk could not be ensured: %s' % (host, vobiz['error'])
            continue
        options = _vobiz_options(plan['panels'][host], play)
        if vobiz.get('domain'):  # unknown only in check mode on an account without the trunk
            options['proxy'] = 'sip:%s' % vobiz['domain']
        settings[host] = options
    identities, rc_errors = ringcentral.get('identities') or {}, ringcentral.get('errors') or {}
    for host in plan['ringcentral']:
        values = plan['panels'][host]
        if host in rc_errors:
            errors[host] = rc_errors[host]
            continue
        device_id = (ringcentral.get('needing') or {}).get(host)
        if device_id is None and host not in (ringcentral.get('needing') or {}):
            # the panel keeps the identity it holds: what an enforce run writes is the realm and transport
            settings[host] = dict(realm=values['sip_fleet_ringcentral_domain'],
                                  transport=values['sip_fleet_ringcentral_transport'].lower())
            continue
        identity = identities.get(device_id) or {}
        try:
            settings[host] = basip_sip_options((identity.get('sip_info') or [None])[0])
        except AnsibleFilterError as exc:
            errors[host] = '%s: no usable SIP identity from RingCentral for device %s: %s' % (
                host, device_id, ringcentral.get('error') or getattr(exc, 'message', exc))
    panels, repair = {}, set(plan.get('repair', ()))
    for host, options in settings.items():
        options.update(_connection(plan['panels'][host]),
                       update_password='always' if play.get('rotate') or host in repair else 'on_change')
        if play.get('wait_for_registration'):
            options['wait_for_registration'] = True
        panels.setdefault(_bucket(host), {})[host] = options
    return dict(panels=panels, errors=dict((host, errors[host]) for host in errors if host not in settings))


def sip_fleet_previous_credentials(plan, hosts, trunk_credential=None):
    """The user names the Vobiz panels of ``hosts`` held before a ``new_credential`` rotation (their
    previous generation), never the trunk's attached credential."""
    return [dict(host=host, username=plan['panels'][host]['sip_fleet_previous_username'])
            for host in hosts
            if host in plan['vobiz'] and plan['panels'][host].get('sip_fleet_previous_username')
            and plan['panels'][host]['sip_fleet_previous_username'] != trunk_credential]


class FilterModule:
    def filters(self):
        return dict(sip_fleet_plan=sip_fleet_plan, sip_fleet_ringcentral=sip_fleet_ringcentral,
                    sip_fleet_settings=sip_fleet_settings, sip_fleet_previous_credentials=sip_fleet_previous_credentials)
