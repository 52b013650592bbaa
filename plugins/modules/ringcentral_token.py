#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ringcentral_token
short_description: Get a RingCentral access token once, or revoke one
version_added: 0.1.0
description:
  - With O(state=present), gets one access token with the JWT-bearer grant
    (C(POST /restapi/oauth/token), O(client_id), O(client_secret), O(jwt)) and returns it, so that every
    RingCentral task of a play can use it (O(access_token)) instead of getting and revoking its own;
    RingCentral allows 5 token requests per user and minute (C(Auth) rate-limit group), then a penalty.
  - With O(state=absent), revokes O(access_token) (C(POST /restapi/oauth/revoke), once, never retried).
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
    details:
      - O(state=present) gets the token in check mode too (a login changes nothing RingCentral holds
        for the account, and the tasks of a check-mode run need it to read).
      - O(state=absent) sends nothing in check mode and reports a change.
  diff_mode:
    support: none
    details: There is no state to compare.
  idempotent:
    support: partial
    details:
      - O(state=present) reports no change and returns a new token on every run.
      - O(state=absent) reports a change on every run; RingCentral's revocation does not say whether the
        token was still valid.
  action_group:
    description: Use C(group/sipfleet.provision.ringcentral) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.ringcentral
options:
  state:
    description:
      - V(present) gets a token; V(absent) revokes O(access_token) (it needs O(client_id) and
        O(client_secret) too, the revocation authenticates the client).
      - With V(present), O(access_token) is ignored.
    type: str
    choices: [present, absent]
    default: present
notes:
  - "The result holds the token: put C(no_log: true) on the task. A token obtained here is not revoked at
    the end of the task; revoke it with O(state=absent) at the end of the play (in an C(always) section,
    so that it is revoked also when a host failed); it expires on its own after RV(expires_in) seconds."
seealso:
  - name: RingCentral JWT auth flow
    description: How to create the app and the JWT credential.
    link: https://developers.ringcentral.com/guide/authentication/jwt-flow
  - name: RingCentral API rate limits
    description: The Auth, Light and Heavy usage-plan groups.
    link: https://developers.ringcentral.com/guide/basics/rate-limits
  - module: sipfleet.provision.sip_provision_info
  - module: sipfleet.provision.ringcentral_device_info
'''

EXAMPLES = r'''
- name: One token for the play, revoked at its end also when a host failed
  run_once: true
  delegate_to: localhost
  module_defaults:
    group/sipfleet.provision.ringcentral:
      client_id: "{{ vault_rc_client_id }}"
      client_secret: "{{ vault_rc_client_secret }}"
      jwt: "{{ vault_rc_jwt }}"
  block:
    - name: Get the token
      sipfleet.provision.ringcentral_token:
      register: rc_token
      no_log: true

    - name: Identities of every device with that token
      sipfleet.provision.sip_provision_info:
        access_token: "{{ rc_token.access_token }}"
        device_ids: "{{ rc_device_ids }}"
        include_secrets: true
      register: rc_identities
      no_log: true
  always:
    - name: Revoke the token
      sipfleet.provision.ringcentral_token:
        state: absent
        access_token: "{{ rc_token.access_token }}"
      when: rc_token.access_token is defined
'''

RETURN = r'''
access_token:
  description: The access token (a secret; put C(no_log) on the task).
  returned: when O(state=present)
  type: str
  sample: U1BCMDFUMDRKV1MwMXxzLFSvXdw5PHMsVLEn_MrtcyxUsw
expires_in:
  description: Seconds the token is valid for.
  returned: when O(state=present)
  type: int
  sample: 3600
token_type:
  description: The token type (C(bearer)).
  returned: when O(state=present)
  type: str
  sample: bearer
scope:
  description: The app's permissions the token carries, space-separated.
  returned: when O(state=present)
  type: str
  sample: VoipCalling ReadAccounts
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 429
error_code:
  description: RingCentral's C(errorCode) of the failed request, for example C(OAU-140) or C(CMN-301).
  returned: failure, when RingCentral gave one
  type: str
  sample: OAU-140
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import RINGCENTRAL_TOKEN
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module


def main():
    run_module(RINGCENTRAL_TOKEN)


if __name__ == '__main__':
    main()
