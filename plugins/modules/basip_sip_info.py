#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: basip_sip_info
short_description: SIP settings, SIP on/off and registration state of a BAS-IP panel
version_added: 0.1.0
description:
  - Reads a BAS-IP panel's SIP settings (the SIP password masked, as the panel never returns it),
    whether SIP is switched on, and the SIP registration state where the firmware reports it.
  - Sends only reads, in check mode and in a normal run. The unauthenticated device-info call
    (C(GET /api/info)), the login, the settings, for the V(panel) family the SIP switch
    (C(GET /api/v1/device/sip/enable)) and the status (C(GET /api/v1/sip/status)), and the logout.
  - A panel-family firmware that answers 404 to the switch or the status call is reported with
    V(null) for what it does not answer.
  - The families, their schemas and where each fact comes from are listed in the collection's
    C(docs/basip-families.md).
  - O(query) selects from the result with a JMESPath expression.
  - "Runs on the controller (C(delegate_to: localhost) or C(connection: local)); the action plugin
    of the same name then runs it inside the controller process."
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.basip
  - sipfleet.provision.http_options
  - sipfleet.provision.attributes
  - sipfleet.provision.attributes.INFO_MODULE
attributes:
  action_group:
    description: Use C(group/sipfleet.provision.basip) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.basip
  idempotent:
    support: full
    details: Reads only.
options:
  query:
    description:
      - A JMESPath expression applied to the result (the keys RV(settings), RV(sip_enabled),
        RV(registration), RV(api_family) and RV(device)); its value is returned in RV(query_result),
        for example V(registration.state).
      - Needs the Python library C(jmespath). An invalid expression fails before any request.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: sipfleet.provision.basip_sip
'''

EXAMPLES = r'''
- name: Read a panel's SIP state
  sipfleet.provision.basip_sip_info:
    api_url: "http://{{ ansible_host }}"
    api_password: "{{ vault_panel_web_password }}"
  register: panel_sip
  delegate_to: localhost

- name: Fail when the panel is not registered
  ansible.builtin.assert:
    that: panel_sip.registration.registered is not false
    fail_msg: "{{ inventory_hostname }}: SIP registration state {{ panel_sip.registration.state }}"

- name: Only the registration state of an Android monitor (API /v0, no status call)
  sipfleet.provision.basip_sip_info:
    api_url: "http://{{ ansible_host }}"
    api_password: "{{ vault_panel_web_password }}"
    api_family: android_monitor
    query: registration.state
  register: state
  delegate_to: localhost
'''

RETURN = r'''
settings:
  description:
    - The SIP settings object as the panel returns it, the SIP password replaced by C(<hidden>).
    - Keys differ by family (for example C(outbound) on newer panel firmware, C(h264) on Camdroid monitors).
  returned: success
  type: dict
  sample:
    proxy: sip:pbx.example.com
    realm: pbx.example.com
    user: "2001"
    password: <hidden>
    transport: udp
    user_id: "2001"
    stun: {ip: 127.0.0.1, port: 3478}
    registration_interval: 30
    outbound: ""
sip_enabled:
  description: Whether SIP is switched on; V(null) where the family documents no switch (Camdroid monitors).
  returned: success
  type: bool
  sample: true
registration:
  description: The SIP registration state, where the firmware reports it.
  returned: success
  type: dict
  contains:
    state:
      description:
        - The panel's C(sip_status) - V(OK) (registered), V(ERROR) (SIP on, registration failed or lost),
          V(OFFLINE) (SIP off) - or V(null) where the family documents no status call.
      type: str
      sample: OK
    registered:
      description: V(true) for V(OK), V(false) for V(ERROR) and V(OFFLINE), V(null) when unknown.
      type: bool
      sample: true
    last_attempt:
      description: Unix time of the last registration attempt (C(register_last_attempt)), V(null) when none or unknown.
      type: int
      sample: 1796170000
api_family:
  description: The firmware family whose schema and rules were applied (detected with O(api_family=auto)).
  returned: success
  type: str
  sample: panel
device:
  description: The panel's device-info answer (C(GET /api/info)), as it gave it; empty when not read.
  returned: success
  type: dict
  sample: {device_model: aa-07fb, firmware_version: 3.9.2, api_version: 2.9.0}
query_result:
  description: The value of O(query) applied to the result (any JSON type).
  returned: when O(query) is set
  type: raw
  sample: OK
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 401
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP_INFO
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module


def main():
    run_module(BASIP_SIP_INFO)


if __name__ == '__main__':
    main()
