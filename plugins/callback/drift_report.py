# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: drift_report
type: aggregate
short_description: Drift reports (JSON, Markdown, JUnit XML) of a check-mode run
version_added: 0.1.0
description:
  - Collects, per host and task, whether the task would change something and its C(--diff)
    before/after. When the run ends, writes three reports into O(output_dir), C(drift.json)
    (for machines, schema below), C(drift.md) (a table per host, fit for a pull-request
    comment) and C(drift.xml) (JUnit XML, one test case per host and task; drift is a
    C(failure), a failed task or an unreachable host an C(error)).
  - Prints a one-screen summary at the end of the run.
  - Works beside any stdout callback (it is an aggregate callback that must be enabled), so it
    also works under AWX and ansible-runner. It never ends the run or changes its exit code;
    use C(tools/drift_gate.py) of the collection on C(drift.json) to fail a pipeline when
    drift exists (see C(docs/drift.md)).
  - Reports the tasks of this collection's modules (action C(sipfleet.provision.*), short names
    resolved) unless O(include_all_tasks) is set. Failed tasks and unreachable hosts are always
    reported, except failures of other modules' tasks with C(ignore_errors).
  - A failed task of this collection fails its host even with C(ignore_errors) (the drift of that
    device is not known). A failure of another module's task that the play ignores is reported
    (with O(include_all_tasks)) with C(ignored) true, counted in C(tasks_ignored), a C(skipped)
    JUnit test case, and does not fail the host.
  - A task in a loop is one entry, with one C(items) entry per loop item.
  - "SIP registration: a task whose result reports the panel's registration state (C(registration)
    of M(sipfleet.provision.basip_sip_info), or of M(sipfleet.provision.basip_sip) with
    C(wait_for_registration)) records it as the task's C(registration), and the host's last known
    state is the host's C(registration) (a column of the Markdown host table when any host has one).
    A panel that is not registered is not clean, even when its settings match: that task counts as
    drift, with the difference C(registration) (the panel's state, then V(OK))."
  - The reports of the previous run in O(output_dir) are removed when a playbook starts, so a
    run that stops early cannot leave an old report behind.
  - "JSON schema (C(schema_version) 1): C(run) (C(playbooks), C(started), C(ended), C(check_mode) and
    C(diff_mode) (true with C(--check), C(--diff), or when every reported task ran so),
    C(ansible_version), C(include_all_tasks), C(scrubbed_values)); C(summary)
    (C(status) V(clean), V(drift) or V(failed); C(hosts), C(hosts_clean), C(hosts_drifted),
    C(hosts_failed), C(hosts_unreachable), C(tasks), C(tasks_ok), C(tasks_drifted),
    C(tasks_skipped), C(tasks_failed), C(tasks_unreachable)); C(hosts), an object by host name
    with C(status) (V(clean), V(drift), V(failed), V(unreachable)), C(registration) (when known) and
    C(tasks), each with C(task),
    C(action), C(play), C(path), C(status) (V(ok), V(drift), V(skipped), V(failed), V(unreachable)),
    C(changed), C(no_log), C(ignored), and when known C(differences) (list of C(path), C(before),
    C(after); C(before) or C(after) left out when the key is absent on that side; C(text) for text
    diffs), C(diff) (the module's diff, a list), C(msg), C(registration) and C(items)."
  - "Secrets: values the modules mask stay masked, and the report never shows the values of tasks
    with C(no_log) (their entries carry no C(diff), C(differences), C(msg) or item labels). Every
    value the run treats as secret is also replaced by C(<hidden>) in every string written, even
    when a module forgot to mask it: the values of task arguments whose names look secret (a word
    C(password), C(passwd), C(passphrase), C(secret), C(token), C(jwt), C(credential), a word ending
    in C(password), C(secret), C(token), or a last word C(key), C(apikey), C(pin), C(otp), C(pass);
    not when the last word names something else, as in C(password_mode), C(ssh_key_file),
    C(token_url), nor C(update_*) options), of arguments a module declared C(no_log)
    (seen as C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) in its invocation), every argument of C(no_log)
    tasks (of a C(no_log) C(set_fact) task, every plain value, and in a list or dictionary the values
    under secret-looking names, as for variables), vault-encrypted values, and the host variables and environment variables with such
    names or named C(vault_*) (O(secret_names) adds name patterns)."
  - "Limits of the scrubbing: values shorter than 4 characters, and V(true), V(false), V(none), V(null),
    are not scrubbed; a secret that a
    module transforms (hashes, encodes) or that reaches the run only inside another module's
    output is not known; host variables are rendered once at the end of the run, and a variable
    whose own expression calls a lookup is not rendered (its value is not known); a non-secret
    value equal to a secret (or an argument of a C(no_log) task) is masked too."
author:
  - sipfleet.provision contributors (@sipfleet)
requirements:
  - Enable it, for example C(ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report) or
    C(callbacks_enabled) in C(ansible.cfg).
options:
  output_dir:
    description:
      - Directory the reports are written to (created when missing).
      - A relative path set in C(ansible.cfg) is taken from the directory of that file; otherwise
        from the directory C(ansible-playbook) runs in.
    type: path
    default: ./drift-report
    env:
      - name: SIPFLEET_DRIFT_REPORT_DIR
    ini:
      - section: callback_drift_report
        key: output_dir
  formats:
    description:
      - Reports to write, any of V(json) (C(drift.json)), V(markdown) (C(drift.md)) and V(junit) (C(drift.xml)).
    type: list
    elements: str
    default: [json, markdown, junit]
    env:
      - name: SIPFLEET_DRIFT_REPORT_FORMATS
    ini:
      - section: callback_drift_report
        key: formats
  include_all_tasks:
    description:
      - Report every task, not only the tasks of C(sipfleet.provision) modules. A changed task
        of any module then counts as drift.
    type: bool
    default: false
    env:
      - name: SIPFLEET_DRIFT_REPORT_ALL_TASKS
    ini:
      - section: callback_drift_report
        key: include_all_tasks
  secret_names:
    description:
      - Regular expressions (case-insensitive, searched in the name) of further task argument,
        host variable and environment variable names whose values are secret.
    type: list
    elements: str
    default: []
    env:
      - name: SIPFLEET_DRIFT_REPORT_SECRET_NAMES
    ini:
      - section: callback_drift_report
        key: secret_names
'''

EXAMPLES = r'''
# ansible.cfg: enable the callback and choose where the reports go
#   [defaults]
#   callbacks_enabled = sipfleet.provision.drift_report
#   [callback_drift_report]
#   output_dir = reports/drift
#
# or for one run, with environment variables; the gate fails the pipeline on drift:
#   ANSIBLE_CALLBACKS_ENABLED=sipfleet.provision.drift_report SIPFLEET_DRIFT_REPORT_DIR=drift-report \
#     ansible-playbook -i inventory playbooks/drift.yml --check --diff || rc=$?
#   python tools/drift_gate.py --ansible-rc "${rc:-0}" drift-report/drift.json
#
# The play of such a run (playbooks/drift.yml of the collection):
- name: Report the drift of every panel
  hosts: panels
  gather_facts: false
  roles:
    - role: sipfleet.provision.sip_fleet
'''

RETURN = r'''
# The callback returns nothing to the play. What it writes: drift.json, with these keys.
schema_version:
  description: Version of the schema of C(drift.json); a new version is a breaking change.
  returned: always
  type: int
  sample: 1
generator:
  description: The name of the callback that wrote the report.
  returned: always
  type: str
  sample: sipfleet.provision.drift_report
run:
  description:
    - The run, C(playbooks), C(started), C(ended) (UTC ISO 8601), C(check_mode), C(diff_mode),
      C(ansible_version), C(include_all_tasks), and C(scrubbed_values), how many values were replaced
      by C(<hidden>).
  returned: always
  type: dict
  sample: {"playbooks": ["playbooks/drift.yml"], "check_mode": true, "diff_mode": true, "scrubbed_values": 0}
summary:
  description:
    - C(status) (V(clean), V(drift) or V(failed)) and the counts C(hosts), C(hosts_clean),
      C(hosts_drifted), C(hosts_failed), C(hosts_unreachable), C(tasks), C(tasks_ok), C(tasks_drifted),
      C(tasks_skipped), C(tasks_failed), C(tasks_ignored), C(tasks_unreachable).
  returned: always
  type: dict
  sample: {"status": "drift", "hosts": 50, "hosts_clean": 48, "hosts_drifted": 2, "hosts_failed": 0}
hosts:
  description:
    - By host name, its C(status) (V(clean), V(drift), V(failed), V(unreachable)) and its C(tasks),
      each with C(task), C(action), C(play), C(path), C(status), C(changed), C(no_log), C(ignored),
      C(duration) and, when known, C(differences), C(diff), C(msg) and C(items) (see the description).
  returned: always
  type: dict
  sample: {"panel-002": {"status": "drift", "tasks": [{"task": "Panel SIP settings", "status": "drift",
           "differences": [{"path": "proxy", "before": "sip:rogue.example.net", "after": "sip:pbx.example.com"}]}]}}
'''

import datetime
import os
import re
import time
from collections.abc import Mapping

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ANSIBLE_VERSION

from ansible_collections.sipfleet.provision.plugins.plugin_utils._drift_render import (
    COLLECTION, RENDERERS, build_document, effective_status, task_entry,
)
from ansible_collections.sipfleet.provision.plugins.plugin_utils._drift_secrets import Secrets

FILES = dict(json='drift.json', markdown='drift.md', junit='drift.xml')
SET_FACT = frozenset(('set_fact', 'ansible.builtin.set_fact', 'ansible.legacy.set_fact'))
# Ansible's own tasks that are not work on a host: meta, and the includes and imports of tasks and roles.
INTERNAL_ACTIONS = frozenset(prefix + name for prefix in ('', 'ansible.builtin.', 'ansible.legacy.') for name in (
    'meta', 'include', 'include_tasks', 'import_tasks', 'include_role', 'import_role'))


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def _task_key(task):
    """A task's key in the start times: where it is written, and its name."""
    return (task.get_path() or '', task.get_name())


def _brief(task):
    if task['status'] != 'drift':
        return '%s: %s' % (task['task'], task.get('msg') or task['status'])
    paths = [d['path'] for i in task.get('items') or [task] for d in i.get('differences') or []]
    return '%s (%s)' % (task['task'], ', '.join(paths)) if paths else task['task']


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'sipfleet.provision.drift_report'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.hosts = {}
        self.plays = []
        self.playbooks = []
        self.starts = {}
        self.started = now_iso()
        self.secrets = None
        self.play_name = ''
        self.modes = dict(check=set(), diff=set())  # check and diff mode of the reported tasks
        self.host_objects = {}  # name -> the inventory host, to read its variables at the end

    def _new_secrets(self):
        patterns = []
        for pattern in self.get_option('secret_names') or ():
            try:
                patterns.append(re.compile(pattern, re.I).pattern)
            except re.error as exc:
                self._display.warning('sipfleet.provision.drift_report: secret_names: %r is not a regular '
                                      'expression (%s); left out' % (pattern, exc))
        return Secrets(patterns)

    # --- events ------------------------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        if not self.playbooks:
            self.secrets = self._new_secrets()
            for name in FILES.values():
                path = os.path.join(self._output_dir(), name)
                if os.path.isfile(path):
                    os.remove(path)
        given = context.CLIARGS.get('args') or ()  # the playbooks named on the command line, in order
        self.playbooks.append(str(given[len(self.playbooks)]) if len(given) > len(self.playbooks) else '')

    def v2_playbook_on_play_start(self, play):
        self.plays.append(play)
        self.play_name = play.get_name()

    def v2_runner_on_start(self, host, task):
        self.host_objects.setdefault(host.get_name(), host)
        self.starts[(host.get_name(), _task_key(task))] = time.monotonic()

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed', ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        try:
            for name in stats.processed:
                self.hosts.setdefault(name, dict(status='clean', tasks=[]))
            self._collect_variable_secrets()
            report = self.build_report()
            written = self.write(report)
            self.show_summary(report, written)
        except Exception as exc:  # a report problem must never break the run
            text = self.secrets.scrub(str(exc)) if self.secrets else exc.__class__.__name__
            self._display.warning('sipfleet.provision.drift_report: no report written: %s' % text)

    # --- collection ----------------------------------------------------------------
    def _record(self, result, status, ignore_errors=False):
        if self.secrets is None:
            self.secrets = self._new_secrets()
        task, data = result.task, result.result
        host = result.host.get_name()
        self.host_objects.setdefault(host, result.host)
        action = getattr(task, 'resolved_action', None) or task.action or ''
        no_log = bool(task.no_log is True or data.get('_ansible_no_log'))
        args = task.args
        invocation = (data.get('invocation') or {}).get('module_args')
        if no_log and action in SET_FACT:
            # A no_log set_fact's plain values are secrets; its structured ones (a role's plan of
            # the fleet) are scanned by name, as variables are: host names, user names and
            # addresses in them are not secrets.
            for name, value in (args or {}).items():
                self.secrets.scan({name: value}, secret=not isinstance(value, (Mapping, list, tuple)))
        else:
            self.secrets.scan(args or {}, secret=no_log, invocation=invocation)
        for item in data.get('results') or []:
            if isinstance(item, Mapping):
                self.secrets.scan(dict(item=item.get('item')), secret=bool(item.get('_ansible_no_log')))
        ignored = bool(ignore_errors or task.ignore_errors)
        reported = action.startswith(COLLECTION) or self.get_option('include_all_tasks')
        if action in INTERNAL_ACTIONS and status != 'unreachable':
            return
        if not reported and not (status == 'unreachable' or (status == 'failed' and not ignored)):
            return
        entry = dict(task=str(getattr(result, 'task_name', '') or task.get_name()), action=action,
                     play=self.play_name, path=task.get_path() or '')
        entry.update(task_entry(data, status, no_log))
        entry['ignored'] = status == 'failed' and ignored
        started = self.starts.pop((host, _task_key(task)), None)
        entry['duration'] = round(time.monotonic() - started, 3) if started is not None else 0.0
        self.hosts.setdefault(host, dict(status='clean', tasks=[]))['tasks'].append(entry)
        self.modes['check'].add(bool(getattr(task, 'check_mode', False)))
        self.modes['diff'].add(bool(getattr(task, 'diff', False)))

    def _collect_variable_secrets(self):
        """Secrets of the variables: each play's own (play vars, role defaults) once, and each
        reported host's own (inventory, facts, extra vars), rendered for that host."""
        self.secrets.scan_environment(os.environ)
        from ansible.template import Templar
        plays = [play for play in self.plays if play.get_variable_manager() is not None]
        for play in plays:
            templar = Templar(loader=play.get_loader(), variables=play.get_variable_manager().get_vars(play=play))
            self.secrets.scan_variables(templar.available_variables, templar)
        if plays:
            manager, templar = plays[-1].get_variable_manager(), Templar(loader=plays[-1].get_loader())
            for name in self.hosts:
                if name in self.host_objects:
                    templar.available_variables = manager.get_vars(host=self.host_objects[name], include_hostvars=False)
                    self.secrets.scan_variables(templar.available_variables, templar)

    # --- output --------------------------------------------------------------------
    def build_report(self):
        """The whole report (a dict), every secret of the run scrubbed."""
        # --check, or every reported task ran in check mode (a play can set check_mode itself); same for diff
        modes = dict((mode, self.modes[mode] == {True} or bool(context.CLIARGS.get(mode))) for mode in self.modes)
        run = dict(playbooks=self.playbooks, started=self.started, ended=now_iso(),
                   check_mode=modes['check'], diff_mode=modes['diff'],
                   ansible_version=ANSIBLE_VERSION, include_all_tasks=bool(self.get_option('include_all_tasks')))
        return build_document(self.hosts, run, self.secrets, self.CALLBACK_NAME)

    def _output_dir(self):
        return os.path.abspath(os.path.expanduser(self.get_option('output_dir') or './drift-report'))

    def write(self, report):
        directory = self._output_dir()
        os.makedirs(directory, exist_ok=True)
        written = []
        for fmt in self.get_option('formats') or ():
            if fmt not in RENDERERS:
                self._display.warning('sipfleet.provision.drift_report: unknown format %r (json, markdown, junit)' % fmt)
                continue
            render, escape = RENDERERS[fmt]
            text = render(report)
            if escape is not None:
                text = self.secrets.scrub_text(text, escape)
            path = os.path.join(directory, FILES[fmt])
            with open(path + '.tmp', 'w', encoding='utf-8') as handle:
                handle.write(text)
            os.replace(path + '.tmp', path)
            written.append(path)
        return written

    def show_summary(self, report, written, limit=12):
        summary = report['summary']
        self._display.banner('DRIFT REPORT')
        word, color = dict(clean=('NO DRIFT', C.COLOR_OK), drift=('DRIFT', C.COLOR_CHANGED)).get(
            summary['status'], ('RUN FAILED', C.COLOR_ERROR))
        self._display.display('%s: %d of %d hosts drifted (%d tasks), %d failed, %d unreachable' % (
            word, summary['hosts_drifted'], summary['hosts'], summary['tasks_drifted'],
            summary['hosts_failed'], summary['hosts_unreachable']), color=color)
        shown = [(n, h) for n, h in report['hosts'].items() if h['status'] != 'clean']
        for name, host in shown[:limit]:
            what = '; '.join(_brief(t) for t in host['tasks']
                             if effective_status(t) in ('drift', 'failed', 'unreachable'))
            line = '  %-20s %-11s %s' % (name, host['status'], what)
            self._display.display(line if len(line) <= 160 else line[:157] + '...')
        if len(shown) > limit:
            self._display.display('  ... and %d more hosts' % (len(shown) - limit))
        if written:
            self._display.display('reports: %s' % ', '.join(written))
