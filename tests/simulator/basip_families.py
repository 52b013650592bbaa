# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BAS-IP firmware families the panel simulator models, as ``docs/basip-families.md``
describes them: device-info answer, API version, SIP schema and rules, how SIP is switched
on and off, whether the registration status can be read, and the error shape.

Each family is a dict; ``Panel(family=...)`` (or ``PATCH /options {"family": ...}``) picks one.
"""

from __future__ import annotations

import copy

PANEL_SETTINGS = {
    'proxy': 'sip:sip.bas-ip.com', 'realm': 'sip.bas-ip.com', 'user': '101', 'password': '123456',
    'transport': 'udp', 'user_id': '', 'stun': {'ip': '127.0.0.1', 'port': 3478},
    'registration_interval': 30, 'outbound': '',
}
"""Factory settings of an Android/multi-apartment panel (``outbound`` on firmware that has it)."""

ANDROID_MONITOR_EXTRA = {
    'enable': True, 'host_to_id': True, 'is_enable_ring_code': False,
    'user_agent': 'BasIpVoip v2.0 (at-07l 5.12.0)', 'timeout': 120, 'net': 0, 'fixed_net': 0,
    'multicast': '',
}
"""Keys the Android-monitor schema adds (developers.bas-ip.com/android-monitors/get-sip-settings)."""

CAMDROID_SETTINGS = dict(
    (k, v) for k, v in PANEL_SETTINGS.items() if k not in ('user_id', 'outbound'))
CAMDROID_SETTINGS['h264'] = 102

FAMILIES = {
    'panel': dict(
        api_version='v1',
        info={'device_model': 'aa-07fb', 'device_serial_number': 'SIM0000001',
              'firmware_version': '3.9.2', 'api_version': '2.9.0'},
        settings=PANEL_SETTINGS, password=(6, 31), user_id=True, h264=False,
        switch='endpoint', status=True, errors='flat'),
    'android_monitor': dict(
        api_version='v0',
        info={'device_model': 'at-07l', 'device_serial_number': 'SIM0000002',
              'firmware_version': '5.12.0', 'api_version': '1.7.0'},
        settings=dict(dict((k, v) for k, v in PANEL_SETTINGS.items() if k != 'outbound'),
                      **ANDROID_MONITOR_EXTRA),
        password=(6, 31), user_id=True, h264=False, switch='settings', status=False, errors='flat'),
    'camdroid_monitor': dict(
        api_version='v1',
        info={'device_model': 'cm-sim', 'device_serial_number': 'SIM0000003',
              'firmware_version': '1.11.0', 'framework_version': '1.2.0',
              'frontend_version': '1.2.0', 'api_version': '1.1.1'},
        settings=CAMDROID_SETTINGS, password=(1, 31), user_id=False, h264=True,
        switch=None, status=False, errors='nested'),
}


def factory_settings(family):
    return copy.deepcopy(FAMILIES[family]['settings'])


def error_body(family, kind, param=None):
    """The family's answer for ``kind``: 'login' (wrong login), 'missing' (login parameters),
    'auth' (401), 'json' (bad body), 'required', 'type' (with ``param``), 'rule' (with ``param``)."""
    if FAMILIES[family]['errors'] == 'nested':
        code, message = {
            'login': ('invalid_authentication', 'Wrong login or password'),
            'missing': ('not_valid', 'Data validation error'),
            'auth': ('invalid_authentication', 'Log In'),
        }.get(kind, ('not_valid', 'Data validation error'))
        body = {'code': code, 'message': message}
        if param is not None:
            body['data'] = {param: {'required': 'is required', 'type': 'has the wrong type'}.get(
                kind, 'did not pass validation')}
        return {'error': body}
    text = {
        'login': 'Wrong login or password', 'missing': 'Required parameters missed', 'auth': 'Log In',
        'json': 'Wrong JSON body', 'rule': 'Wrong JSON body',
        'required': 'Wrong JSON body: no value for `%s`' % param,
        'type': 'Wrong JSON body: value `%s` was of the wrong type' % param,
    }[kind]
    return {'error': text}


def check_family_rules(family, body, panel_rules):
    """The name of the first field of ``body`` the family refuses, or None.

    ``panel_rules`` is the shared rules module (the panel family's published expressions);
    the Camdroid-monitor family documents lengths only for ``user`` and ``password``.
    """
    spec = FAMILIES[family]
    low, high = spec['password']
    if not isinstance(body.get('password'), str) or not low <= len(body['password']) <= high:
        return 'password'
    if spec['h264'] and not (isinstance(body.get('h264'), int) and 99 <= body['h264'] <= 127):
        return 'h264'
    if spec['switch'] == 'settings' and 'timeout' in body and body['timeout'] not in (120, 300, 600, 1200, 1800):
        return 'timeout'
    if spec['switch'] == 'settings' and 'net' in body and body['net'] not in (0, 1):
        return 'net'
    shared = dict((k, v) for k, v in body.items() if k in panel_rules.RULES or k == 'stun')
    if family == 'camdroid_monitor':
        if not 1 <= len(body.get('user') or '') <= 31:
            return 'user'
        shared.pop('user', None)
        shared.pop('password', None)
    errors = panel_rules.check_settings(shared)
    return errors[0].split(' ')[0] if errors else None
