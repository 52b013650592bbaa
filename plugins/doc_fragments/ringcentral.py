# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection and authentication options of the RingCentral REST API.
    DOCUMENTATION = r'''
options:
  server_url:
    description:
      - Base URL of the RingCentral platform.
      - If not set, the value of the E(RINGCENTRAL_SERVER_URL) environment variable is used.
    type: str
    default: https://platform.ringcentral.com
  client_id:
    description:
      - Client ID of the RingCentral app (JWT auth flow, permission C(VoipCalling)).
      - Used with O(client_secret) and O(jwt) to get an access token with the JWT-bearer grant
        (C(urn:ietf:params:oauth:grant-type:jwt-bearer)).
      - If not set, the value of the E(RINGCENTRAL_CLIENT_ID) environment variable is used.
    type: str
  client_secret:
    description:
      - Client secret of the RingCentral app. Sent only in the C(Authorization) header of the token
        request; never shown in output or errors.
      - If not set, the value of the E(RINGCENTRAL_CLIENT_SECRET) environment variable is used.
    type: str
  jwt:
    description:
      - JWT credential of the RingCentral user (created in the RingCentral developer console).
        Never shown in output or errors.
      - If not set, the value of the E(RINGCENTRAL_JWT) environment variable is used.
    type: str
  access_token:
    description:
      - A ready access token (for example from a vault or a CI secret), used instead of getting one.
        When it is set, no token is requested and none is revoked.
      - If it has expired, a new token is obtained once with O(client_id), O(client_secret) and O(jwt)
        when they are given; otherwise the task fails with C(OAU-128).
      - Either O(access_token), or O(client_id), O(client_secret) and O(jwt) must be given.
      - If not set, the value of the E(RINGCENTRAL_ACCESS_TOKEN) environment variable is used.
    type: str
notes:
  - A token the module obtained is revoked (C(/restapi/oauth/revoke)) when the task ends; a failed
    revocation is ignored (the token expires within the hour).
  - RingCentral allows 5 token requests per user and minute (C(Auth) rate-limit group). Tasks that run
    for many devices can pass one O(access_token) to all of them instead.
'''
