#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vobiz_credential_info
short_description: SIP-trunk credentials of a Vobiz account
version_added: 0.1.0
description:
  - Lists the SIP-trunk credentials of a Vobiz account, or the one with O(username), without passwords
    (the API never returns them).
  - Walks the whole list, ceil(credentials / O(page_size)) requests (the API has no read of one credential).
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
  username:
    description: Only the credential with this user name (an empty list when there is none).
    type: str
  query:
    description:
      - A JMESPath expression applied to RV(credentials); its value is returned in RV(query_result),
        for example V([?enabled==`false`].username).
      - Needs the Python library C(jmespath). An invalid expression fails before any request.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: sipfleet.provision.vobiz_credential
  - module: sipfleet.provision.vobiz_credential_set
'''

EXAMPLES = r'''
- name: Every credential of the account
  sipfleet.provision.vobiz_credential_info:
    auth_id: "{{ vault_vobiz_auth_id }}"
    auth_token: "{{ vault_vobiz_auth_token }}"
  register: trunk_credentials
  delegate_to: localhost

- name: One credential (connection options from the environment)
  sipfleet.provision.vobiz_credential_info:
    username: office1
  register: office1
  delegate_to: localhost

- name: User names of the disabled credentials
  sipfleet.provision.vobiz_credential_info:
    query: "[?enabled==`false`].username"
  register: disabled
  delegate_to: localhost
'''

RETURN = r'''
credentials:
  description:
    - The credentials, in the API's order, as it returns them but without C(password).
      C(description) is present only when the API version returns it.
  returned: success
  type: list
  elements: dict
  sample:
    - id: aabbccdd-1234-5678-90ab-cdef12345678
      account_id: MA_XXXXXXXX
      username: office1
      realm: MA_XXXXXXXX.sip.vobiz.ai
      enabled: true
      created_at: "2026-05-12T05:11:51.635106Z"
      updated_at: "2026-05-12T05:11:51.635106Z"
query_result:
  description: The value of O(query) applied to RV(credentials) (any JSON type).
  returned: when O(query) is set
  type: raw
  sample: [office2, office7]
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
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import VOBIZ_CREDENTIAL_INFO


def main():
    run_module(VOBIZ_CREDENTIAL_INFO)


if __name__ == '__main__':
    main()
