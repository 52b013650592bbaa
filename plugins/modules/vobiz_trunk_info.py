#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vobiz_trunk_info
short_description: SIP trunks of a Vobiz account
version_added: 0.1.0
description:
  - Lists the SIP trunks of a Vobiz account, those named O(name), or the one with O(trunk_id).
  - Walks the trunk list, ceil(trunks / min(O(page_size), 100)) requests; with O(trunk_id) one read
    of that trunk.
  - O(query) selects from the result with a JMESPath expression.
  - Runs on the controller (delegate the task to V(localhost), or use the C(local) connection).
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.vobiz
  - sipfleet.provision.http_options
  - sipfleet.provision.attributes
  - sipfleet.provision.attributes.INFO_MODULE
attributes:
  action_group:
    description: Use C(group/sipfleet.provision.vobiz) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.vobiz
  idempotent:
    support: full
    details: Reads only.
options:
  name:
    description: Only the trunks with this name (Vobiz does not keep trunk names unique).
    type: str
  trunk_id:
    description: Only the trunk with this id (an empty list when there is none).
    type: str
  query:
    description:
      - A JMESPath expression applied to RV(trunks); its value is returned in RV(query_result),
        for example V([?trunk_status=='active'].trunk_domain).
      - Needs the Python library C(jmespath). An invalid expression fails before any request.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: sipfleet.provision.vobiz_trunk
'''

EXAMPLES = r'''
- name: Every trunk of the account
  sipfleet.provision.vobiz_trunk_info:
    auth_id: "{{ vault_vobiz_auth_id }}"
    auth_token: "{{ vault_vobiz_auth_token }}"
  register: trunks
  delegate_to: localhost

- name: The domain of the trunk named intercoms (connection options from the environment)
  sipfleet.provision.vobiz_trunk_info:
    name: intercoms
    query: "[0].trunk_domain"
  register: intercoms
  delegate_to: localhost

- name: One trunk by id
  sipfleet.provision.vobiz_trunk_info:
    trunk_id: aabbccdd-1234-5678-90ab-cdef12345678
  register: one
  delegate_to: localhost
'''

RETURN = r'''
trunks:
  description: The trunks, in the API's order, as it returns them.
  returned: success
  type: list
  elements: dict
  sample:
    - trunk_id: aabbccdd-1234-5678-90ab-cdef12345678
      account_id: MA_XXXXXXXX
      name: intercoms
      trunk_domain: aabbccdd-1234-5678-90ab-cdef12345678.sip.vobiz.ai
      trunk_status: active
      trunk_direction: outbound
      concurrent_calls_limit: 10
      cps_limit: 2
      transport: udp
      secure: false
      credential_uuid: 11223344-5566-7788-99aa-bbccddeeff00
query_result:
  description: The value of O(query) applied to RV(trunks) (any JSON type).
  returned: when O(query) is set
  type: raw
  sample: aabbccdd-1234-5678-90ab-cdef12345678.sip.vobiz.ai
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 401
error_code:
  description: The service's error code of the failed request, when it gave one.
  returned: failure, when the service gave one
  type: str
  sample: UNAUTHORIZED
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz_trunk import VOBIZ_TRUNK_INFO


def main():
    run_module(VOBIZ_TRUNK_INFO)


if __name__ == '__main__':
    main()
