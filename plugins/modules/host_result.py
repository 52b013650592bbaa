#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: host_result
short_description: Report, for each host, the result a fleet task computed for it
version_added: 0.1.0
description:
  - A fleet task run once (M(sipfleet.provision.basip_sip_fleet)) converges every host's device and
    returns a result per host; Ansible counts that task for one host only. This task, run for every
    host, makes the host's own result its task result, so the recap, C(--diff), the drift report
    callback (P(sipfleet.provision.drift_report#callback)) and C(ansible_play_hosts) see each host as
    if it had run its own task.
  - The keys C(changed), C(failed), C(msg), C(diff), C(changes), C(registration), C(status),
    C(error_code) and C(skipped) of the host's result are returned; the rest (the panel's settings,
    its warnings, which the fleet task shows with the host's name) stays in the fleet task's result. A
    result with C(unreachable) makes the host unreachable. The diff is returned only when the task
    runs with C(--diff).
  - This is an action plugin; it runs in the controller and sends nothing. With O(results_from) it
    templates nothing per host (a template costs its compilation for every host in ansible-core 2.19),
    so it costs about what M(ansible.builtin.debug) costs per host.
extends_documentation_fragment:
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: Reports what the fleet task found; the fleet task decides whether anything is written.
  diff_mode:
    support: full
    details: Returns the diff of the host's result.
  idempotent:
    support: full
    details: Reports only; changed when the host's result is.
options:
  result:
    description:
      - This host's result, typically C(fleet.panels[inventory_hostname]).
      - Exactly one of O(result) and O(results_from) is required.
    type: dict
  results_from:
    description:
      - Names of variables (a name, then keys after dots, for example V(fleet.panels)) whose value is a
        dict of results by host name; the first that holds this host gives its result. Nothing is
        templated.
      - The task fails for a host that none of them holds, naming the variables.
    type: list
    elements: str
seealso:
  - module: sipfleet.provision.basip_sip_fleet
author:
  - sipfleet.provision contributors (@sipfleet)
'''

EXAMPLES = r'''
- name: Converge every panel of the play (one controller task)
  sipfleet.provision.basip_sip_fleet:
    defaults:
      api_password: "{{ vault_panel_web_password }}"
      proxy: sip:pbx.example.com
      realm: pbx.example.com
    panels:
      - host: lobby-1
        options: {api_url: "http://192.0.2.10", user: "2001", user_id: "2001", password: "{{ vault_sip['2001'] }}"}
      - host: lobby-2
        options: {api_url: "http://192.0.2.11", user: "2002", user_id: "2002", password: "{{ vault_sip['2002'] }}"}
  run_once: true
  delegate_to: localhost
  register: fleet
  changed_when: false  # each panel's change is counted for it below
  failed_when: false  # each panel's failure too

- name: Each panel's own result (recap, --diff, drift report)
  sipfleet.provision.host_result:
    results_from: [fleet.panels]
'''

RETURN = r'''
changed:
  description: Whether the host's device changed (or would change, in check mode).
  returned: always
  type: bool
diff:
  description: The host's diff, with C(--diff).
  returned: when the result has one and the task runs with C(--diff)
  type: dict
registration:
  description: The panel's SIP registration state, when the fleet task read it.
  returned: when the result has it
  type: dict
'''
