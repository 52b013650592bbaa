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
  - The reports of the previous run in O(output_dir) are removed when a playbook starts, so a
    run that stops early cannot leave an old report behind.
  - "JSON schema (C(schema_version) 1): C(run) (C(playbooks), C(started), C(ended), C(check_mode) and
    C(diff_mode) (true with C(--check), C(--diff), or when every reported task ran so),
    C(ansible_version), C(include_all_tasks), C(scrubbed_values)); C(summary)
    (C(status) V(clean), V(drift) or V(failed); C(hosts), C(hosts_clean), C(hosts_drifted),
    C(hosts_failed), C(hosts_unreachable), C(tasks), C(tasks_ok), C(tasks_drifted),
    C(tasks_skipped), C(tasks_failed), C(tasks_unreachable)); C(hosts), an object by host name
    with C(status) (V(clean), V(drift), V(failed), V(unreachable)) and C(tasks), each with C(task),
    C(action), C(play), C(path), C(status) (V(ok), V(drift), V(skipped), V(failed), V(unreachable)),
    C(changed), C(no_log), C(ignored), and when known C(differences) (list of C(path), C(before),
    C(after); C(before) or C(after) left out when the key is absent on that side; C(text) for text
    diffs), C(diff) (the module's diff, a list), C(msg) and C(items)."
  - "Secrets: values the modules mask stay masked, and the report never shows the values of tasks
    with C(no_log) (their entries carry no C(diff), C(differences), C(msg) or item labels). Every
    value the run treats as secret is also replaced by C(<hidden>) in every string written, even
    when a module forgot to mask it: the values of task arguments whose names look secret (a word
    C(password), C(passwd), C(passphrase), C(secret), C(token), C(jwt), C(credential), a word ending
    in C(password), C(secret), C(token), or a last word C(key), C(apikey), C(pin), C(otp), C(pass);
    not when the last word names something else, as in C(password_mode), C(ssh_key_file),
    C(token_url), nor C(update_*) options), of arguments a module declared C(no_log)
    (seen as C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) in its invocation), every argument of C(no_log)
    tasks, vault-encrypted values, and the host variables and environment variables with such
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
import difflib
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible import constants as C
from ansible import context
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ANSIBLE_VERSION

try:
    from ansible.parsing.vault import VaultHelper
except ImportError:  # ansible-core before 2.19
    VaultHelper = None

from ansible_collections.sipfleet.provision.plugins.module_utils.engine import MASK, MASK_SENT

SCHEMA_VERSION = 1
COLLECTION = 'sipfleet.provision.'
FILES = dict(json='drift.json', markdown='drift.md', junit='drift.xml')
NO_LOG_MARKER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
MASKS = (MASK, MASK_SENT)
MIN_SECRET_LENGTH = 4
ABSENT = object()
SECRET_WORDS = frozenset(('passwd', 'password', 'passphrase', 'secret', 'secrets', 'token', 'tokens', 'jwt',
                          'credential', 'credentials'))
SECRET_LAST_WORDS = frozenset(('pass', 'key', 'keys', 'apikey', 'pin', 'otp'))  # secret as the last word only
SECRET_ENDINGS = ('password', 'passwd', 'secret', 'token')
NEVER_SECRET = frozenset(('true', 'false', 'none', 'null', 'yes', 'no', 'on', 'off'))
NOT_SECRET_LAST = frozenset(('mode', 'policy', 'file', 'path', 'dir', 'url', 'uri', 'type', 'length', 'id',
                             'name', 'names', 'format', 'ttl', 'expiry', 'expires', 'lifetime', 'header', 'field'))
INTERNAL_ACTIONS = frozenset(C._ACTION_META + C._ACTION_ALL_INCLUDE_IMPORT_TASKS + C._ACTION_ALL_PROPER_INCLUDE_IMPORT_ROLES)
LOOKUP_CALL = re.compile(r'\b(lookup|query|q)\s*\(')
SKIPPED_VARS = frozenset(('hostvars', 'groups', 'group_names', 'vars', 'environment', 'ansible_facts', 'ansible_local',
                          'omit', 'play_hosts', 'ansible_play_hosts', 'ansible_play_hosts_all', 'ansible_play_batch',
                          'ansible_play_role_names', 'ansible_role_names', 'ansible_dependent_role_names'))
XML_INVALID = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
TASK_RANK = dict(skipped=0, ok=1, drift=2, failed=3, unreachable=4)


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


# --- secrets -----------------------------------------------------------------
class Secrets:
    """The secret strings of a run, and scrubbing them out of report data and text."""

    def __init__(self, extra_names=()):
        self.values = set()
        self.extra = [re.compile(p, re.I) for p in extra_names]
        self.replaced = 0
        self._pattern = None

    def is_secret_name(self, name):
        name = str(name).lower()
        if any(p.search(name) for p in self.extra):
            return True
        if name.startswith('vault_'):
            return True
        words = [w for w in re.split(r'[^a-z0-9]+', name) if w]
        if not words or words[0] in ('update', 'no') or words[-1] in NOT_SECRET_LAST:
            return False
        return words[-1] in SECRET_LAST_WORDS or any(w in SECRET_WORDS or w.endswith(SECRET_ENDINGS) for w in words)

    def add(self, value):
        if value is None or isinstance(value, bool) or isinstance(value, (Mapping, list, tuple, set)):
            return
        text = str(value)
        if (len(text) >= MIN_SECRET_LENGTH and text not in (MASK, MASK_SENT, NO_LOG_MARKER, '********')
                and text.lower() not in NEVER_SECRET):
            self.values.add(text)
            self._pattern = None

    def add_tree(self, value):
        """Every leaf value of ``value``."""
        for leaf in _leaves(value):
            self.add(leaf)

    def scan(self, value, secret=False, invocation=None):
        """Values under secret-looking names, that a module showed as no_log, or vault-encrypted."""
        if isinstance(value, Mapping):
            for key, item in value.items():
                shown = invocation.get(key) if isinstance(invocation, Mapping) else None
                self.scan(item, secret or self.is_secret_name(key) or shown == NO_LOG_MARKER, shown)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.scan(item, secret)
        elif secret or _vaulted(value):
            self.add(value)

    def scan_variables(self, variables, templar):
        """Host variables named like secrets (rendered) and vault-encrypted values."""
        facts = variables.get('ansible_facts') or {}
        for name, value in variables.items():
            if name in SKIPPED_VARS or (name.startswith('ansible_') and name[8:] in facts):
                continue
            if self.is_secret_name(name) or _vaulted(value):
                if isinstance(value, str) and LOOKUP_CALL.search(value):
                    continue
                try:
                    self.add_tree(templar.template(value))
                except Exception:  # an undefined or failing expression: its value is not known
                    continue
            else:
                for leaf in _leaves(value, depth=6):
                    if _vaulted(leaf):
                        self.add(leaf)

    def scan_environment(self, environ):
        for name, value in environ.items():
            if self.is_secret_name(name):
                self.add(value)

    def pattern(self):
        if self._pattern is None and self.values:
            ordered = sorted(self.values, key=len, reverse=True)
            self._pattern = re.compile('|'.join(re.escape(v) for v in ordered))
        return self._pattern

    def scrub(self, value):
        """A copy of ``value`` (nested) in which every secret is replaced by the mask."""
        pattern = self.pattern()
        if pattern is None:
            return value
        if isinstance(value, Mapping):
            return dict((self.scrub(k), self.scrub(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        if isinstance(value, str):
            text, count = pattern.subn(MASK, value)
            self.replaced += count
            return text
        if not isinstance(value, bool) and isinstance(value, (int, float)) and str(value) in self.values:
            self.replaced += 1
            return MASK
        return value

    def scrub_text(self, text, escape):
        """Last pass over rendered text: every secret, raw and as ``escape`` writes it."""
        for value in sorted(self.values, key=len, reverse=True):
            for form in set((value, escape(value))):
                text = text.replace(form, MASK)
        return text


def _vaulted(value):
    if isinstance(value, (int, float, bool)) or value is None:
        return False
    if VaultHelper is None:
        return type(value).__name__ in ('AnsibleVaultEncryptedUnicode', 'EncryptedString')
    try:
        return VaultHelper.get_ciphertext(value, with_tags=False) is not None
    except Exception:
        return False


def _leaves(value, depth=32):
    if depth <= 0:
        return
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item, depth - 1)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _leaves(item, depth - 1)
    else:
        yield value


# --- diffs -------------------------------------------------------------------
def differences(diffs):
    """What differs in a module's ``diff`` (dict or list of them): dotted paths with before/after."""
    found = []
    for diff in diffs if isinstance(diffs, list) else [diffs]:
        if not isinstance(diff, Mapping):
            continue
        header = str(diff.get('after_header') or diff.get('before_header') or '')
        if 'prepared' in diff:
            found.append(dict(path=header, text=str(diff['prepared'])))
            continue
        before, after = diff.get('before', ABSENT), diff.get('after', ABSENT)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            found.extend(_dict_differences(before, after, ''))
        elif isinstance(before, str) and isinstance(after, str) and '\n' in before + after:
            if before != after:
                text = ''.join(difflib.unified_diff(
                    before.splitlines(True), after.splitlines(True),
                    str(diff.get('before_header') or 'before'), str(diff.get('after_header') or 'after')))
                found.append(dict(path=header, text=text))
        elif before != after:
            found.append(_difference(header, before, after))
    return found


def _dict_differences(before, after, prefix):
    found = []
    for key in sorted(set(before) | set(after), key=str):
        path = '%s.%s' % (prefix, key) if prefix else str(key)
        old, new = before.get(key, ABSENT), after.get(key, ABSENT)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            found.extend(_dict_differences(old, new, path))
        elif old != new and not (old in MASKS and new in MASKS):  # a write-only value: unknown, not drift
            found.append(_difference(path, old, new))
    return found


def _difference(path, before, after):
    entry = dict(path=path)
    if before is not ABSENT:
        entry['before'] = before
    if after is not ABSENT:
        entry['after'] = after
    return entry


# --- rendering -----------------------------------------------------------------
def render_json(report):
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + '\n'


def _value(entry, side):
    if side not in entry:
        return '(absent)'
    text = json.dumps(entry[side], ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + '...'


def _cell(text):
    """Text for a Markdown table cell (code spans show backslashes as they are, so only pipes are escaped)."""
    return str(text).replace('|', '\\|').replace('\r', '').replace('\n', '<br>')


def effective_status(task):
    """``ignored`` for a failure the play ignores in another module's task; else the task's status.

    The failure of a task of this collection always counts, ignored or not: that device's drift is unknown.
    """
    if task['status'] == 'failed' and task.get('ignored') and not task.get('action', '').startswith(COLLECTION):
        return 'ignored'
    return task['status']


def describe(task):
    """One line per difference (or the reason) of a task, for people."""
    if task.get('no_log') and task['status'] != 'ok':
        return ['details hidden (no_log)']
    if task['status'] in ('failed', 'unreachable', 'skipped'):
        return [str(task.get('msg') or task['status'])]
    lines = []
    for item in task.get('items') or [task]:
        prefix = '[%s] ' % _compact(item['item']) if 'item' in item and item is not task else ''
        if item is not task and item.get('status') in ('failed', 'skipped'):
            lines.append('%s%s: %s' % (prefix, item['status'], item.get('msg') or ''))
        for diff in item.get('differences') or []:
            if 'text' in diff:
                lines.append('%s%s: text differs' % (prefix, diff['path'] or 'content'))
            else:
                lines.append('%s%s: %s -> %s' % (prefix, diff['path'] or 'value', _value(diff, 'before'),
                                                 _value(diff, 'after')))
        if item.get('status') == 'drift' and not item.get('differences'):
            lines.append('%swould change (no diff; run with --diff)' % prefix)
    return lines


def _compact(value):
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def render_markdown(report):
    run, summary = report['run'], report['summary']
    lines = ['# Drift report', '',
             '**%s**: %d of %d hosts drifted, %d failed, %d unreachable.' % (
                 summary['status'].upper(), summary['hosts_drifted'], summary['hosts'],
                 summary['hosts_failed'], summary['hosts_unreachable']),
             '',
             '%s, ansible-core %s, %s to %s, playbook %s.' % (
                 'check mode' if run['check_mode'] else 'NOT in check mode (changes were applied)',
                 run['ansible_version'], run['started'], run['ended'],
                 ', '.join('`%s`' % os.path.basename(p) for p in run['playbooks']) or '-'),
             '', '| Host | Status | Drifted tasks | Failed tasks |', '|---|---|---|---|']
    for name, host in report['hosts'].items():
        counts = dict(drift=0, failed=0)
        for task in host['tasks']:
            status = effective_status(task)
            if status in counts or status == 'unreachable':
                counts[status if status in counts else 'failed'] += 1
        lines.append('| %s | %s | %d | %d |' % (_cell(name), host['status'], counts['drift'], counts['failed']))
    texts = []
    for name, host in report['hosts'].items():
        if host['status'] == 'clean':
            continue
        lines += ['', '## %s: %s' % (_cell(name), host['status']), '', '| Task | Result | Details |', '|---|---|---|']
        for task in host['tasks']:
            status = effective_status(task)
            if status in ('ok', 'skipped'):
                continue
            details = ['`%s`' % line.replace('`', "'") for line in describe(task)]
            result = 'failed (ignored)' if status == 'ignored' else status
            lines.append('| %s | %s | %s |' % (_cell(task['task']), result, _cell('<br>'.join(details))))
            for item in task.get('items') or [task]:
                texts += [(name, task['task'], d) for d in item.get('differences') or [] if 'text' in d]
    for name, task, diff in texts:
        lines += ['', '<details><summary>%s: %s %s</summary>' % (_cell(name), _cell(task), _cell(diff['path'])),
                  '', '```diff', diff['text'].replace('```', "'''").rstrip('\n'), '```', '', '</details>']
    return '\n'.join(lines) + '\n'


def render_junit(report):
    summary = report['summary']
    suites = ET.Element('testsuites', name='sipfleet.provision drift report')
    totals = dict(tests=0, failures=0, errors=0, skipped=0)
    timestamp = report['run']['started'].rstrip('Z')
    for name, host in report['hosts'].items():
        suite = ET.SubElement(suites, 'testsuite', name=name, timestamp=timestamp)
        counts = dict(tests=0, failures=0, errors=0, skipped=0)
        seen = {}
        elapsed = 0.0
        for task in host['tasks']:
            seen[task['task']] = seen.get(task['task'], 0) + 1
            case_name = task['task'] if seen[task['task']] == 1 else '%s (%d)' % (task['task'], seen[task['task']])
            duration = task.get('duration') or 0.0
            elapsed += duration
            case = ET.SubElement(suite, 'testcase', classname=name, name=case_name, time='%.3f' % duration)
            counts['tests'] += 1
            text = '\n'.join(describe(task))
            status = effective_status(task)
            if status == 'drift':
                counts['failures'] += 1
                paths = sorted(set(d['path'] for i in task.get('items') or [task] for d in i.get('differences') or []))
                message = 'drift in %s' % ', '.join(paths) if paths and not task['no_log'] else 'drift'
                ET.SubElement(case, 'failure', type='drift', message=_first_line(message)).text = text
            elif status in ('failed', 'unreachable'):
                counts['errors'] += 1
                ET.SubElement(case, 'error', type=status, message=_first_line(text)).text = text
            elif status in ('skipped', 'ignored'):
                counts['skipped'] += 1
                prefix = 'failed, ignored: ' if status == 'ignored' else ''
                ET.SubElement(case, 'skipped', message=_first_line(prefix + text))
        suite.attrib.update((k, str(v)) for k, v in counts.items())
        suite.set('time', '%.3f' % elapsed)
        for key in totals:
            totals[key] += counts[key]
    suites.attrib.update((k, str(v)) for k, v in totals.items())
    suites.set('status', summary['status'])
    ET.indent(suites)
    body = ET.tostring(suites, encoding='unicode')
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + XML_INVALID.sub('?', body) + '\n'


def _first_line(text):
    line = text.split('\n', 1)[0]
    return line if len(line) <= 200 else line[:197] + '...'


# Every string of the report is scrubbed before rendering. Markdown, plain text, gets one more
# pass over the rendered text; JSON and XML do not (a replacement could break their syntax).
RENDERERS = dict(json=(render_json, None), markdown=(render_markdown, _cell), junit=(render_junit, None))


# --- the report ----------------------------------------------------------------
def summarise(hosts):
    """Host statuses and the summary counts, from the task entries."""
    summary = dict(status='clean', hosts=len(hosts), hosts_clean=0, hosts_drifted=0, hosts_failed=0,
                   hosts_unreachable=0, tasks=0, tasks_ok=0, tasks_drifted=0, tasks_skipped=0,
                   tasks_failed=0, tasks_ignored=0, tasks_unreachable=0)
    task_keys = dict(ok='tasks_ok', drift='tasks_drifted', skipped='tasks_skipped', failed='tasks_failed',
                     ignored='tasks_ignored', unreachable='tasks_unreachable')
    host_keys = dict(clean='hosts_clean', drift='hosts_drifted', failed='hosts_failed',
                     unreachable='hosts_unreachable')
    for host in hosts.values():
        statuses = set(effective_status(task) for task in host['tasks'])
        for task in host['tasks']:
            summary['tasks'] += 1
            summary[task_keys[effective_status(task)]] += 1
        host['status'] = next((s for s in ('unreachable', 'failed', 'drift') if s in statuses), 'clean')
        summary[host_keys[host['status']]] += 1
    if summary['hosts_failed'] or summary['hosts_unreachable']:
        summary['status'] = 'failed'
    elif summary['hosts_drifted']:
        summary['status'] = 'drift'
    return summary


def task_entry(data, status, no_log):
    """The report entry of one task result (``data`` is the callback's result dict)."""
    entry = dict(status=status, changed=bool(data.get('changed')), no_log=no_log)
    if status == 'ok' and entry['changed']:
        entry['status'] = 'drift'
    if isinstance(data.get('results'), list):
        entry['items'] = [_item_entry(item, no_log) for item in data['results']]
        if status == 'ok':
            worst = max((i['status'] for i in entry['items']), key=TASK_RANK.get, default='ok')
            entry['status'] = 'drift' if worst == 'drift' else entry['status']
    elif not no_log and 'diff' in data:
        _add_diff(entry, data['diff'], entry['status'] == 'drift')
    if not no_log and status != 'ok':
        msg = data.get('msg') or data.get('skip_reason') or data.get('false_condition')
        if msg is None and entry.get('items'):
            msg = '; '.join(str(i['msg']) for i in entry['items'] if i.get('msg') and i['status'] == status)
        if msg:
            entry['msg'] = str(msg)
    return entry


def _add_diff(entry, diff, keep):
    """What differs; and the module's own diff when the task would change something."""
    diff = diff if isinstance(diff, list) else [diff]
    entry['differences'] = differences(diff)
    if keep:
        entry['diff'] = diff


def _item_entry(item, task_no_log):
    if not isinstance(item, Mapping):
        return dict(status='ok')
    no_log = task_no_log or bool(item.get('_ansible_no_log'))
    status = ('failed' if item.get('failed') or item.get('failed_when_result') else
              'skipped' if item.get('skipped') else 'drift' if item.get('changed') else 'ok')
    entry = dict(status=status)
    if no_log:
        entry['no_log'] = True
        return entry
    entry['item'] = item.get('_ansible_item_label', item.get(item.get('ansible_loop_var') or 'item'))
    if 'diff' in item:
        _add_diff(entry, item['diff'], status == 'drift')
    if status in ('failed', 'skipped') and (item.get('msg') or item.get('skip_reason')):
        entry['msg'] = str(item.get('msg') or item.get('skip_reason'))
    return entry


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
        self.playbooks.append(getattr(playbook, '_file_name', '') or '')

    def v2_playbook_on_play_start(self, play):
        self.plays.append(play)
        self.play_name = play.get_name()

    def v2_runner_on_start(self, host, task):
        self.starts[(host.get_name(), task._uuid)] = time.monotonic()

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
            text = self.secrets.scrub(str(exc)) if self.secrets else type(exc).__name__
            self._display.warning('sipfleet.provision.drift_report: no report written: %s' % text)

    # --- collection ----------------------------------------------------------------
    def _record(self, result, status, ignore_errors=False):
        if self.secrets is None:
            self.secrets = self._new_secrets()
        task = getattr(result, 'task', None) or result._task
        host = (getattr(result, 'host', None) or result._host).get_name()
        fields = getattr(result, 'task_fields', None) or result._task_fields
        data = getattr(result, 'result', None)
        data = result._result if data is None else data
        action = getattr(task, 'resolved_action', None) or task.action or ''
        no_log = bool(task.no_log is True or data.get('_ansible_no_log'))
        args = fields.get('args') if isinstance(fields, Mapping) and 'args' in fields else task.args
        invocation = (data.get('invocation') or {}).get('module_args')
        self.secrets.scan(args or {}, secret=no_log, invocation=invocation)
        for item in data.get('results') or []:
            if isinstance(item, Mapping):
                self.secrets.scan(dict(item=item.get('item')), secret=bool(item.get('_ansible_no_log')))
        ignored = bool(ignore_errors or fields.get('ignore_errors'))
        reported = action.startswith(COLLECTION) or self.get_option('include_all_tasks')
        if action in INTERNAL_ACTIONS and status != 'unreachable':
            return
        if not reported and not (status == 'unreachable' or (status == 'failed' and not ignored)):
            return
        entry = dict(task=str(getattr(result, 'task_name', '') or task.get_name()), action=action,
                     play=self.play_name, path=task.get_path() or '')
        entry.update(task_entry(data, status, no_log))
        entry['ignored'] = status == 'failed' and ignored
        started = self.starts.pop((host, task._uuid), None)
        entry['duration'] = round(time.monotonic() - started, 3) if started is not None else 0.0
        self.hosts.setdefault(host, dict(status='clean', tasks=[]))['tasks'].append(entry)
        self.modes['check'].add(bool(getattr(task, 'check_mode', False)))
        self.modes['diff'].add(bool(getattr(task, 'diff', False)))

    def _collect_variable_secrets(self):
        self.secrets.scan_environment(os.environ)
        from ansible.template import Templar
        for play in self.plays:
            manager = play.get_variable_manager()
            if manager is None:
                continue
            try:
                hosts = [h for h in manager._inventory.get_hosts(play.hosts) if h.name in self.hosts]
            except Exception:  # a pattern the inventory cannot resolve now: every host of the report
                hosts = [h for h in map(manager._inventory.get_host, self.hosts) if h is not None]
            for host in hosts:
                variables = manager.get_vars(play=play, host=host, include_hostvars=False)
                self.secrets.scan_variables(variables, Templar(loader=manager._loader, variables=variables))

    # --- output --------------------------------------------------------------------
    def build_report(self):
        """The whole report (a dict), every secret of the run scrubbed."""
        hosts = dict((name, self.hosts[name]) for name in sorted(self.hosts))
        summary = summarise(hosts)
        # --check, or every reported task ran in check mode (a play can set check_mode itself); same for diff
        modes = dict((mode, self.modes[mode] == {True} or bool(context.CLIARGS.get(mode))) for mode in self.modes)
        run = dict(playbooks=self.playbooks, started=self.started, ended=now_iso(),
                   check_mode=modes['check'], diff_mode=modes['diff'],
                   ansible_version=ANSIBLE_VERSION, include_all_tasks=bool(self.get_option('include_all_tasks')))
        self.secrets.replaced = 0
        report = dict(schema_version=SCHEMA_VERSION, generator=self.CALLBACK_NAME, run=run,
                      summary=summary, hosts=self.secrets.scrub(hosts))
        report['run'] = self.secrets.scrub(run)
        report['run']['scrubbed_values'] = self.secrets.replaced
        return report

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
