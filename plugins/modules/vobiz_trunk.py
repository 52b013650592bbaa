#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vobiz_trunk
short_description: A SIP trunk of a Vobiz account, with its credential, IP ACL and origination URIs
version_added: 0.1.0
description:
  - Makes one SIP trunk of a Vobiz account present, with the given settings and attachments, or absent.
  - The trunk is found by O(trunk_id), or else by O(name) in the account's trunk list
    (ceil(trunks / min(O(page_size), 100)) requests; the API allows at most 100 per page). Trunk names
    are not unique in Vobiz; when several trunks carry O(name) the task fails and lists their ids.
  - Options carry the API's names (C(trunk_direction), C(concurrent_calls_limit), C(credential_uuid), ...),
    so the returned RV(trunk), the diff and the task read alike.
  - A credential is attached from the trunk side, through the trunk's single C(credential_uuid)
    (the official Vobiz MCP server says of a new credential "attach it to a trunk afterwards with
    update_sip_trunk (credential_uuid)"). Name it by user name with O(credential) or by id with
    O(credential_uuid).
  - A new trunk is created with the newest API body (C(name), C(trunk_type), C(max_concurrent_calls));
    a server that refuses it gets the older body (C(name) and the optional fields). The settings the
    create could not carry are then written by one update. If that update fails, the task reports
    C(changed) with the created trunk and fails with what was not written; a rerun finishes the job.
  - An update sends only the changed fields; when the server demands the replacing body of the newest
    docs (C(name), C(max_concurrent_calls), C(enabled) on every update) the update is sent once more in
    that form (the refused request changed nothing).
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
      - Reads only. C(changes) and the diff are those a real run would produce; a trunk created in check
        mode has no C(trunk_id) or C(trunk_domain) yet, and a credential named by O(credential) that does
        not exist yet reads as C((id of credential NAME)).
  diff_mode:
    support: full
    details:
      - Shows the trunk's attributes before and after, without the service's timestamps. For a delete, the
        before side also lists under C(credentials) the user names of the credentials Vobiz deletes with the
        trunk.
  idempotent:
    support: full
    details:
      - Compares only the options that are set; a second run sends no write.
  action_group:
    description: Use C(group/sipfleet.provision.vobiz) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.vobiz
options:
  name:
    description:
      - The trunk's name, 1 to 255 printable characters. Finds the trunk unless O(trunk_id) is given;
        with O(trunk_id) it renames the trunk.
    type: str
    required: true
  trunk_id:
    description:
      - The id of an existing trunk (the service chooses it when it creates one). Use it when several
        trunks share O(name), or to rename a trunk.
    type: str
  state:
    description:
      - V(present) creates or updates the trunk; V(absent) deletes it.
      - Deleting a trunk with active calls fails (HTTP 409); one the server no longer knows (HTTP 404) is
        "already absent".
      - Vobiz deletes the credentials, the IP ACL entries and the origination URIs attached to a trunk with
        it (U(https://docs.vobiz.ai/trunks/delete-trunk)). A trunk with a credential attached is deleted only
        with O(delete_credentials=true); the task names the credentials by user name (RV(deleted_credentials)).
        To keep them, detach the credential first (O(credential_uuid="")) or disable the trunk
        (O(trunk_status=inactive)) instead.
    type: str
    choices: [present, absent]
    default: present
  delete_credentials:
    description:
      - With O(state=absent), confirms that the credentials attached to the trunk are deleted with it (Vobiz
        deletes them with the trunk; devices that register with them lose their access).
      - With V(false), the task fails before anything is deleted when the trunk has a credential attached,
        naming the credentials; in check mode it warns instead, and the diff names them.
      - Ignored with O(state=present).
    type: bool
    default: false
  description:
    description: Free text about the trunk.
    type: str
  trunk_direction:
    description:
      - Direction of the calls the trunk carries. A new trunk is V(outbound) unless told.
      - The newest create body knows only inbound and outbound; V(both) is then set by the follow-up update.
    type: str
    choices: [inbound, outbound, both]
  transport:
    description: SIP transport. A new trunk uses V(udp).
    type: str
    choices: [udp, tcp]
  secure:
    description: TLS signalling and SRTP media. A new trunk is not secure.
    type: bool
  concurrent_calls_limit:
    description: The most simultaneous calls (at least 1). A new trunk allows 10.
    type: int
  cps_limit:
    description: The most new calls per second (at least 1). A new trunk allows 2.
    type: int
  trunk_status:
    description:
      - V(inactive) refuses calls without deleting the trunk. A new trunk is V(active).
      - Sent as C(enabled) on updates and as C(trunk_status=enabled|disabled) by the older create body.
    type: str
    choices: [active, inactive]
  credential:
    description:
      - The user name of the credential to attach (see M(sipfleet.provision.vobiz_credential)); the task
        looks it up and sets C(credential_uuid) to its id. The credential must exist.
      - Mutually exclusive with O(credential_uuid).
    type: str
  credential_uuid:
    description:
      - The id of the credential to attach; V("") detaches the trunk's credential.
      - A trunk has one C(credential_uuid); attaching another credential replaces it.
    type: str
  ipacl_uuid:
    description:
      - The id of the IP ACL to attach (IPv4 addresses or CIDRs allowed to use the trunk; with a
        credential attached too, both must pass). V("") detaches it.
    type: str
  primary_uri_uuid:
    description: The id of the origination URI calls are sent to first; V("") detaches it.
    type: str
  fallback_uri_uuid:
    description: The id of the origination URI used when the primary one fails; V("") detaches it.
    type: str
notes:
  - Sources of the API facts this module relies on are Vobiz's API reference (U(https://docs.vobiz.ai/trunks))
    and the official Vobiz MCP server, as the docs of module_utils/_vobiz_trunk.py list them.
seealso:
  - module: sipfleet.provision.vobiz_trunk_info
  - module: sipfleet.provision.vobiz_credential
  - name: Vobiz trunk API
    description: The trunk object, create, update and delete.
    link: https://docs.vobiz.ai/trunks/trunk-object
'''

EXAMPLES = r'''
- name: The fleet's trunk, with the panels' credential attached
  sipfleet.provision.vobiz_trunk:
    auth_id: "{{ vault_vobiz_auth_id }}"
    auth_token: "{{ vault_vobiz_auth_token }}"
    name: intercoms
    trunk_direction: outbound
    transport: udp
    concurrent_calls_limit: 20
    cps_limit: 2
    credential: fleetlobby
  delegate_to: localhost
  register: trunk

- name: Register a panel to the domain Vobiz generated for the trunk
  sipfleet.provision.basip_sip:
    proxy: "sip:{{ trunk.trunk.trunk_domain }}"
    realm: "{{ vault_vobiz_auth_id }}.sip.vobiz.ai"
    user: fleetlobby
    password: "{{ vault_trunk_passwords['lobby'] }}"
  delegate_to: localhost

- name: Allow only the office's addresses and route through a PBX (ids from your IP ACL and URIs)
  sipfleet.provision.vobiz_trunk:
    name: intercoms
    ipacl_uuid: 3f0a1c2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b
    primary_uri_uuid: 7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
  delegate_to: localhost

- name: Stop calls without deleting anything (connection options from the environment)
  sipfleet.provision.vobiz_trunk:
    name: intercoms
    trunk_status: inactive
  delegate_to: localhost

- name: Rename one of two trunks of the same name
  sipfleet.provision.vobiz_trunk:
    trunk_id: 99887766-1234-5678-90ab-cdef12345678
    name: intercoms-old
  delegate_to: localhost

- name: Detach the credential
  sipfleet.provision.vobiz_trunk:
    name: intercoms
    credential_uuid: ""
  delegate_to: localhost

- name: Delete a trunk without a credential attached
  sipfleet.provision.vobiz_trunk:
    name: intercoms-test
    state: absent
  delegate_to: localhost

- name: Delete the trunk and, with it, the credentials attached to it (Vobiz deletes them)
  sipfleet.provision.vobiz_trunk:
    name: intercoms
    state: absent
    delete_credentials: true
  delegate_to: localhost
  register: deleted
  # deleted.deleted_credentials: ['fleetlobby']
'''

RETURN = r'''
trunk:
  description:
    - The trunk after the task (in check mode, what it would be), as the API returns it. Empty when
      O(state=absent).
    - Attachment keys (C(credential_uuid), C(ipacl_uuid), C(primary_uri_uuid), C(fallback_uri_uuid))
      are present only when something is attached. Fields the API adds are included.
  returned: success
  type: dict
  contains:
    trunk_id:
      description: The trunk's id (missing for a trunk created in check mode).
      type: str
      sample: aabbccdd-1234-5678-90ab-cdef12345678
    trunk_domain:
      description: The SIP domain Vobiz generated, C({trunk_id}.sip.vobiz.ai); devices register to it.
      type: str
      sample: aabbccdd-1234-5678-90ab-cdef12345678.sip.vobiz.ai
    name:
      description: The trunk's name.
      type: str
      sample: intercoms
    trunk_status:
      description: V(active) or V(inactive).
      type: str
      sample: active
    credential_uuid:
      description: The id of the attached credential.
      type: str
      sample: 11223344-5566-7788-99aa-bbccddeeff00
  sample:
    trunk_id: aabbccdd-1234-5678-90ab-cdef12345678
    account_id: MA_XXXXXXXX
    name: intercoms
    trunk_domain: aabbccdd-1234-5678-90ab-cdef12345678.sip.vobiz.ai
    trunk_status: active
    secure: false
    trunk_direction: outbound
    concurrent_calls_limit: 20
    cps_limit: 2
    transport: udp
    credential_uuid: 11223344-5566-7788-99aa-bbccddeeff00
    description: ""
    created_at: "2026-03-25T08:52:02.383938Z"
    updated_at: "2026-03-25T08:52:02.383938Z"
deleted_credentials:
  description:
    - With O(state=absent), the user names of the credentials attached to the trunk, which Vobiz deletes
      with it (in check mode and when the task refuses, those it would delete). Empty when none is attached
      or the trunk does not exist.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: [fleetlobby]
changes:
  description:
    - The attributes the task wrote (for a create, every option set). Empty for a delete.
  returned: success
  type: list
  elements: str
  sample: [credential_uuid, cps_limit]
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 409
error_code:
  description: The service's error code of the failed request, when it gave one.
  returned: failure, when the service gave one
  type: str
  sample: TRUNK_IN_USE
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module
from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz_trunk import VOBIZ_TRUNK


def main():
    run_module(VOBIZ_TRUNK)


if __name__ == '__main__':
    main()
