#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vobiz_credential
short_description: A SIP-trunk credential of a Vobiz account
version_added: 0.1.0
description:
  - Makes one SIP-trunk credential (digest user name and password) of a Vobiz account present,
    with the given O(enabled) and O(description), or absent.
  - The credential is found by its O(username) in the account's credential list (the API has no
    read of one credential); a task walks the list, ceil(credentials / O(page_size)) requests, then
    sends only what must change.
  - A new credential is created with O(username) and O(password) only (what every API version
    accepts); O(enabled) and O(description) are then written by one update when they differ from
    the created credential.
  - If the create answers that the user name exists (HTTP 409, a concurrent run or an out-of-band
    create), the list is read again and the existing credential is adopted and updated.
  - To declare every credential of a fleet in one task, use M(sipfleet.provision.vobiz_credential_set).
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
    details:
      - Reads only. The returned C(changes) and diff are those a real run would produce; a credential
        created in check mode has no C(id) yet.
  diff_mode:
    support: full
    details:
      - Shows C(username), C(enabled) and C(description). The password is never shown; when the run
        sends it, the diff shows C(password) as C(<hidden, sent>).
  idempotent:
    support: full
    details:
      - With O(update_password=always) every run sends the password, and so reports a change.
  action_group:
    description: Use C(group/sipfleet.provision.vobiz) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.vobiz
options:
  username:
    description:
      - The credential's user name, unique in the account and immutable (to rename, create the new
        credential and delete the old one).
      - 1 to 255 of the characters Vobiz allows in a user name, "letters, numbers, underscores,
        and hyphens only. No spaces or symbols" (docs.vobiz.ai/platform/sip/credentials), that is ASCII
        letters, digits, C(_) and C(-). Anything else (spaces, line breaks, other symbols, non-ASCII
        letters) fails before any request. Some API versions reject C(_) and C(-) with HTTP 400.
    type: str
    required: true
  password:
    description:
      - The credential's password, at least 8 characters (the Vobiz console also asks for 5 to 20
        characters with a special character).
      - Write-only; the API never returns it (it reads C(<redacted>)), so it is never compared, returned
        or shown. O(update_password) decides when it is sent.
      - Needed when the credential must be created, and with O(update_password=always).
    type: str
  enabled:
    description:
      - V(false) blocks authentication with the credential without deleting it.
      - Not set keeps the current value; a new credential is enabled.
    type: bool
  description:
    description:
      - Free text about the credential.
      - Compared only when the API returns a C(description) (the current API version does not), but
        sent with every update the task makes and after a create; with such a version the module
        can not see a later out-of-band change of it.
    type: str
  state:
    description:
      - V(present) creates or updates the credential; V(absent) deletes it.
      - Deleting a credential in use by active calls fails (HTTP 409); deleting one the server no
        longer knows (HTTP 404) is "already absent".
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - When O(password) is sent.
      - V(on_create) sends it only when the credential is created. Runs stay idempotent (the password
        can not be compared), but a password changed only in your variables never reaches an existing
        credential; the password of an adopted credential (created elsewhere) is left as it is.
      - V(always) sends it with an update on every run. Use it to rotate the password, or against an
        API version that requires the password on every update. Every run then writes, and so reports
        C(changed), even when nothing else differs.
    type: str
    choices: [always, on_create]
    default: on_create
notes:
  - A credential created whose follow-up update (O(enabled), O(description)) fails is reported; the task
    fails with C(changed=true), the created credential in RV(credential) and a message saying what was
    not written; a rerun writes it.
  - Some API versions require C(password) on every update; with such a version an update of O(enabled)
    or O(description) fails with an error saying so unless O(update_password=always).
seealso:
  - module: sipfleet.provision.vobiz_credential_set
  - module: sipfleet.provision.vobiz_credential_info
  - name: Vobiz API
    description: SIP trunk credentials.
    link: https://www.docs.vobiz.ai/
'''

EXAMPLES = r'''
- name: A credential for the office trunk
  sipfleet.provision.vobiz_credential:
    auth_id: "{{ vault_vobiz_auth_id }}"
    auth_token: "{{ vault_vobiz_auth_token }}"
    username: office1
    password: "{{ vault_trunk_passwords['office1'] }}"
    description: Office 1 PBX
  delegate_to: localhost

- name: Block a credential without deleting it (connection options from the environment)
  sipfleet.provision.vobiz_credential:
    username: office1
    enabled: false
  delegate_to: localhost

- name: Rotate a password (reports changed on every run)
  sipfleet.provision.vobiz_credential:
    username: office1
    password: "{{ new_trunk_password }}"
    update_password: always
  delegate_to: localhost

- name: Delete a credential
  sipfleet.provision.vobiz_credential:
    username: office1
    state: absent
  delegate_to: localhost

- name: Connection options written once for every Vobiz task
  module_defaults:
    group/sipfleet.provision.vobiz:
      auth_id: "{{ vault_vobiz_auth_id }}"
      auth_token: "{{ vault_vobiz_auth_token }}"
  block:
    - name: Report drift without writing (run with --check --diff)
      sipfleet.provision.vobiz_credential:
        username: office2
        password: "{{ vault_trunk_passwords['office2'] }}"
        enabled: true
      check_mode: true
      delegate_to: localhost
'''

RETURN = r'''
credential:
  description:
    - The credential after the task (in check mode, what it would be), as the API returns it but
      without its C(password). Empty when O(state=absent).
    - Fields the API adds are included. C(description) is missing when the API version does not
      return it and the task did not write it.
  returned: success, and on a failure after the create
  type: dict
  sample:
    id: aabbccdd-1234-5678-90ab-cdef12345678
    account_id: MA_XXXXXXXX
    username: office1
    realm: MA_XXXXXXXX.sip.vobiz.ai
    enabled: true
    description: Office 1 PBX
    created_at: "2026-05-12T05:11:51.635106Z"
    updated_at: "2026-05-12T05:11:51.635106Z"
changes:
  description:
    - The attributes the task wrote. A create lists every option set (C(username), C(password),
      and C(enabled), C(description) when given; those two go out in one update after the create
      when the created credential differs). Contains C(password) when O(update_password=always)
      sent it. Empty for a delete.
  returned: success
  type: list
  elements: str
  sample: [username, password, description]
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 409
error_code:
  description: The service's error code of the failed request, when it gave one.
  returned: failure, when the service gave one
  type: str
  sample: CREDENTIAL_IN_USE
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import VOBIZ_CREDENTIAL


def main():
    run_module(VOBIZ_CREDENTIAL)


if __name__ == '__main__':
    main()
