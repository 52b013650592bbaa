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
  - The keys C(changed), C(failed), C(msg), C(diff), C(changes), C(settings), C(api_family),
    C(sip_enabled), C(registration), C(status), C(error_code) and C(skipped) of
    O(result) are returned (not its warnings, which the fleet task shows with the host's name); a
    result with C(unreachable) makes the host unreachable. The diff is returned only when the task
    runs with C(--diff).
  - This is an action plugin; it runs in the controller and sends nothing. It costs what
    M(ansible.builtin.debug) costs per host.
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.attributes
attributes:
  check_mode:
    support: full
    details: Reports what the fleet task found; the fleet task decides whether anything is written.
  diff_mode:
    support: full
    details: Returns the diff of O(result).
  idempotent:
    support: full
    details: Reports only; changed when O(result) is.
options:
  result:
    description: This host's result, typically C(fleet.panels[inventory_hostname]).
    type: dict
    required: true
seealso:
  - module: sipfleet.provision.basip_sip_fleet
'''

EXAMPLES = r'''
- name: Converge every panel of the play (one controller task)
  sipfleet.provision.basip_sip_fleet:
    panels: "{{ ansible_play_hosts | map('community.general.dict_kv', 'host') | list }}"
  run_once: true
  delegate_to: localhost
  register: fleet
  failed_when: false
  changed_when: false

- name: Each panel's own result
  sipfleet.provision.host_result:
    result: "{{ fleet.panels[inventory_hostname] }}"
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
