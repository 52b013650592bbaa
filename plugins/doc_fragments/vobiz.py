# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the Vobiz API.
    DOCUMENTATION = r'''
options:
  auth_id:
    description:
      - The Vobiz account's auth ID (format C(MA_XXXXXXXX)). Sent in the C(X-Auth-ID) header and
        as the account segment of every API path (C(/api/v1/Account/{auth_id}/...)).
      - An identifier, not a secret; it is in every API path and in the digest realm
        (C({auth_id}.sip.vobiz.ai)) the devices need, so results, realms and error URLs show it.
        O(auth_token) is the secret.
      - Letters, digits and C(_) (1 to 64 characters); anything else fails before any request.
      - If not set, the value of the E(VOBIZ_AUTH_ID) environment variable is used.
    type: str
    required: true
  auth_token:
    description:
      - The account's auth token, sent in the C(X-Auth-Token) header. Never appears in output or errors.
      - If not set, the value of the E(VOBIZ_AUTH_TOKEN) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the Vobiz API.
    type: str
    default: https://api.vobiz.ai
  page_size:
    description:
      - Objects asked for per page (C(limit)) when a list (credentials, trunks) is read. The API has
        no read of a single credential, so every task walks the list; a walk costs
        ceil(credentials / O(page_size)) requests (at least one).
      - The credential list documents no maximum (V(100) is known to work against the live service);
        the trunk list allows at most 100, so trunks are read min(O(page_size), 100) at a time.
    type: int
    default: 100
'''
