# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of a BAS-IP panel's HTTP API.
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the panel's web interface, for example V(http://192.0.2.10) or V(https://panel-3.example.net:8443).
      - A URL with credentials in it (V(http://admin:secret@192.0.2.10)) is refused before any request - the web
        interface's user and password go in O(api_username) and O(api_password).
      - If not set, the value of the E(BASIP_API_URL) environment variable is used.
    type: str
    required: true
  api_username:
    description:
      - Web interface user. Factory default V(admin).
      - If not set, the value of the E(BASIP_API_USERNAME) environment variable is used.
    type: str
    default: admin
  api_password:
    description:
      - Web interface password (factory default C(123456)). Sent only as its MD5 digest, as the
        panel's login requires; neither it nor the digest appears in output or errors.
      - The login is sent once per task and never retried when the panel refuses it (after 5 failed
        logins a panel locks the host out, HTTP 429, for a time that grows with each lock-out, and every
        attempt meanwhile lengthens it). A refused login fails the task naming this option; a lock-out
        fails it with the seconds the panel says are left.
      - If not set, the value of the E(BASIP_API_PASSWORD) environment variable is used.
    type: str
    required: true
  api_version:
    description:
      - API path version. V(v1) for current panel firmware (multi-apartment panels 3.9.0 and later,
        individual panels 3.0.0 and later); V(v0) for older panel firmware with the same resources
        and for Android monitors.
      - If not set, the version of O(api_family) (V(v0) for V(android_monitor), else V(v1)); with
        O(api_family=auto), V(v1), so set V(v0) for an Android monitor.
    type: str
    choices: [v0, v1]
  api_family:
    description:
      - The firmware family, whose SIP schema and rules apply (see the collection's
        C(docs/basip-families.md) for each family's facts and their sources).
      - V(panel), Android and multi-apartment outdoor panels (C(outbound), the SIP switch
        C(/device/sip/enable), the status C(/sip/status)); V(android_monitor), Android indoor monitors
        (API C(/v0); SIP on/off is the settings' C(enable) key; no status call);
        V(camdroid_monitor), Camdroid indoor monitors (C(h264) kept on every write, passwords of
        1 to 31 characters, no C(user_id), no SIP switch or status call).
      - V(auto) detects the family from the panel's SIP settings answer, which each family documents
        (a C(h264) key means a Camdroid monitor, C(enable) with C(timeout) an Android monitor, anything
        else a panel), at no extra request. Values are checked before any request against the rules of some family,
        and against the detected family's before anything is written.
    type: str
    choices: [auto, panel, android_monitor, camdroid_monitor]
    default: auto
'''
