# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fleet_vars: the values of some variables for every host of the play, in one task.

A task that needs the variables of every host (a fleet task run once) would read them
through ``hostvars``, which holds neither role defaults nor play variables, or would need a
``set_fact`` task per host first (a forked worker per host). This action computes each
host's variables as a task of this play would see them (``VariableManager.get_vars`` with
the play and this task, so role defaults and play vars included) and templates only the
names asked for, in the controller, in one task.
"""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.sipfleet.provision.plugins.module_utils._processes import map_shares, process_count
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import plain_args
from ansible_collections.sipfleet.provision.plugins.plugin_utils._local_action import LocalAction
from ansible_collections.sipfleet.provision.plugins.plugin_utils._templating import compile_once, may_hold_template

HOSTS_PER_PROCESS = 250
"""Hosts are shared between processes (one per CPU) from twice this many: Ansible's processes
wait while this task runs, and the variables of a host cost 2 to 4 ms of one CPU."""


def _host_values(templar, variables, names):
    """``(values, error)``: the templated value of every name defined for the host."""
    values = {}
    for name in names:
        if name not in variables:
            continue
        value = variables[name]
        try:
            values[name] = templar.template(value) if may_hold_template(value) else value
        except AnsibleError as exc:
            return values, '%s: %s' % (name, exc.message if hasattr(exc, 'message') else exc)
    return values, None


class ActionModule(LocalAction):
    """Template the named variables of every host of ``hosts``; optionally check them."""

    name = 'fleet_vars'
    options = ('hosts', 'names', 'argument_specs', 'spec_var')

    def act(self, args, task_vars):
        hosts = args.get('hosts')
        names = list(args.get('names') or [])
        specs = args.get('argument_specs') or {}
        spec_var = args.get('spec_var')
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            return dict(failed=True, msg="hosts must be a list of host names")
        if specs and not spec_var:
            return dict(failed=True, msg="argument_specs needs spec_var (the variable that names the spec of a host)")
        if spec_var:
            names.append(spec_var)
        validators = dict((key, ArgumentSpecValidator(dict(spec))) for key, spec in specs.items())
        manager = self._task.get_variable_manager()
        inventory = manager._inventory  # the play's inventory; VariableManager has no public accessor
        play = self._task.get_play()
        # The play's host lists as the strategy passes them (get_vars would build them again for
        # every host: four lists of the whole play per host).
        play_hosts, play_hosts_all = task_vars.get('ansible_play_batch'), task_vars.get('ansible_play_hosts_all')
        # One templar for every host, that compiles each template once.
        templar = compile_once(self._templar.copy_with_new_env())

        def compute(share):
            found = []
            for name in share:
                host = inventory.get_host(name)
                if host is None:
                    found.append((name, None, 'no such host in the inventory'))
                    continue
                variables = manager.get_vars(play=play, host=host, task=self._task, include_hostvars=False,
                                             _hosts=play_hosts, _hosts_all=play_hosts_all)
                templar.available_variables = variables
                host_values, error = _host_values(templar, variables, names)
                if error is None and spec_var:
                    host_values, error = self._checked(templar, variables, host_values, spec_var, specs, validators)
                found.append((name, host_values, error))
            return found

        computed = dict((name, (host_values, error)) for name, host_values, error
                        in map_shares(compute, hosts, process_count(hosts, HOSTS_PER_PROCESS)))
        values = dict((name, computed[name][0]) for name in hosts if computed[name][0] is not None)  # play order
        errors = dict((name, computed[name][1]) for name in hosts if computed[name][1] is not None)
        # the values may hold secrets: the result is censored in every output (as with no_log)
        return dict(changed=False, hosts=values, errors=errors, _ansible_no_log=True)

    @staticmethod
    def _checked(templar, variables, values, spec_var, specs, validators):
        """The host's values with those of its spec (named by ``spec_var``), and the spec's error."""
        key = values.get(spec_var)
        if key not in validators:
            return values, '%s is %r; expected one of: %s' % (spec_var, key, ', '.join(sorted(validators)))
        spec_values, error = _host_values(templar, variables, specs[key])
        if error is not None:
            return values, error
        # plain JSON types: the validator deep-copies what it gets, and templated values carry tags
        checked = validators[key].validate(plain_args(spec_values), validate_role_argument_spec=True)
        # types converted as checked; options the host does not set stay unset (no None)
        values.update((k, v) for k, v in checked.validated_parameters.items() if k in spec_values)
        if checked.error_messages:
            return values, 'Validation of arguments failed: %s' % '; '.join(checked.error_messages)
        return values, None
