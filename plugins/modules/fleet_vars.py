#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: fleet_vars
short_description: The variables of every host of the play, computed in one controller task
version_added: 0.1.0
description:
  - Returns, for every host of O(hosts), the values of the variables O(names) as a task of the
    play would see them for that host (inventory, group and host variables, role defaults, play
    and extra variables), templated.
  - "For fleet tasks run once (C(run_once: true)): C(hostvars) holds neither role defaults nor play
    variables, and a C(set_fact) task per host costs a forked worker per host. This action does the
    work of those tasks in the controller process, in one task."
  - With O(argument_specs) and O(spec_var), also checks every host's variables against the spec the
    host's O(spec_var) names (as M(ansible.builtin.validate_argument_spec) does), converts their
    types and returns the error of each host that fails in RV(errors). Only the variables of that
    spec are evaluated for the host. A host that fails does not fail the task.
  - A variable that is not defined for a host is left out of its values; a variable whose template
    fails (an undefined variable inside it) is that host's error, naming the variable.
  - The values may hold secrets; give the task C(no_log) when they do.
  - This is an action plugin; it runs in the controller and sends nothing.
author:
  - sipfleet.provision contributors (@sipfleet)
extends_documentation_fragment:
  - sipfleet.provision.attributes
  - sipfleet.provision.attributes.INFO_MODULE
attributes:
  idempotent:
    support: full
    details: Changes nothing.
options:
  hosts:
    description: The hosts, typically C(ansible_play_hosts).
    type: list
    elements: str
    required: true
  names:
    description: The variables to compute for every host.
    type: list
    elements: str
    default: []
  argument_specs:
    description:
      - Argument specs by name (the C(options) of a role's entry points, or any argument spec); the
        host's variables of the spec named by its O(spec_var) are computed and checked.
    type: dict
    default: {}
  spec_var:
    description:
      - The variable whose value names the host's spec in O(argument_specs) (also returned in the
        host's values). A value that names no spec is the host's error.
    type: str
notes:
  - Runs the per-host variable computation of Ansible's C(VariableManager) once per host; for
    thousands of hosts that is about one to two milliseconds per host plus the templates.
seealso:
  - module: ansible.builtin.validate_argument_spec
'''

EXAMPLES = r'''
- name: Every panel's credential, computed once for the play
  sipfleet.provision.fleet_vars:
    hosts: "{{ ansible_play_hosts }}"
    names: [sip_fleet_username, sip_fleet_trunk_password]
  run_once: true
  register: fleet
  no_log: true  # the values hold passwords

- name: Check each host's variables against the spec of its source
  sipfleet.provision.fleet_vars:
    hosts: "{{ ansible_play_hosts }}"
    spec_var: source
    argument_specs:
      cloud:
        token: {type: str, required: true}
      onprem:
        address: {type: str, required: true}
        port: {type: int, default: 5060}
  run_once: true
  register: checked
'''

RETURN = r'''
hosts:
  description: The values of every host, by host name (variables not defined for a host left out).
  returned: always
  type: dict
  sample: {panel-001: {sip_fleet_username: fleetpanel001}}
errors:
  description: The hosts whose variables failed to template or to pass their spec, with the message.
  returned: always
  type: dict
  sample: {panel-002: "Validation of arguments failed: missing required arguments: sip_fleet_trunk_password"}
'''
