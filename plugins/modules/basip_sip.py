#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: basip_sip
short_description: SIP settings of a BAS-IP intercom panel
version_added: 0.1.0
description:
  - Makes the SIP account settings of a BAS-IP panel match the options given, through the
    panel's HTTP API (C(/api/v1/device/sip/settings)).
  - Logs in (MD5), reads the settings, and writes the whole settings object only when a value
    differs; then logs out. A converged run makes two requests (login and read) plus the logout.
  - Only the options you set are compared and written; every other setting keeps the panel's
    current value.
  - Every value is checked before any request is sent, against the rules of the firmware family of
    O(api_family) (with V(auto), against those of some family), and against the detected family's
    rules before anything is written.
  - O(enabled) switches SIP on or off through the family's documented switch, only when it differs;
    O(wait_for_registration) then waits until the panel reports it is registered.
  - "Runs on the controller (C(delegate_to: localhost) or C(connection: local)); the action plugin
    of the same name then runs it inside the controller process."
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.basip
  - sipfleet.provision.http_options
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: Reads only; the returned settings and diff are those a real run would produce.
  diff_mode:
    support: full
    details: The SIP password never appears in the diff; when it is sent, it shows as C(<hidden, sent>).
  idempotent:
    support: full
    details: With O(update_password=always) every run writes, and so reports a change.
  action_group:
    description: Use C(group/sipfleet.provision.basip) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.basip
options:
  proxy:
    description:
      - SIP proxy (registrar), V(sip:) followed by an IPv4 address or DNS name and an optional port,
        for example V(sip:sip.example.com) or V(sip:192.0.2.20:5060).
    type: str
  realm:
    description:
      - SIP realm (domain), an IPv4 address or DNS name with an optional port.
    type: str
  user:
    description:
      - SIP user name (number), 1 to 31 characters.
    type: str
  password:
    description:
      - SIP password, 6 to 31 characters (1 to 31 on Camdroid monitors); letters, digits, the space and
        C(~!@#$%^&;*()_-+={[}]|"<,>.?/) (no character set is published for Camdroid monitors, so any printable
        character). Control characters (newline, tab, ...) are refused on every family.
      - Write-only. The panel never returns it, so it is never compared, returned or shown.
        See O(update_password) for when it is sent.
      - Required whenever the settings must be written (the panel takes the whole object at once).
        In check mode a missing password does not fail the task; the change is reported with a
        warning, so that drift reports work without the passwords at hand.
    type: str
  user_id:
    description:
      - SIP authentication ID, up to 31 characters (empty to use O(user)).
    type: str
  transport:
    description:
      - SIP transport.
    type: str
    choices: [udp, tcp, tls]
  stun:
    description:
      - STUN server. The panel cannot switch STUN off; V(127.0.0.1) is the usual "disabled" value.
    type: dict
    suboptions:
      ip:
        description: STUN server address, an IPv4 address or DNS name.
        type: str
      port:
        description: STUN server port.
        type: int
  registration_interval:
    description:
      - SIP registration interval in seconds, 30 to 900. Ignored by firmware whose API docs are older than 2.9.0.
    type: int
  outbound:
    description:
      - Outbound proxy, empty or an IPv4 address or DNS name with an optional port, for example
        V(10.0.0.1:5060) or V(sip112-191.ringcentral.com:5090) - the panel's C(outbound) setting as BAS-IP
        documents it (no V(sip:); U(https://developers.bas-ip.com/android-panels/set-first-account-sip-settings)),
        present on newer panel firmware (C(docs/basip-families.md)).
      - A V(sip:) before it is left out, both in what is written and in the comparison with the panel's
        value, so V(sip:10.0.0.1:5060) and V(10.0.0.1:5060) are the same setting.
      - Fails, before anything is written, on a panel whose settings have no C(outbound) key (older
        firmware ignores it) and on the monitor families.
    type: str
  enabled:
    description:
      - Whether SIP is switched on. Compared with the panel's switch and written only when it differs.
      - V(panel) family - C(GET)/C(POST /api/v1/device/sip/enable) with C(sip_enable), written
        after the settings and without the SIP password.
      - V(android_monitor) family - the C(enable) key of the settings object, so switching needs
        O(password) like any change of the settings.
      - V(camdroid_monitor) family - not documented; setting it fails before anything is written.
    type: bool
  wait_for_registration:
    description:
      - After the run's writes (or none), poll the panel's registration status (C(GET /api/v1/sip/status))
        every 2 seconds until it reports V(OK) or O(registration_timeout) passes; then fail, naming the
        panel and its last status, with what the run changed still reported (C(changed), RV(changes)).
      - In check mode the status is read once and returned, without waiting or failing.
      - Only the V(panel) family documents a status call; fails for the monitor families.
    type: bool
    default: false
  registration_timeout:
    description:
      - Seconds O(wait_for_registration) waits for the registration.
    type: int
    default: 60
  update_password:
    description:
      - When the SIP O(password) is sent.
      - V(on_change) sends it only when another setting differs and the settings are written anyway.
        The module stays idempotent, but a password changed only in your variables does not reach
        the panel until something else changes.
      - V(always) sends it on every run. Use it to rotate the password. Every run then writes,
        and so reports C(changed), even when nothing else differs.
    type: str
    choices: [always, on_change]
    default: on_change
notes:
  - The panel applies new SIP settings without a reboot.
  - "Requests: login, read, logout on a converged run; a changing run adds the write of the settings.
    O(enabled) on the V(panel) family adds the read of the switch, and its write when it differs.
    O(wait_for_registration) adds one status read every 2 seconds until registered."
  - The firmware families, their schemas and the source of every fact are in the collection's
    C(docs/basip-families.md).
  - The second SIP account of dual-account panels is not managed (its API path is not documented).
seealso:
  - name: BAS-IP API reference
    description: The panel's HTTP API.
    link: https://developers.bas-ip.com/
'''

EXAMPLES = r'''
- name: Register a panel to the building's SIP server
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.10
    api_password: "{{ vault_panel_web_password }}"
    proxy: sip:pbx.example.com
    realm: pbx.example.com
    user: "1001"
    password: "{{ vault_sip_passwords['1001'] }}"
    transport: udp
    stun:
      ip: 127.0.0.1
      port: 3478
    registration_interval: 300
  delegate_to: localhost

- name: Move every panel to TLS, connection options written once
  module_defaults:
    group/sipfleet.provision.basip:
      api_password: "{{ vault_panel_web_password }}"
      ca_path: /etc/ssl/panels-ca.pem
  block:
    - name: Switch transport
      sipfleet.provision.basip_sip:
        api_url: "https://{{ ansible_host }}"
        proxy: sip:pbx.example.com:5061
        transport: tls
        password: "{{ vault_sip_password }}"
      delegate_to: localhost

- name: Rotate the SIP password (reports changed on every run)
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.10
    api_password: "{{ vault_panel_web_password }}"
    password: "{{ new_sip_password }}"
    update_password: always
  delegate_to: localhost

- name: RingCentral identity with its outbound proxy; SIP on; wait until registered
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.10
    api_password: "{{ vault_panel_web_password }}"
    proxy: sip:sip.ringcentral.com
    realm: sip.ringcentral.com
    outbound: sip112-191.ringcentral.com:5090
    user: "17203861294*115"
    user_id: "802398804016"
    password: "{{ vault_rc_sip_password }}"
    enabled: true
    wait_for_registration: true
    registration_timeout: 90
  delegate_to: localhost

- name: Switch SIP off on a panel (no SIP password needed on the panel family)
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.10
    api_password: "{{ vault_panel_web_password }}"
    enabled: false
  delegate_to: localhost

- name: A Camdroid monitor (h264 kept, a short password is valid there)
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.30
    api_password: "{{ vault_panel_web_password }}"
    api_family: camdroid_monitor
    user: "3001"
    password: "{{ vault_monitor_sip_password }}"
  delegate_to: localhost

- name: Report drift without writing (run the play with --check --diff)
  sipfleet.provision.basip_sip:
    api_url: http://192.0.2.10
    api_password: "{{ vault_panel_web_password }}"
    proxy: sip:pbx.example.com
    realm: pbx.example.com
    user: "1001"
  check_mode: true
  delegate_to: localhost
'''

RETURN = r'''
settings:
  description:
    - The panel's SIP settings after the task (in check mode, what they would be). The password
      shows as C(<hidden>). Keys the firmware adds (for example C(outbound)) are included.
  returned: success
  type: dict
  sample:
    proxy: sip:pbx.example.com
    realm: pbx.example.com
    user: "1001"
    password: <hidden>
    transport: udp
    user_id: ""
    stun:
      ip: 127.0.0.1
      port: 3478
    registration_interval: 300
changes:
  description:
    - Names of the settings that differed (nested keys dotted, for example C(stun.port)).
      Contains C(password) when O(update_password=always) sent it, and C(enabled) when SIP was switched.
  returned: success
  type: list
  elements: str
  sample: [proxy, stun.port]
sip_enabled:
  description:
    - Whether SIP is switched on after the run.
  returned: when O(enabled) is set
  type: bool
  sample: true
api_family:
  description: The firmware family whose schema and rules were applied (detected with O(api_family=auto)).
  returned: success
  type: str
  sample: panel
registration:
  description: The panel's SIP registration state, with O(wait_for_registration).
  returned: with O(wait_for_registration), also when it fails
  type: dict
  contains:
    state:
      description: The panel's C(sip_status), V(OK), V(ERROR) or V(OFFLINE).
      type: str
      sample: OK
    registered:
      description: V(true) for V(OK).
      type: bool
      sample: true
    last_attempt:
      description: Unix time of the last registration attempt, V(null) when none.
      type: int
      sample: 1796170000
warnings:
  description: In check mode, the reason a real run would fail (a write is needed and no O(password) was given).
  returned: when a real run would fail
  type: list
  elements: str
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 503
error_code:
  description: The service's error code of the failed request, when it gave one.
  returned: failure, when the service gave one
  type: str
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module


def main():
    run_module(BASIP_SIP)


if __name__ == '__main__':
    main()
