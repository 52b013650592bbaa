# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report document, its differences and task entries, and its Markdown and JUnit XML forms
(drift_report callback)."""

from __future__ import annotations

import difflib
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK, MASK_SENT

SCHEMA_VERSION = 1
COLLECTION = 'sipfleet.provision.'
MASKS = (MASK, MASK_SENT)
ABSENT = object()
XML_INVALID = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
TASK_RANK = dict(skipped=0, ok=1, drift=2, failed=3, unreachable=4)


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
             '']
    registration = any('registration' in host for host in report['hosts'].values())
    lines += ['| Host | Status | Drifted tasks | Failed tasks |' + (' Registration |' if registration else ''),
              '|---|---|---|---|' + ('---|' if registration else '')]
    for name, host in report['hosts'].items():
        counts = dict(drift=0, failed=0)
        for task in host['tasks']:
            status = effective_status(task)
            if status in counts or status == 'unreachable':
                counts[status if status in counts else 'failed'] += 1
        row = '| %s | %s | %d | %d |' % (_cell(name), host['status'], counts['drift'], counts['failed'])
        lines.append(row + (' %s |' % _cell(host.get('registration', 'unknown')) if registration else ''))
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
        states = [task['registration'] for task in host['tasks'] if task.get('registration')]
        if states:
            host['registration'] = states[-1]
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
    if not no_log:
        _add_registration(entry, data.get('registration'))
    if not no_log and status != 'ok':
        msg = data.get('msg') or data.get('skip_reason') or data.get('false_condition')
        if msg is None and entry.get('items'):
            msg = '; '.join(str(i['msg']) for i in entry['items'] if i.get('msg') and i['status'] == status)
        if msg:
            entry['msg'] = str(msg)
    return entry


def _add_registration(entry, registration):
    """A panel's SIP registration state (``basip_sip_info``, ``basip_sip``), when the firmware reports it.

    A panel that is not registered is not clean, whatever its settings: its task counts as drift,
    with the state as the difference (``OK`` is what a working panel reports).
    """
    if not isinstance(registration, Mapping) or registration.get('state') is None:
        return
    entry['registration'] = str(registration['state'])
    if registration.get('registered') is False and entry['status'] == 'ok':
        entry['status'] = 'drift'
        entry.setdefault('differences', []).append(
            dict(path='registration', before=entry['registration'], after='OK'))


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


def build_document(hosts, run, secrets, generator):
    """The whole report (a dict) of the task entries by host and the ``run`` details, every secret scrubbed."""
    hosts = dict((name, hosts[name]) for name in sorted(hosts))
    summary = summarise(hosts)
    secrets.replaced = 0
    report = dict(schema_version=SCHEMA_VERSION, generator=generator, run=run,
                  summary=summary, hosts=secrets.scrub(hosts))
    report['run'] = secrets.scrub(run)
    report['run']['scrubbed_values'] = secrets.replaced
    return report
