#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: sip_provision_info
short_description: SIP identity RingCentral issues for a device (registers the device anew)
version_added: 0.1.0
description:
  - "B(Not read-only, despite its C(_info) name:) every call outside check mode registers the device
    anew on RingCentral's side: RingCentral mints a fresh C(authorization_id) and may rotate the SIP
    password, so a device configured from an earlier answer may have to be configured again. The
    result lists the registered devices in RV(registered). Check mode registers nothing."
  - Gets the SIP identity (user name, password, authorization ID, domain, outbound proxies, transport,
    STUN servers) that RingCentral issues for a device, so that playbooks can configure devices with it,
    for example a BAS-IP panel through the P(sipfleet.provision.basip_sip_options#filter) filter and
    M(sipfleet.provision.basip_sip).
  - Calls RingCentral's "Register Device" API (C(POST /restapi/v1.0/client-info/sip-provision)) once
    per device (O(device_id) for one, O(device_ids) for many with one token). Authentication is the
    JWT-bearer grant (O(client_id), O(client_secret), O(jwt)) or a ready O(access_token) (for example
    from M(sipfleet.provision.ringcentral_token)).
  - Requests per run, with the JWT credentials, are one token request, one sip-provision per device and
    one token revocation; with O(access_token), one sip-provision per device.
  - "B(Pacing.) The calls are paced by RingCentral's C(X-Rate-Limit-*) answer headers: when a group has
    no request left in its window, the next call of that group waits for the window to pass (10
    sip-provision calls per minute by default), so that normal operation never earns a 429. Each call's
    group is the one RingCentral's answers name (C(X-Rate-Limit-Group), compared without regard to case:
    RingCentral answers C(heavy)), not a fixed table. Every wait is listed in RV(rate_limit_waits)."
  - Device ids are checked before any request (1 to 20 digits, as RingCentral's ids are).
  - An expired token (HTTP 401 C(OAU-128)) is replaced once and the call repeated. A 429 answer is
    retried after its C(Retry-After) (60 s when the header is missing), as long as that is within
    O(retry_max_wait); nothing is sent while RingCentral's penalty runs. 502, 503 and 504 are retried
    with backoff. Failures report RingCentral's C(errorCode) and message; the message of a failed call for a
    device starts with C(device) and its ID, as RingCentral's messages name only the parameter.
  - Unknown fields in the answer are ignored and unknown enumeration values are returned as they are.
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
      - Check mode registers nothing (no sip-provision). It lists in RV(would_register) what a real run
        would register and returns, for each device id, the identity RingCentral holds now, read with
        C(GET /restapi/v1.0/account/~/device/{deviceId}/sip-info) (C(ReadAccounts) permission, with the
        user name, password, authorization ID, domain and outbound proxy, but no transport, STUN servers
        or flags).
      - The module never reports a change.
  diff_mode:
    support: none
    details: The module changes nothing it manages.
  idempotent:
    support: partial
    details:
      - Always C(changed=false), and the device's SIP settings stay the same. But every call is a
        registration on RingCentral's side that returns a fresh C(authorization_id) and may rotate the
        SIP password (see the notes).
  action_group:
    description: Use C(group/sipfleet.provision.ringcentral) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - sipfleet.provision.ringcentral
options:
  device_id:
    description:
      - RingCentral's ID of the device (for example V(802398804016)), as returned in RV(device.id).
      - Without it (and without O(device_ids)), RingCentral may register a B(new) device on every call;
        the module then warns.
      - Mutually exclusive with O(device_ids).
    type: str
  device_ids:
    description:
      - RingCentral's IDs of many devices, with one token and one paced sip-provision per device. The
        identities are returned in RV(identities), keyed by device ID. Duplicates are asked once.
      - A device RingCentral refuses (an unknown ID) is listed in RV(errors) and warned about; the others
        are still provisioned. Any other failure (credentials, permission, rate limit) fails the task.
    type: list
    elements: str
  transport:
    description:
      - The SIP transport the identity is for. BAS-IP panels speak V(UDP), V(TCP) and V(TLS); V(WSS) is
        for WebRTC clients.
    type: str
    choices: [UDP, TCP, TLS, WSS]
    default: UDP
  soft_phone_line_reassignment:
    description:
      - RingCentral's C(softPhoneLineReassignment), for softphone clients only. Not sent when unset
        (RingCentral then uses V(None)).
    type: str
    choices: ['None', Initialize, Reassign]
  include_secrets:
    description:
      - Return the SIP C(password) and the TLS C(certificate) of each identity.
      - With V(false), they are replaced by C(<hidden>) (when RingCentral returned them).
      - "Set V(true) only when the next task needs the password, and then put C(no_log: true) on this
        task: the password is part of its result."
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the result (the keys RV(sip_info), RV(sip_info_pstn),
        RV(sip_flags), RV(device), RV(polling_interval), RV(sip_error_codes),
        RV(persist_gateway_configured)); its value is returned in RV(query_result), for example
        V(sip_info[0].outbound_proxy).
      - Needs the Python library C(jmespath). An invalid expression fails before any request.
    type: str
requirements:
  - jmespath (for O(query))
notes:
  - "B(Side effects.) Every call registers the device anew: RingCentral mints a fresh C(authorization_id)
    and may rotate the SIP password, so a device configured from an earlier answer may have to be
    configured again. Without O(device_id), RingCentral may register a new device each time."
  - "B(Keep calls few.) The call is in RingCentral's C(Heavy) rate-limit group (10 calls per user and
    minute, then a 60 s penalty that every further call restarts), the token request in the C(Auth)
    group (5 a minute). Make one task for all devices, not one per host: O(device_ids) with
    C(run_once: true) and C(delegate_to: localhost), and let each host take its identity from
    RV(identities). Call again only after RV(polling_interval) seconds, or when a device must be
    re-provisioned."
  - The read-only C(GET /restapi/v1.0/account/~/device/{deviceId}/sip-info) is what check mode uses; it
    returns no transport, STUN servers or flags (see M(sipfleet.provision.ringcentral_device_info)).
seealso:
  - name: RingCentral API reference, Register Device
    description: The C(client-info/sip-provision) call.
    link: https://developers.ringcentral.com/api-reference/Device-SIP-Registration/createSIPRegistration
  - name: RingCentral JWT auth flow
    description: How to create the app and the JWT credential.
    link: https://developers.ringcentral.com/guide/authentication/jwt-flow
  - module: sipfleet.provision.basip_sip
'''

EXAMPLES = r'''
- name: SIP identity of one device, credentials from the environment (RINGCENTRAL_CLIENT_ID, ...)
  sipfleet.provision.sip_provision_info:
    device_id: "802398804016"
  register: rc
  run_once: true
  delegate_to: localhost

- name: Get the identity once and configure the panel with it
  run_once: true
  delegate_to: localhost
  block:
    - name: Identity with its password (no_log, the result holds the password)
      sipfleet.provision.sip_provision_info:
        client_id: "{{ vault_rc_client_id }}"
        client_secret: "{{ vault_rc_client_secret }}"
        jwt: "{{ vault_rc_jwt }}"
        device_id: "{{ rc_device_id }}"
        transport: TLS
        include_secrets: true
      register: rc
      no_log: true

    - name: Configure the BAS-IP panel
      sipfleet.provision.basip_sip: "{{ rc.sip_info[0] | sipfleet.provision.basip_sip_options
        | combine({'api_url': panel_url, 'api_password': vault_panel_web_password}) }}"

- name: One paced task for the whole fleet (run_once registers rc_all for every host)
  sipfleet.provision.sip_provision_info:
    device_ids: "{{ groups['panels'] | map('extract', hostvars, 'rc_device_id') | list }}"
    include_secrets: true
  register: rc_all
  run_once: true
  delegate_to: localhost
  no_log: true

- name: Each host takes its own identity
  ansible.builtin.set_fact:
    rc_identity: "{{ rc_all.identities[rc_device_id].sip_info[0] }}"
  no_log: true

- name: One token for the play (the Auth group allows 5 token requests a minute)
  run_once: true
  delegate_to: localhost
  block:
    - name: Get a token with the JWT-bearer grant
      sipfleet.provision.ringcentral_token:
      register: rc_token
      no_log: true

    - name: Identities of every device with that token
      sipfleet.provision.sip_provision_info:
        access_token: "{{ rc_token.access_token }}"
        device_ids: "{{ rc_device_ids }}"
      register: identities
  always:
    - name: Revoke the token
      sipfleet.provision.ringcentral_token:
        state: absent
        access_token: "{{ rc_token.access_token }}"
      when: rc_token.access_token is defined

- name: A ready access token (no token request, no revocation)
  sipfleet.provision.sip_provision_info:
    server_url: https://platform.devtest.ringcentral.com
    access_token: "{{ vault_rc_access_token }}"
    device_id: "802398804016"
    query: sip_info[0].outbound_proxy
  register: proxy
  delegate_to: localhost

- name: Connection options once for the group
  module_defaults:
    group/sipfleet.provision.ringcentral:
      client_id: "{{ vault_rc_client_id }}"
      client_secret: "{{ vault_rc_client_secret }}"
      jwt: "{{ vault_rc_jwt }}"
      retry_max_wait: 120
  block:
    - name: PSTN identities of a softphone line
      sipfleet.provision.sip_provision_info:
        device_id: "{{ softphone_id }}"
        soft_phone_line_reassignment: Initialize
        query: sip_info_pstn
      register: pstn
      delegate_to: localhost
'''

RETURN = r'''
identities:
  description:
    - With O(device_ids), the result of each device that RingCentral answered, keyed by device ID; each
      value has the keys RV(sip_info), RV(sip_info_pstn), RV(sip_flags), RV(device), RV(polling_interval),
      RV(sip_error_codes) and RV(persist_gateway_configured) as described for one device.
  returned: when O(device_ids) is set
  type: dict
  sample: {"802398804016": {"sip_info": [{"username": "17203861294*115", "domain": "sip.ringcentral.com"}]}}
errors:
  description: With O(device_ids), the devices RingCentral refused (for example an unknown ID) and why.
  returned: when O(device_ids) is set
  type: dict
  sample: {"802398809999": "device 802398809999: POST https://platform.ringcentral.com/restapi/v1.0/client-info/sip-provision:
            Resource for parameter [device.id] is not found (HTTP 400, CMN-102)"}
registered:
  description:
    - Outside check mode, the device IDs this run registered anew, each with a freshly minted identity
      (V(null) for a device registered without O(device_id)). A device listed in RV(errors) is not in it.
  returned: success, when not in check mode
  type: list
  elements: str
  sample: ["802398804016"]
would_register:
  description: In check mode, the device IDs a real run would register (V(null) for a new device).
  returned: in check mode
  type: list
  elements: str
  sample: ["802398804016"]
rate_limit_waits:
  description: Every wait the pacing made (which rate-limit group, how long, before which request).
  returned: success
  type: list
  elements: str
  sample: ["waited 60.25s for the RingCentral heavy rate-limit window before POST /restapi/v1.0/client-info/sip-provision"]
sip_info:
  description:
    - SIP identities for the device (RingCentral's C(sipInfo), items of type C(SipInfoResponse)). Every
      item has exactly the keys below; a key RingCentral did not return is V(null).
  returned: success, when O(device_ids) is not set
  type: list
  elements: dict
  contains:
    username:
      description: SIP user name.
      type: str
      sample: "17203861294*115"
    password:
      description:
        - SIP password; C(<hidden>) unless O(include_secrets=true). Not returned by RingCentral when
          C(SipDigest) is not enabled.
      type: str
      sample: <hidden>
    authorization_types:
      description: Supported authorization types in priority order (C(SipDigest), C(BearerToken)).
      type: list
      elements: str
      sample: [SipDigest]
    authorization_id:
      description: Identifier for SIP authorization (the SIP authentication user). New on every call.
      type: str
      sample: "802398804016"
    domain:
      description: SIP domain (realm).
      type: str
      sample: sip.ringcentral.com
    outbound_proxy:
      description: SIP outbound proxy, C(host:port).
      type: str
      sample: sip112-191.ringcentral.com:5090
    outbound_proxy_i_pv6:
      description: SIP outbound IPv6 proxy, C(host:port).
      type: str
    outbound_proxy_backup:
      description: Backup SIP outbound proxy, C(host:port).
      type: str
      sample: sip112-192.ringcentral.com:5090
    outbound_proxy_i_pv6_backup:
      description: Backup SIP outbound IPv6 proxy, C(host:port).
      type: str
    transport:
      description: Transport of this identity (C(UDP), C(TCP), C(TLS), C(WSS), or a value added later).
      type: str
      sample: UDP
    certificate:
      description: Base64 certificate, TLS only; C(<hidden>) unless O(include_secrets=true).
      type: str
    switch_back_interval:
      description: Seconds after which a client on the backup proxy tries the primary one again.
      type: int
      sample: 3600
    stun_servers:
      description: STUN servers, C(host:port).
      type: list
      elements: str
      sample: ["stun1.ringcentral.com:19302"]
sip_info_pstn:
  description:
    - SIP PSTN identities (RingCentral's C(sipInfoPstn)), with the same keys as RV(sip_info). An empty
      list when RingCentral returned none.
  returned: success, when O(device_ids) is not set
  type: list
  elements: dict
sip_flags:
  description: RingCentral's C(sipFlags), keys in snake_case (unknown keys included).
  returned: success, when O(device_ids) is not set
  type: dict
  sample:
    voip_feature_enabled: true
    voip_country_blocked: false
    outbound_calls_enabled: true
    dscp_enabled: false
    dscp_signaling: 26
    dscp_voice: 46
    dscp_video: 34
device:
  description: The registered device (RingCentral's C(device)), keys in snake_case (unknown keys included).
  returned: success, when O(device_ids) is not set
  type: dict
  contains:
    id:
      description: RingCentral's ID of the device (the O(device_id) to use next time).
      type: str
      sample: "802398804016"
  sample:
    id: "802398804016"
    type: OtherPhone
    status: Online
    extension: {id: 1115000000, extension_number: "115"}
polling_interval:
  description: Seconds after which RingCentral suggests calling again; V(null) when not returned.
  returned: success, when O(device_ids) is not set
  type: int
  sample: 86400
sip_error_codes:
  description: SIP response codes on which a client should call again (RingCentral's C(sipErrorCodes)).
  returned: success, when O(device_ids) is not set
  type: list
  elements: str
  sample: ["408", "502", "503", "504"]
persist_gateway_configured:
  description:
    - Whether the user has an app device configured in a PSTN gateway; V(null) when not returned.
  returned: success, when O(device_ids) is not set
  type: bool
query_result:
  description: The value O(query) selected (any type; V(null) when nothing matched).
  returned: when O(query) is set
  type: raw
  sample: sip112-191.ringcentral.com:5090
status:
  description: HTTP status of the failed request.
  returned: failure, when a request failed
  type: int
  sample: 403
error_code:
  description: RingCentral's C(errorCode) of the failed request, for example C(CMN-401) or C(OAU-128).
  returned: failure, when RingCentral gave one
  type: str
  sample: CMN-401
'''

from ansible_collections.sipfleet.provision.plugins.module_utils._runner import run_module
from ansible_collections.sipfleet.provision.plugins.module_utils._ringcentral_tasks import SIP_PROVISION_INFO


def main():
    run_module(SIP_PROVISION_INFO)


if __name__ == '__main__':
    main()
