# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of the drift_report target (standard library only).

    check_reports.py inject PANEL JSON      change a panel's settings out of band (control API)
    check_reports.py requests PANEL...      each panel got exactly login, read, logout; clears the log
    check_reports.py report SCENARIO DIR    DIR holds exactly the reports of SCENARIO (clean, drift, leaks)
    check_reports.py secrets PATH...        no secret of $DRIFT_SECRETS (one a line) in any file under PATH

The simulator's URLs come from $SIM_STATE; the leaks scenario's files are under $LEAK_DIR.
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
import xml.etree.ElementTree as ET

PLAY = 'SIP settings of the fleet'
SIP_TASK = 'Panel SIP settings'
OFFLINE_MSG = 'GET http://127.0.0.1:9/api/v1/login: connection failed after 1 attempt(s): '
USERS = {'panel-001': '1001', 'panel-002': '1002', 'panel-003': '1003', 'panel-004': '1004'}


def fail(message):
    print('check_reports: FAILED: %s' % message, file=sys.stderr)
    sys.exit(1)


def expect(actual, expected, what):
    if actual != expected:
        fail('%s\n--- expected\n%s\n--- actual\n%s' % (
            what, json.dumps(expected, indent=1, sort_keys=True) if not isinstance(expected, str) else expected,
            json.dumps(actual, indent=1, sort_keys=True) if not isinstance(actual, str) else actual))


# --- the simulator ---------------------------------------------------------------
def control(method, path, body=None):
    with open(os.environ['SIM_STATE']) as handle:
        url = json.load(handle)['control'] + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b'null')


def check_requests(panels):
    log = control('GET', '/log')
    for panel in sorted(set(USERS) | set(e['target'] for e in log)):
        got = ['%s %s' % (e['method'], e['path']) for e in log if e['target'] == panel]
        want = ['GET /api/v1/login', 'GET /api/v1/device/sip/settings', 'GET /api/v1/logout'] if panel in panels else []
        expect(got, want, 'requests of %s' % panel)
    control('DELETE', '/log')


# --- expected JSON ---------------------------------------------------------------
def settings(host, **changes):
    value = dict(proxy='sip:pbx.example.com', realm='pbx.example.com', user=USERS[host], transport='udp',
                 user_id='', stun=dict(ip='stun.example.com', port=3478), registration_interval=300)
    for key, change in changes.items():
        if isinstance(change, dict):
            value[key] = dict(value[key], **change)
        else:
            value[key] = change
    return value


def task(name=SIP_TASK, action='sipfleet.provision.basip_sip', **fields):
    entry = dict(task=name, action=action, play=PLAY, status='ok', changed=False, no_log=False, ignored=False)
    entry.update(fields)
    return entry


def sip_ok():
    return task(differences=[])


def sip_drift(host, differences, **drifted):
    return task(status='drift', changed=True, differences=differences, diff=[dict(
        before=dict(settings(host, **drifted), password='<hidden>'),
        after=dict(settings(host), password='<hidden, sent>'))])


def text_change(path, added):
    return dict(differences=[dict(path=path, text='--- before\n+++ %s\n@@ -0,0 +1 @@\n+%s' % (path, added))],
                diff=[dict(before='', after_header=path, after=added)])


def line_added(path, after='<hidden>\n'):
    """What lineinfile shows for a line (always scrubbed here) added to a new file."""
    header = path + ' (content)'
    return dict(differences=[dict(path=header, text='--- %s\n+++ %s\n@@ -0,0 +1 @@\n+%s' % (header, header, after))],
                diff=[dict(before='', after=after, before_header=header, after_header=header)])


def leak_tasks(host):
    leaks = os.environ['LEAK_DIR']
    files = dict((name, '%s/%s-%s.txt' % (leaks, host, name)) for name in ('note', 'web', 'site', 'plain', 'sip'))
    copy, line = 'ansible.builtin.copy', 'ansible.builtin.lineinfile'
    items = [dict(status='drift', item=name, **text_change(files[name], added))
             for name, added in (('plain', 'plain text\n'), ('sip', '<hidden>\n'))]
    return [
        task('Note of the run', 'ansible.builtin.set_fact', no_log=True),
        # the hidden task's content is the note and its newline, secret as a whole
        task('Write the note', line, status='drift', changed=True, **line_added(files['note'], '<hidden>')),
        task('Write the web password', line, status='drift', changed=True, **line_added(files['web'])),
        task('Write the site code', line, status='drift', changed=True, **line_added(files['site'])),
        task('Write the SIP files', copy, status='drift', changed=True, items=items),
        task('Write the note, hidden', copy, status='drift', changed=True, no_log=True),
    ]


def summary(status, clean=0, drifted=0, failed=0, unreachable=0, ok=0, tasks_drifted=0, tasks_failed=0):
    return dict(status=status, hosts=clean + drifted + failed + unreachable, hosts_clean=clean, hosts_drifted=drifted,
                hosts_failed=failed, hosts_unreachable=unreachable, tasks=ok + tasks_drifted + tasks_failed + unreachable,
                tasks_ok=ok, tasks_drifted=tasks_drifted, tasks_skipped=0, tasks_failed=tasks_failed, tasks_ignored=0,
                tasks_unreachable=unreachable)


PANEL_002 = [dict(path='proxy', before='sip:rogue.example.com', after='sip:pbx.example.com')]
PANEL_004 = [dict(path='stun.port', before=19302, after=3478), dict(path='transport', before='tcp', after='udp')]


def expected_json(scenario, offline_msg=None):
    if scenario == 'clean':
        hosts = dict((h, dict(status='clean', tasks=[sip_ok()])) for h in USERS)
        return False, 0, summary('clean', clean=4, ok=4), hosts
    if scenario == 'drift':
        hosts = {
            'panel-001': dict(status='clean', tasks=[sip_ok()]),
            'panel-002': dict(status='drift', tasks=[sip_drift('panel-002', PANEL_002, proxy='sip:rogue.example.com')]),
            'panel-003': dict(status='clean', tasks=[sip_ok()]),
            'panel-004': dict(status='drift', tasks=[sip_drift('panel-004', PANEL_004, transport='tcp',
                                                               stun=dict(port=19302))]),
            'panel-offline': dict(status='unreachable', tasks=[task(status='unreachable', msg=offline_msg)]),
        }
        return False, 0, summary('failed', clean=2, drifted=2, unreachable=1, ok=2, tasks_drifted=2), hosts
    hosts = {
        'panel-001': dict(status='drift', tasks=[sip_ok()] + leak_tasks('panel-001')),
        'panel-002': dict(status='drift', tasks=[sip_drift('panel-002', PANEL_002, proxy='sip:rogue.example.com')]
                          + leak_tasks('panel-002')),
    }
    # per host: the note, web password and site code (diff and text) and the SIP item (diff and text)
    return True, 16, summary('drift', drifted=2, ok=3, tasks_drifted=11), hosts


def check_json(scenario, report):
    offline = report['hosts'].get('panel-offline', {}).get('tasks', [{}])[0].get('msg')
    if scenario == 'drift' and not (offline or '').startswith(OFFLINE_MSG):
        fail('unexpected error of the offline panel: %r' % offline)
    include_all, scrubbed, want_summary, want_hosts = expected_json(scenario, offline)
    run = report['run']
    for key in ('started', 'ended'):
        if not re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', run.pop(key)):
            fail('run.%s is not an ISO 8601 UTC time' % key)
    if not run.pop('ansible_version'):
        fail('no ansible_version')
    expect(run, dict(playbooks=['drift.yml'], check_mode=True, diff_mode=True, include_all_tasks=include_all,
                     scrubbed_values=scrubbed), 'run')
    expect(dict((k, report[k]) for k in ('schema_version', 'generator')),
           dict(schema_version=1, generator='sipfleet.provision.drift_report'), 'header')
    expect(list(report), ['schema_version', 'generator', 'run', 'summary', 'hosts'], 'top-level keys')
    expect(report['summary'], want_summary, 'summary')
    expect(list(report['hosts']), sorted(want_hosts), 'host order')
    for host in report['hosts'].values():
        for entry in host['tasks']:
            if not re.search(r'/drift\.yml:\d+$', entry.pop('path')) or not entry.pop('duration') >= 0:
                fail('a task has no path or duration: %r' % entry)
    expect(report['hosts'], want_hosts, 'hosts')


# --- expected Markdown -----------------------------------------------------------
MARKDOWN_HEAD = '''# Drift report

**{status}**: {drifted} of {hosts} hosts drifted, {failed} failed, {unreachable} unreachable.

check mode, ansible-core {version}, {started} to {ended}, playbook `drift.yml`.

| Host | Status | Drifted tasks | Failed tasks |
|---|---|---|---|
'''
TABLE = '| Task | Result | Details |\n|---|---|---|\n'
PANEL_002_ROW = '| Panel SIP settings | drift | `proxy: "sip:rogue.example.com" -> "sip:pbx.example.com"` |\n'


def leak_rows(host):
    leaks = os.environ['LEAK_DIR']
    return ''.join([
        '| Write the note | drift | `{0}/{1}-note.txt (content): text differs` |\n',
        '| Write the web password | drift | `{0}/{1}-web.txt (content): text differs` |\n',
        '| Write the site code | drift | `{0}/{1}-site.txt (content): text differs` |\n',
        '| Write the SIP files | drift | `[plain] {0}/{1}-plain.txt: text differs`<br>'
        '`[sip] {0}/{1}-sip.txt: text differs` |\n',
        '| Write the note, hidden | drift | `details hidden (no_log)` |\n']).format(leaks, host)


def leak_details(host):
    leaks = os.environ['LEAK_DIR']
    text = ''
    for task_name, name, added in (('Write the note', 'note', '<hidden>'), ('Write the web password', 'web', '<hidden>'),
                                   ('Write the site code', 'site', '<hidden>'), ('Write the SIP files', 'plain', 'plain text'),
                                   ('Write the SIP files', 'sip', '<hidden>')):
        path = '%s/%s-%s.txt' % (leaks, host, name)
        before, after = ('before', path) if name in ('plain', 'sip') else (path + ' (content)', path + ' (content)')
        text += ('\n<details><summary>%s: %s %s</summary>\n\n```diff\n--- %s\n+++ %s\n@@ -0,0 +1 @@\n+%s\n```\n\n'
                 '</details>\n' % (host, task_name, after, before, after, added))
    return text


def expected_markdown(scenario, report):
    run, total = report['run'], report['summary']
    text = MARKDOWN_HEAD.format(status=total['status'].upper(), drifted=total['hosts_drifted'], hosts=total['hosts'],
                                failed=total['hosts_failed'], unreachable=total['hosts_unreachable'],
                                version=run['ansible_version'],
                                started=run['started'], ended=run['ended'])
    if scenario == 'clean':
        return text + ''.join('| %s | clean | 0 | 0 |\n' % h for h in sorted(USERS))
    if scenario == 'drift':
        offline = report['hosts']['panel-offline']['tasks'][0]['msg']
        return text + (
            '| panel-001 | clean | 0 | 0 |\n| panel-002 | drift | 1 | 0 |\n| panel-003 | clean | 0 | 0 |\n'
            '| panel-004 | drift | 1 | 0 |\n| panel-offline | unreachable | 0 | 1 |\n'
            '\n## panel-002: drift\n\n' + TABLE + PANEL_002_ROW
            + '\n## panel-004: drift\n\n' + TABLE
            + '| Panel SIP settings | drift | `stun.port: 19302 -> 3478`<br>`transport: "tcp" -> "udp"` |\n'
            + '\n## panel-offline: unreachable\n\n' + TABLE + '| Panel SIP settings | unreachable | `%s` |\n' % offline)
    return text + (
        '| panel-001 | drift | 5 | 0 |\n| panel-002 | drift | 6 | 0 |\n'
        '\n## panel-001: drift\n\n' + TABLE + leak_rows('panel-001')
        + '\n## panel-002: drift\n\n' + TABLE + PANEL_002_ROW + leak_rows('panel-002')
        + leak_details('panel-001') + leak_details('panel-002'))


# --- expected JUnit ----------------------------------------------------------------
def junit_shape(path, started):
    root = ET.parse(path).getroot()
    if root.tag != 'testsuites':
        fail('the JUnit root is %s' % root.tag)
    shape = dict(root.attrib, suites=[])
    for suite in root:
        attrs = dict(suite.attrib)
        float(attrs.pop('time'))
        expect(attrs.pop('timestamp'), started.rstrip('Z'), 'testsuite timestamp')
        cases = []
        for case in suite:
            float(case.attrib['time'])
            cases.append([case.tag, case.get('classname'), case.get('name')]
                         + [[c.tag, c.get('type'), c.get('message'), c.text] for c in case])
        shape['suites'].append(dict(attrs, cases=cases))
    return shape


def suite(host, cases):
    count = dict(tests=len(cases), failures=0, errors=0, skipped=0)
    for case in cases:
        count['failures'] += any(c[0] == 'failure' for c in case[1:])
        count['errors'] += any(c[0] == 'error' for c in case[1:])
    return dict(dict((k, str(v)) for k, v in count.items()), name=host,
                cases=[['testcase', host, c[0]] + list(c[1:]) for c in cases])


PANEL_002_CASE = (SIP_TASK, ['failure', 'drift', 'drift in proxy', 'proxy: "sip:rogue.example.com" -> "sip:pbx.example.com"'])


def leak_cases(host):
    leaks = os.environ['LEAK_DIR']

    def drift(name, *lines):
        paths = sorted(set(re.sub(r'^(\[\w+\] )?(.*): text differs$', r'\2', line) for line in lines))
        return (name, ['failure', 'drift', 'drift in ' + ', '.join(paths), '\n'.join(lines)])
    return [
        ('Note of the run',),
        drift('Write the note', '%s/%s-note.txt (content): text differs' % (leaks, host)),
        drift('Write the web password', '%s/%s-web.txt (content): text differs' % (leaks, host)),
        drift('Write the site code', '%s/%s-site.txt (content): text differs' % (leaks, host)),
        drift('Write the SIP files', '[plain] %s/%s-plain.txt: text differs' % (leaks, host),
              '[sip] %s/%s-sip.txt: text differs' % (leaks, host)),
        ('Write the note, hidden', ['failure', 'drift', 'drift', 'details hidden (no_log)']),
    ]


def expected_junit(scenario, report):
    if scenario == 'clean':
        suites = [suite(h, [(SIP_TASK,)]) for h in sorted(USERS)]
    elif scenario == 'drift':
        offline = report['hosts']['panel-offline']['tasks'][0]['msg']
        suites = [
            suite('panel-001', [(SIP_TASK,)]),
            suite('panel-002', [PANEL_002_CASE]),
            suite('panel-003', [(SIP_TASK,)]),
            suite('panel-004', [(SIP_TASK, [
                'failure', 'drift', 'drift in stun.port, transport',
                'stun.port: 19302 -> 3478\ntransport: "tcp" -> "udp"'])]),
            suite('panel-offline', [(SIP_TASK, ['error', 'unreachable', offline, offline])]),
        ]
    else:
        suites = [suite('panel-001', [(SIP_TASK,)] + leak_cases('panel-001')),
                  suite('panel-002', [PANEL_002_CASE] + leak_cases('panel-002'))]
    total = dict((k, str(sum(int(s[k]) for s in suites))) for k in ('tests', 'failures', 'errors', 'skipped'))
    return dict(total, name='sipfleet.provision drift report', status=report['summary']['status'], suites=suites)


def check_report(scenario, directory):
    with open(os.path.join(directory, 'drift.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    with open(os.path.join(directory, 'drift.md'), encoding='utf-8') as handle:
        expect(handle.read(), expected_markdown(scenario, report), 'drift.md')
    expect(junit_shape(os.path.join(directory, 'drift.xml'), report['run']['started']),
           expected_junit(scenario, report), 'drift.xml')
    check_json(scenario, report)
    print('check_reports: the %s reports in %s are as expected' % (scenario, directory))


def check_secrets(paths):
    secrets = [s for s in os.environ['DRIFT_SECRETS'].split('\n') if s]
    checked = 0
    for top in paths:
        for root, _dirs, files in os.walk(top) if os.path.isdir(top) else [('', [], [top])]:
            for name in files:
                with open(os.path.join(root, name), 'rb') as handle:
                    data = handle.read()
                checked += 1
                for secret in secrets:
                    if secret.encode() in data:
                        fail('a secret of the run appears in %s' % os.path.join(root, name))
    print('check_reports: none of %d secrets in %d files' % (len(secrets), checked))


def main(argv):
    command, args = argv[0], argv[1:]
    if command == 'inject':
        control('PATCH', '/targets/%s/state' % args[0], json.loads(args[1]))
    elif command == 'requests':
        check_requests(args)
    elif command == 'report':
        check_report(args[0], args[1])
    elif command == 'secrets':
        check_secrets(args)
    else:
        fail('unknown command %s' % command)


if __name__ == '__main__':
    main(sys.argv[1:])
