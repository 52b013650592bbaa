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
      - If not set, the value of the E(BASIP_API_PASSWORD) environment variable is used.
    type: str
    required: true
  api_version:
    description:
      - API path version. V(v1) for current firmware (multi-apartment panels 3.9.0 and later,
        individual panels 3.0.0 and later); V(v0) for older firmware with the same resources.
    type: str
    choices: [v0, v1]
    default: v1
'''
