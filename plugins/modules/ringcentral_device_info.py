#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ringcentral_device_info
short_description: Read a RingCentral account's devices and their current SIP identities
version_added: 0.1.0
description:
  - Lists the account's devices (C(GET /restapi/v1.0/account/~/device), page after page) or reads one
    (C(GET /restapi/v1.0/account/~/device/{deviceId}) with O(device_id)), keeps those that match every
    filter given, and with O(sip_info=true) adds each one's current SIP identity
    (C(GET /restapi/v1.0/account/~/device/{deviceId}/sip-info)).
  - Read-only, with the C(ReadAccounts) app permission; it never registers anything (unlike
    M(sipfleet.provision.sip_provision_info)), so it is what drift reports use. The device and its SIP
    info are in RingCentral's C(Light) rate-limit group (50 requests per user and minute), the device
    list in C(Medium) (40) by RingCentral's 2020 API specification.
  - The calls are paced by RingCentral's C(X-Rate-Limit-*) answer headers (RV(rate_limit_waits)), each
    call by the group RingCentral's answers name for it, compared without regard to case.
  - The device list documents no server-side filter, so the filters are applied to what it returns.
  - "Runs on the controller (C(delegate_to: localhost) or C(connection: local))."
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.ringcentral
  - sipfleet.provision.http_options
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode makes the same requests.
  diff_mode:
    support: none
    details: The module changes nothing.
  idempotent:
    support: full
  action_group:
    description: Use C(group/sipfleet.provision.ringcentral) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.ringcentral
options:
  device_id:
    description:
      - Only the device with this RingCentral ID (1 to 20 digits); one read instead of the whole list.
        An ID RingCentral does not know gives an empty RV(devices).
    type: str
  serial:
    description: Only devices with this serial number.
    type: str
  name:
    description: Only devices with this name.
    type: str
  extension_number:
    description: Only devices of the extension with this number (for example V(115)).
    type: str
  type:
    description: Only devices of this type.
    type: str
    choices: [HardPhone, SoftPhone, OtherPhone]
  sip_info:
    description: Add each matching device's current SIP identity (one more read per device) in RV(devices[].sip_info).
    type: bool
    default: false
  include_secrets:
    description:
      - Return the SIP C(password) of each identity; with V(false) it is replaced by C(<hidden>).
      - "Set V(true) only when the next task needs the password, and then put C(no_log: true) on this task."
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the result (the key RV(devices)); its value is returned in
        RV(query_result), for example V(devices[?serial=='SN1234'].id | [0]).
      - Needs the Python library C(jmespath). An invalid expression fails before any request.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - name: RingCentral API reference, Get Device SIP Info
    description: The C(sip-info) read.
    link: https://developers.ringcentral.com/api-reference/Devices/readDeviceSipInfo
  - module: sipfleet.provision.sip_provision_info
  - module: sipfleet.provision.ringcentral_token
'''

EXAMPLES = r'''
- name: The id of the device with a serial number
  sipfleet.provision.ringcentral_device_info:
    serial: SN12345678
    query: devices[0].id
  register: rc_device
  delegate_to: localhost

- name: Current SIP identity of one device (read-only; nothing is registered)
  sipfleet.provision.ringcentral_device_info:
    device_id: "802398804016"
    sip_info: true
  register: rc_now
  delegate_to: localhost

- name: Every intercom of the account with its identity, one token for both tasks
  sipfleet.provision.ringcentral_device_info:
    access_token: "{{ rc_token.access_token }}"
    type: OtherPhone
    sip_info: true
  register: rc_intercoms
  run_once: true
  delegate_to: localhost
'''

RETURN = r'''
devices:
  description:
    - The matching devices, keys in snake_case as RingCentral returns them (unknown keys included), in
      the account's order.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: RingCentral's ID of the device.
      type: str
      sample: "802398804016"
    name:
      description: Device name.
      type: str
      sample: Intercom 115
    serial:
      description: Serial number.
      type: str
      sample: SN12345678
    type:
      description: Device type.
      type: str
      sample: OtherPhone
    extension:
      description: The device's extension (C(id), C(uri), C(extension_number)).
      type: dict
      sample: {id: 1115000000, extension_number: "115"}
    sip_info:
      description: The current SIP identity (RingCentral's C(SipInfoResource)).
      returned: when O(sip_info=true)
      type: dict
      contains:
        domain:
          description: SIP domain (realm).
          type: str
          sample: sip.ringcentral.com
        user_name:
          description: SIP user name.
          type: str
          sample: "17203861294*115"
        password:
          description: SIP password; C(<hidden>) unless O(include_secrets=true).
          type: str
          sample: <hidden>
        authorization_id:
          description: The current SIP authorization ID.
          type: str
          sample: "802398804016"
        outbound_proxies:
          description: Outbound proxies (C(region), C(proxy), C(proxy_tls), each C(host:port)).
          type: list
          elements: dict
          sample: [{region: NA, proxy: "sip112-191.ringcentral.com:5090", proxy_tls: "sip112-191.ringcentral.com:5090"}]
rate_limit_waits:
  description: Every wait the pacing made (which rate-limit group, how long, before which request).
  returned: success
  type: list
  elements: str
  sample: []
query_result:
  description: The value O(query) selected (any type; V(null) when nothing matched).
  returned: when O(query) is set
  type: raw
  sample: "802398804016"
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 403
error_code:
  description: RingCentral's C(errorCode) of the failed request, for example C(CMN-401).
  returned: failure, when RingCentral gave one
  type: str
  sample: CMN-401
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import RINGCENTRAL_DEVICE_INFO
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module


def main():
    run_module(RINGCENTRAL_DEVICE_INFO)


if __name__ == '__main__':
    main()
