#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: basip_sip_fleet
short_description: SIP settings of many BAS-IP panels in one task
version_added: 0.1.0
description:
  - Converges the SIP settings of many BAS-IP panels in one task, as M(sipfleet.provision.basip_sip)
    does for one, or reads them as M(sipfleet.provision.basip_sip_info) does with O(read=true). The
    panels are handled in parallel by a pool of O(max_workers) threads, each panel in its own HTTP
    session (its own login and logout), and the result is returned per panel.
  - One task for the whole fleet instead of one task per panel, so Ansible forks one worker instead
    of one per panel (see the collection's C(docs/performance.md)).
  - Every panel's options (O(defaults) under the panel's own) are validated with the argument spec
    and the value checks of M(sipfleet.provision.basip_sip) (or M(sipfleet.provision.basip_sip_info))
    before any request to any panel. A panel with bad options fails alone, with the message that
    module would give, and is sent no request.
  - A panel's failure never stops the others. The task fails when any panel failed or could not be
    reached, and still returns every panel's result in RV(panels).
  - The requests of each panel are those of the single-panel module; O(registration=true) adds one
    C(GET /api/v1/sip/status) per panel of the V(panel) family (login, settings, status and logout
    for a converged panel).
  - Every C(no_log) value of every panel (web and SIP passwords, also when read from the
    environment) and everything the panels' logins derive are removed from the whole result.
  - "Runs on the controller (C(delegate_to: localhost), C(connection: local) or a play on
    C(localhost)); the action plugin of the same name then runs it inside the controller process."
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: Applies to every panel; reads only, and every panel's result and diff are those a real run would produce.
  diff_mode:
    support: full
    details: Each panel's C(diff) is in its result in RV(panels), with the SIP password masked as in M(sipfleet.provision.basip_sip).
  idempotent:
    support: full
    details: As M(sipfleet.provision.basip_sip) per panel; with O(read=true), reads only.
notes:
  - The module is not in the action group C(sipfleet.provision.basip). That group's C(module_defaults)
    are one panel's connection options, which this module does not accept; give them in O(defaults).
options:
  panels:
    description:
      - The panels, in the order their results are returned.
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description:
          - The name of the panel, the key of its result in RV(panels) (for example its
            C(inventory_hostname)). Every host must be unique; a repeated host fails the task before
            any request.
        type: str
        required: true
      options:
        description:
          - The panel's options, those of M(sipfleet.provision.basip_sip) (with O(read=true), those of
            M(sipfleet.provision.basip_sip_info) except C(query)), for example C(api_url), C(user)
            and C(password).
          - A value given here wins over the same option in O(defaults); a V(null) value keeps the
            value of O(defaults).
        type: dict
        default: {}
  defaults:
    description:
      - Options merged under every panel's O(panels[].options), typically the connection options
        C(api_username), C(api_password), C(validate_certs), C(ca_path) or C(timeout).
    type: dict
    default: {}
  read:
    description:
      - Read every panel (settings, SIP on/off, registration state, device info) as
        M(sipfleet.provision.basip_sip_info) does, and never write, in check mode or not.
    type: bool
    default: false
  registration:
    description:
      - When converging, also read each panel's registration state once after the settings, in the
        same session and without waiting, and return it as RV(panels.registration).
      - For waiting until a panel registers, use the option C(wait_for_registration) of the panel.
      - Ignored with O(read=true), which always reads the registration state.
    type: bool
    default: false
  max_workers:
    description:
      - How many panels are handled at the same time, from 1 to 100.
    type: int
    default: 20
seealso:
  - module: sipfleet.provision.basip_sip
  - module: sipfleet.provision.basip_sip_info
'''

EXAMPLES = r'''
# Each panel host of the inventory has the variable
#   fleet_panel:
#     host: "{{ inventory_hostname }}"
#     options: {api_url: "https://{{ ansible_host }}", user: "{{ sip_user }}", password: "{{ sip_password }}"}
- name: Converge the SIP settings of every panel of the group in one task
  sipfleet.provision.basip_sip_fleet:
    panels: "{{ groups['panels'] | map('extract', hostvars, 'fleet_panel') | list }}"
    defaults:
      api_password: "{{ vault_panel_web_password }}"
      proxy: sip:pbx.example.com
      realm: pbx.example.com
    registration: true
  register: fleet
  failed_when: false
  run_once: true
  delegate_to: localhost

- name: Panels that are not registered yet
  ansible.builtin.debug:
    msg: "{{ fleet.panels | dict2items | selectattr('value.registration.registered', 'false') | map(attribute='key') | list }}"
  run_once: true

- name: Two panels with their own settings, in check mode with the diff
  sipfleet.provision.basip_sip_fleet:
    panels:
      - host: entrance
        options: {api_url: "http://192.0.2.10", user: "1001", password: "{{ vault_sip_1001 }}"}
      - host: garage
        options: {api_url: "http://192.0.2.11", user: "1002", password: "{{ vault_sip_1002 }}", transport: tcp}
    defaults:
      api_password: "{{ vault_panel_web_password }}"
      proxy: sip:pbx.example.com
      realm: pbx.example.com
  check_mode: true
  diff: true
  delegate_to: localhost

- name: Read every panel (never writes)
  sipfleet.provision.basip_sip_fleet:
    read: true
    panels:
      - {host: entrance, options: {api_url: "http://192.0.2.10"}}
      - {host: garage, options: {api_url: "http://192.0.2.11"}}
    defaults: {api_password: "{{ vault_panel_web_password }}"}
    max_workers: 10
  register: state
  delegate_to: localhost
'''

RETURN = r'''
panels:
  description:
    - Every panel's result keyed by its O(panels[].host), in the order of O(panels), as
      M(sipfleet.provision.basip_sip) (with O(read=true), M(sipfleet.provision.basip_sip_info))
      returns it, without C(invocation).
    - A panel that failed has C(failed=true) and C(msg) (the module's message, not prefixed by the
      host), with C(status) and C(error_code) when a request failed; a panel that never answered
      (connection refused, no route, connect timeout) also has C(unreachable=true).
  returned: always
  type: dict
  sample:
    entrance:
      changed: true
      changes: [proxy, realm]
      settings: {proxy: sip:pbx.example.com, realm: pbx.example.com, user: "1001", password: <hidden>}
      api_family: panel
      registration: {state: OK, registered: true, last_attempt: 1796170000}
    garage:
      failed: true
      unreachable: true
      msg: "GET http://192.0.2.11/api/v1/login: connection failed after 3 attempt(s)"
      status: null
      error_code: null
  contains:
    changed:
      description: Whether the panel changed (would change in check mode).
      type: bool
    changes:
      description: The options that differed (converge only).
      type: list
      elements: str
    settings:
      description: The panel's SIP settings after the run, the SIP password replaced by C(<hidden>).
      type: dict
    diff:
      description: Before and after, with O(panels[].options) compared (converge with C(--diff) only).
      type: dict
    api_family:
      description: The panel's firmware family.
      type: str
    sip_enabled:
      description: Whether SIP is on (when the panel's C(enabled) option is set, or with O(read=true)).
      type: bool
    registration:
      description:
        - The registration state C({state, registered, last_attempt}), as
          M(sipfleet.provision.basip_sip_info) returns it (with O(registration=true), O(read=true), or
          the panel's C(wait_for_registration)).
      type: dict
    device:
      description: The panel's device-info answer (O(read=true) only).
      type: dict
    failed:
      description: V(true) when the panel failed or could not be reached.
      type: bool
    unreachable:
      description: V(true) when the panel never answered.
      type: bool
    msg:
      description: Why the panel failed.
      type: str
failed_hosts:
  description: The hosts whose panel failed or could not be reached, sorted.
  returned: always
  type: list
  elements: str
  sample: [garage]
changed:
  description: Whether any panel changed (would change in check mode).
  returned: always
  type: bool
msg:
  description: How many and which panels failed (at most ten named, then C(and N more)).
  returned: when a panel failed
  type: str
  sample: "1 of 2 panels failed: garage"
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_fleet import BASIP_SIP_FLEET
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module


def main():
    run_module(BASIP_SIP_FLEET)


if __name__ == '__main__':
    main()
