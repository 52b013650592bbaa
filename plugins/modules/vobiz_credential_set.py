#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vobiz_credential_set
short_description: Every SIP-trunk credential a fleet owns in a Vobiz account, declared in one task
version_added: 0.1.0
description:
  - Makes the credentials listed in O(credentials) present as described (GitOps style), and with
    O(purge) deletes the credentials that are not listed but whose user name starts with
    O(purge_prefix).
  - Reads the account's credential list once (ceil(credentials / O(page_size)) requests), then sends
    one request per change; a converged run sends only the list requests. A create is one POST
    with user name and password, plus one update when O(credentials[].enabled) or
    O(credentials[].description) differ from the created credential.
  - Every listed credential is checked before any request, and every credential that must be created
    is checked for a password before any write, so bad input changes nothing.
  - Creates and updates come first, deletions last (a rename is a create and a delete).
  - A create that answers "user name exists" (HTTP 409) reads the list again and adopts the credential.
  - When a request fails after others were written (for example the update that follows a create),
    the task fails with C(changed) and the lists RV(added), RV(updated), RV(removed) of what was
    done, and says what was not; a rerun finishes the job.
  - Runs on the controller (delegate the task to V(localhost), or use the C(local) connection); the
    action plugin of the same name then runs it inside the controller process.
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.vobiz
  - sipfleet.provision.http_options
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: Reads only; C(added), C(updated), C(removed), C(untouched) and the diff are those a real run would produce.
  diff_mode:
    support: full
    details:
      - Before and after by user name, for the listed credentials and those O(purge) deletes
        (C(username), C(enabled), C(description)). Passwords are never shown; a password the run
        sends shows as C(<hidden, sent>).
  idempotent:
    support: full
    details:
      - With O(update_password=always) every run sends every password, and so reports a change.
  action_group:
    description: Use C(group/sipfleet.provision.vobiz) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.vobiz
options:
  credentials:
    description:
      - The credentials the fleet owns. Each user name may appear once.
      - An empty list with O(purge) deletes every credential in the O(purge_prefix) scope.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description:
          - User name, unique in the account and immutable, 1 to 255 ASCII letters, digits, C(_) and
            C(-), the characters Vobiz allows (docs.vobiz.ai/platform/sip/credentials); anything else
            fails before any request. Some API versions reject C(_) and C(-).
          - When O(purge_prefix) is set, it must start with it.
        type: str
        required: true
      password:
        description:
          - Password, at least 8 characters. Write-only, so never compared, returned or shown;
            O(update_password) decides when it is sent. Needed for a credential that must be created.
        type: str
      enabled:
        description: V(false) blocks authentication without deleting. Not set keeps the current value (new ones are enabled).
        type: bool
      description:
        description:
          - Free text. Compared only when the API returns C(description) (the current version does not);
            a new credential gets it by the update after its create.
        type: str
  purge:
    description:
      - Delete the credentials of the account that are not in O(credentials) and whose user name starts
        with O(purge_prefix). Credentials outside that scope are never deleted.
      - Needs O(purge_prefix).
    type: bool
    default: false
  purge_prefix:
    description:
      - The scope this set owns, the user name prefix of its credentials (for example V(fleet1)).
      - When set, every user name in O(credentials) must start with it (the task fails before any
        request otherwise), so that one set can never delete what another set declares, and
        O(purge) deletes only unlisted credentials with this prefix.
      - Must not be empty.
    type: str
  update_password:
    description:
      - When the passwords are sent.
      - V(on_create) sends a password only when its credential is created. Runs stay idempotent (a password
        can not be compared), but a password changed only in your variables never reaches an existing
        credential.
      - V(always) sends every listed password with an update on every run (each credential then needs
        a password). Use it to rotate passwords; every run writes every credential and reports C(changed).
    type: str
    choices: [always, on_create]
    default: on_create
  resend_password:
    description:
      - User names of O(credentials) whose password is sent with an update on this run whatever
        O(update_password) says, for example to repair a password rotation that was interrupted.
      - Each credential named is written and reported as C(updated), so the run is not idempotent
        for them; leave the list empty (the default) for idempotent runs.
    type: list
    elements: str
    default: []
seealso:
  - module: sipfleet.provision.vobiz_credential
  - module: sipfleet.provision.vobiz_credential_info
'''

EXAMPLES = r'''
- name: The trunk credentials of fleet 1, from Git; delete fleet 1 credentials no longer listed
  sipfleet.provision.vobiz_credential_set:
    auth_id: "{{ vault_vobiz_auth_id }}"
    auth_token: "{{ vault_vobiz_auth_token }}"
    credentials:
      - username: fleet1site01
        password: "{{ vault_trunk_passwords['fleet1site01'] }}"
        description: Site 01
      - username: fleet1site02
        password: "{{ vault_trunk_passwords['fleet1site02'] }}"
        enabled: false
    purge: true
    purge_prefix: fleet1
  delegate_to: localhost

- name: Declare credentials without deleting any (connection options from the environment)
  sipfleet.provision.vobiz_credential_set:
    credentials: "{{ trunk_credentials }}"
  delegate_to: localhost

- name: Rotate every password of the set (reports changed on every run)
  sipfleet.provision.vobiz_credential_set:
    credentials: "{{ trunk_credentials_with_new_passwords }}"
    update_password: always
  delegate_to: localhost

- name: Drift report of the set (nothing written)
  sipfleet.provision.vobiz_credential_set:
    credentials: "{{ trunk_credentials }}"
    purge: true
    purge_prefix: fleet1
  check_mode: true
  diff: true
  delegate_to: localhost
'''

RETURN = r'''
added:
  description: User names of the credentials created.
  returned: success, and on a failure after some writes
  type: list
  elements: str
  sample: [fleet1site03]
updated:
  description:
    - User names of the existing credentials updated (including a credential adopted after
      its create answered HTTP 409, when it had to be updated).
  returned: success, and on a failure after some writes
  type: list
  elements: str
  sample: [fleet1site02]
removed:
  description: User names of the credentials deleted by O(purge).
  returned: success, and on a failure after some writes
  type: list
  elements: str
  sample: [fleet1site09]
untouched:
  description: User names of the listed credentials that already matched.
  returned: success
  type: list
  elements: str
  sample: [fleet1site01]
credentials:
  description:
    - The listed credentials after the task (in check mode, what they would be), in the order of
      O(credentials), without passwords. A credential created in check mode has no C(id).
  returned: success
  type: list
  elements: dict
  sample:
    - id: aabbccdd-1234-5678-90ab-cdef12345678
      username: fleet1site01
      enabled: true
      description: Site 01
      realm: MA_XXXXXXXX.sip.vobiz.ai
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 429
error_code:
  description: The service's error code of the failed request, when it gave one.
  returned: failure, when the service gave one
  type: str
  sample: RATE_LIMIT_EXCEEDED
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import VOBIZ_CREDENTIAL_SET


def main():
    run_module(VOBIZ_CREDENTIAL_SET)


if __name__ == '__main__':
    main()
