# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift_report callback: differences, scrubbing, rendering, and a whole run fed with results."""

from __future__ import annotations

import copy
import json
import os
import xml.etree.ElementTree as ET

import pytest
import yaml

from ansible import constants as C
from ansible.parsing.dataloader import DataLoader

from ansible_collections.sipfleet.provision.plugins.callback import drift_report
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import MASK
from ansible_collections.sipfleet.provision.plugins.plugin_utils._drift_render import (
    RENDERERS, differences, render_json, render_junit, render_markdown, summarise, task_entry,
)
from ansible_collections.sipfleet.provision.plugins.plugin_utils._drift_secrets import Secrets

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 renders every string
    def trust_as_template(value):
        return value

NAME = 'sipfleet.provision.drift_report'


# --- secrets -------------------------------------------------------------------
@pytest.mark.parametrize('name', [
    'password', 'api_password', 'sip_password', 'SIP_PASSWORD', 'webpassword', 'passphrase', 'client_secret',
    'auth_token', 'apitoken', 'jwt', 'api_key', 'private_key', 'credentials', 'vault_panel_web_password',
    'vault_anything', 'BASIP_API_PASSWORD', 'pin', 'door_pin', 'user-pass', 'keys', 'ssh_key_passphrase',
])
def test_secret_names(name):
    assert Secrets().is_secret_name(name)


@pytest.mark.parametrize('name', [
    'user', 'proxy', 'update_password', 'no_log', 'password_mode', 'ssh_key_file', 'token_url', 'key_id',
    'ca_path', 'monkey', 'passenger', 'bypass', 'secret_names', 'token_ttl', 'api_url',
    'ANSIBLE_HOST_KEY_CHECKING', 'pass_through', 'pin_code', 'key_type',
    'sip_fleet_credential_description', 'sip_fleet_credential_generation',
])
def test_names_that_are_not_secret(name):
    assert not Secrets().is_secret_name(name)


def test_extra_secret_name_patterns():
    secrets = Secrets(['^site_code$', 'pin_?code'])
    assert secrets.is_secret_name('site_code') and secrets.is_secret_name('door_PinCode')
    assert not secrets.is_secret_name('site_codes')


def test_scan_collects_secret_arguments_no_log_options_and_no_log_tasks():
    secrets = Secrets()
    secrets.scan({'user': 'alice-1', 'password': 'Pw-111111', 'stun': {'ip': '127.0.0.1'},
                  'auth': {'token': 'Tok-2222', 'user': 'bob-2'}, 'keys': ['Key-3333', 'Key-4444'],
                  'pin': 1234, 'secret_flag': True, 'token': None})
    assert secrets.values == {'Pw-111111', 'Tok-2222', 'Key-3333', 'Key-4444', '1234'}

    secrets = Secrets()  # a module declared "blob" no_log: its invocation shows the marker
    secrets.scan({'blob': 'Blob-5555', 'name': 'visible'},
                 invocation={'blob': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER', 'name': 'visible'})
    assert secrets.values == {'Blob-5555'}

    secrets = Secrets()  # a no_log task: every argument
    secrets.scan({'note_text': 'Note-6666', 'nested': {'list': ['Item-7777']}, 'short': 'abc'}, secret=True)
    assert secrets.values == {'Note-6666', 'Item-7777'}


def test_scan_ignores_masks_short_values_and_booleans():
    secrets = Secrets()
    secrets.scan({'password': MASK, 'api_password': '<hidden, sent>', 'token': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER',
                  'secret': 'abc', 'key': '********', 'jwt': 'false', 'pin': 'True', 'otp': 'none'})
    assert secrets.values == set()
    assert secrets.scrub({'a': 'nothing to hide'}) == {'a': 'nothing to hide'}


def test_scan_variables_renders_secret_names_and_skips_lookups_and_undefined(monkeypatch):
    from ansible.template import Templar
    variables = {
        'vault_web_password': 'Web-8888', 'api_token': trust_as_template('{{ "Tok" ~ "-9999" }}'),
        'plain': 'Plain-0000', 'db_password': trust_as_template("{{ lookup('ansible.builtin.env', 'HOME') }}"),
        'broken_secret': trust_as_template('{{ undefined_var }}'),
        'hostvars': {'x': {'password': 'Other-1111'}}, 'secrets': {'a': ['Nested-2222']},
    }
    secrets = Secrets()
    secrets.scan_variables(variables, Templar(loader=DataLoader(), variables=variables))
    assert secrets.values == {'Web-8888', 'Tok-9999', 'Nested-2222'}

    monkeypatch.setenv('BASIP_API_PASSWORD', 'Env-3333')
    monkeypatch.setenv('HOME_DIRECTORY', '/root/x')
    secrets.scan_environment(os.environ)
    assert 'Env-3333' in secrets.values and '/root/x' not in secrets.values


def test_scan_variables_renders_only_what_may_hold_a_template():
    """A plain string or number under a secret name is taken as it is, without a render (the report
    scans every variable of every host); a template or a vaulted value is rendered."""
    from ansible.template import Templar
    variables = {'api_password': 'Plain-1234', 'door_pin': 43210, 'api_token': trust_as_template('{{ "Tok" ~ "-9999" }}'),
                 'sip_fleet_credential_description': trust_as_template('panel {{ "panel-001" }}')}
    rendered = []

    class CountingTemplar(Templar):
        def template(self, variable, *args, **kwargs):
            rendered.append(variable)
            return super().template(variable, *args, **kwargs)

    secrets = Secrets()
    secrets.scan_variables(variables, CountingTemplar(loader=DataLoader(), variables=variables))
    assert secrets.values == {'Plain-1234', '43210', 'Tok-9999'}
    assert rendered == [variables['api_token']]


def test_scrub_everywhere_longest_first():
    secrets = Secrets()
    for value in ('Secret-1', 'Secret-12', '987654'):
        secrets.add(value)
    data = {'a': 'x Secret-12 y Secret-1 z', 'Secret-1': ['Secret-12'], 'n': 987654, 'b': True, 'c': 987}
    assert secrets.scrub(data) == {'a': 'x <hidden> y <hidden> z', '<hidden>': ['<hidden>'], 'n': MASK,
                                   'b': True, 'c': 987}
    assert secrets.replaced == 5


def test_scrub_text_catches_markdown_escaped_forms():
    secrets = Secrets()
    secrets.add('pa|ss\\word')
    assert secrets.scrub_text('x pa\\|ss\\word y pa|ss\\word', RENDERERS['markdown'][1]) == \
        'x <hidden> y <hidden>'


def test_secrets_with_json_and_xml_syntax_are_scrubbed_before_rendering():
    report = sample_report()
    report['hosts']['p2']['tasks'][0]['differences'][0]['after'] = 'a"b<&>\\c 1234'
    secrets = Secrets()
    secrets.add('a"b<&>\\c')
    secrets.add('1234')
    report['hosts'] = secrets.scrub(report['hosts'])
    assert json.loads(render_json(report))['hosts']['p2']['tasks'][0]['differences'][0]['after'] == \
        '<hidden> <hidden>'
    root = ET.fromstring(render_junit(report).encode('utf-8'))
    assert '"<hidden> <hidden>"' in root.find("testsuite[@name='p2']/testcase/failure").text


# --- differences and task entries ---------------------------------------------------
def test_differences_of_objects():
    diff = {'before': {'proxy': 'sip:a', 'password': MASK, 'stun': {'ip': 'x', 'port': 1}, 'gone': 1},
            'after': {'proxy': 'sip:b', 'password': '<hidden, sent>', 'stun': {'ip': 'x', 'port': 2}, 'new': [1]}}
    assert differences(diff) == [
        {'path': 'gone', 'before': 1},
        {'path': 'new', 'after': [1]},
        {'path': 'proxy', 'before': 'sip:a', 'after': 'sip:b'},
        {'path': 'stun.port', 'before': 1, 'after': 2},
    ]


def test_differences_of_text_prepared_and_scalars():
    found = differences([
        {'before': 'a\nb\n', 'after': 'a\nc\n', 'before_header': 'f (before)', 'after_header': 'f'},
        {'prepared': '+ line'},
        {'before': 'absent', 'after': 'present', 'after_header': 'state'},
        {'before': 'same', 'after': 'same'},
        'not a diff',
    ])
    assert found == [
        {'path': 'f', 'text': '--- f (before)\n+++ f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n'},
        {'path': '', 'text': '+ line'},
        {'path': 'state', 'before': 'absent', 'after': 'present'},
    ]


def test_task_entries():
    diff = {'before': {'a': 1}, 'after': {'a': 2}}
    assert task_entry({'changed': True, 'diff': diff}, 'ok', False) == dict(
        status='drift', changed=True, no_log=False, diff=[diff],
        differences=[{'path': 'a', 'before': 1, 'after': 2}])
    same = {'before': {'a': 1}, 'after': {'a': 1}}
    assert task_entry({'changed': False, 'diff': same}, 'ok', False) == dict(
        status='ok', changed=False, no_log=False, differences=[])
    assert task_entry({'changed': True, 'censored': 'hidden'}, 'ok', True) == dict(
        status='drift', changed=True, no_log=True)
    assert task_entry({'msg': 'boom'}, 'failed', False) == dict(
        status='failed', changed=False, no_log=False, msg='boom')
    assert task_entry({'msg': 'secret boom'}, 'failed', True) == dict(status='failed', changed=False, no_log=True)
    assert task_entry({'skip_reason': 'Conditional result was False'}, 'skipped', False)['msg'] == \
        'Conditional result was False'


def test_loop_entries():
    data = {'changed': True, 'results': [
        {'changed': False, 'item': 'a', 'diff': {'before': {'x': 1}, 'after': {'x': 1}}},
        {'changed': True, '_ansible_item_label': 'b', 'item': {'name': 'b', 'password': 'P'},
         'diff': {'before': {'x': 1}, 'after': {'x': 2}}},
        {'skipped': True, 'item': 'c', 'skip_reason': 'no'},
        {'changed': True, '_ansible_no_log': True, 'item': 'hidden-item'},
    ]}
    entry = task_entry(data, 'ok', False)
    assert entry['status'] == 'drift' and 'diff' not in entry and 'differences' not in entry
    assert entry['items'] == [
        {'status': 'ok', 'item': 'a', 'differences': []},
        {'status': 'drift', 'item': 'b', 'differences': [{'path': 'x', 'before': 1, 'after': 2}],
         'diff': [{'before': {'x': 1}, 'after': {'x': 2}}]},
        {'status': 'skipped', 'item': 'c', 'msg': 'no'},
        {'status': 'drift', 'no_log': True},
    ]
    failed = task_entry({'failed': True, 'msg': 'One or more items failed', 'results': [
        {'failed': True, 'item': 1, 'msg': 'first'}, {'changed': False, 'item': 2}]}, 'failed', False)
    assert failed['status'] == 'failed' and failed['msg'] == 'One or more items failed'
    assert failed['items'][0] == {'status': 'failed', 'item': 1, 'msg': 'first'}


def test_summary_and_host_status():
    hosts = {
        'a': {'tasks': [{'status': 'ok'}, {'status': 'skipped'}]},
        'b': {'tasks': [{'status': 'drift'}, {'status': 'ok'}]},
        'c': {'tasks': [{'status': 'drift'}, {'status': 'failed'}]},
        'd': {'tasks': [{'status': 'unreachable'}]},
        'e': {'tasks': []},
        'f': {'tasks': [{'status': 'failed', 'ignored': True, 'action': 'ansible.builtin.command'}]},
        'g': {'tasks': [{'status': 'failed', 'ignored': True, 'action': 'sipfleet.provision.basip_sip'}]},
    }
    summary = summarise(hosts)
    assert [hosts[h]['status'] for h in 'abcdefg'] == ['clean', 'drift', 'failed', 'unreachable', 'clean',
                                                       'clean', 'failed']
    assert summary == dict(status='failed', hosts=7, hosts_clean=3, hosts_drifted=1, hosts_failed=2,
                           hosts_unreachable=1, tasks=9, tasks_ok=2, tasks_drifted=2, tasks_skipped=1,
                           tasks_failed=2, tasks_ignored=1, tasks_unreachable=1)
    assert summarise({'a': {'tasks': [{'status': 'drift'}]}})['status'] == 'drift'
    assert summarise({'a': {'tasks': [{'status': 'ok'}]}})['status'] == 'clean'


def test_registration_state_is_recorded_and_an_unregistered_panel_is_not_clean():
    registered = task_entry({'changed': False, 'registration': {'state': 'OK', 'registered': True}}, 'ok', False)
    assert registered == dict(status='ok', changed=False, no_log=False, registration='OK')
    lost = task_entry({'changed': False, 'diff': {'before': {'a': 1}, 'after': {'a': 1}},
                       'registration': {'state': 'ERROR', 'registered': False}}, 'ok', False)
    assert lost == dict(status='drift', changed=False, no_log=False, registration='ERROR',
                        differences=[{'path': 'registration', 'before': 'ERROR', 'after': 'OK'}])
    unknown = task_entry({'registration': {'state': None, 'registered': None}}, 'ok', False)
    assert 'registration' not in unknown and unknown['status'] == 'ok'
    hidden = task_entry({'registration': {'state': 'OFFLINE', 'registered': False}}, 'ok', True)
    assert hidden == dict(status='ok', changed=False, no_log=True)
    hosts = dict((name, {'tasks': [dict(entry, task='Read the panel')]})
                 for name, entry in (('a', registered), ('b', lost), ('c', unknown)))
    summary = summarise(hosts)
    assert [hosts[h]['status'] for h in 'abc'] == ['clean', 'drift', 'clean']
    assert (hosts['a']['registration'], hosts['b']['registration']) == ('OK', 'ERROR')
    assert 'registration' not in hosts['c'] and summary['status'] == 'drift'
    text = render_markdown(dict(sample_report(), hosts=hosts, summary=summary))
    assert '| Host | Status | Drifted tasks | Failed tasks | Registration |' in text
    assert '| a | clean | 0 | 0 | OK |' in text and '| c | clean | 0 | 0 | unknown |' in text
    assert '`registration: "ERROR" -> "OK"`' in text
    assert 'Registration' not in render_markdown(sample_report())


# --- rendering -------------------------------------------------------------------
def sample_report():
    hosts = {
        'p1': {'tasks': [dict(task='Settings', status='ok', no_log=False, differences=[])]},
        'p2': {'tasks': [
            dict(task='Settings', status='drift', no_log=False, duration=0.25,
                 differences=[{'path': 'proxy', 'before': 'a|b', 'after': 'c'}, {'path': 'new', 'after': 1}]),
            dict(task='Settings', status='drift', no_log=True, duration=0.5),
            dict(task='File', status='drift', no_log=False, differences=[{'path': '/f', 'text': '-a\n+b\n'}]),
            dict(task='Skip', status='skipped', no_log=False, msg='Conditional result was False'),
            dict(task='Probe', status='failed', ignored=True, action='ansible.builtin.command', no_log=False,
                 msg='exit 1'),
        ]},
        'p3': {'tasks': [dict(task='Settings', status='failed', no_log=False, msg='HTTP 401\x01 Log In')]},
        'p4': {'tasks': [dict(task='Settings', status='unreachable', no_log=False, msg='ssh: no route')]},
    }
    run = dict(playbooks=['/x/drift.yml'], started='2026-01-02T03:04:05Z', ended='2026-01-02T03:04:09Z',
               check_mode=True, diff_mode=True, ansible_version='2.19.0')
    return dict(schema_version=1, run=run, summary=summarise(hosts), hosts=hosts)


def test_markdown():
    assert render_markdown(sample_report()) == '''# Drift report

**FAILED**: 1 of 4 hosts drifted, 1 failed, 1 unreachable.

check mode, ansible-core 2.19.0, 2026-01-02T03:04:05Z to 2026-01-02T03:04:09Z, playbook `drift.yml`.

| Host | Status | Drifted tasks | Failed tasks |
|---|---|---|---|
| p1 | clean | 0 | 0 |
| p2 | drift | 3 | 0 |
| p3 | failed | 0 | 1 |
| p4 | unreachable | 0 | 1 |

## p2: drift

| Task | Result | Details |
|---|---|---|
| Settings | drift | `proxy: "a\\|b" -> "c"`<br>`new: (absent) -> 1` |
| Settings | drift | `details hidden (no_log)` |
| File | drift | `/f: text differs` |
| Probe | failed (ignored) | `exit 1` |

## p3: failed

| Task | Result | Details |
|---|---|---|
| Settings | failed | `HTTP 401\x01 Log In` |

## p4: unreachable

| Task | Result | Details |
|---|---|---|
| Settings | unreachable | `ssh: no route` |

<details><summary>p2: File /f</summary>

```diff
-a
+b
```

</details>
'''


def test_junit():
    root = ET.fromstring(render_junit(sample_report()).encode('utf-8'))
    assert root.attrib == dict(name='sipfleet.provision drift report', tests='8', failures='3', errors='2',
                               skipped='2', status='failed')
    suites = dict((s.get('name'), s) for s in root)
    assert suites['p2'].get('tests') == '5' and suites['p2'].get('failures') == '3'
    assert suites['p2'].get('time') == '0.750' and suites['p2'].get('timestamp') == '2026-01-02T03:04:05'
    cases = suites['p2'].findall('testcase')
    assert [c.get('name') for c in cases] == ['Settings', 'Settings (2)', 'File', 'Skip', 'Probe']
    assert cases[4].find('skipped').get('message') == 'failed, ignored: exit 1'
    assert cases[0].find('failure').attrib == dict(type='drift', message='drift in new, proxy')
    assert cases[0].find('failure').text == 'proxy: "a|b" -> "c"\nnew: (absent) -> 1'
    assert cases[1].find('failure').attrib['message'] == 'drift'
    assert cases[1].find('failure').text == 'details hidden (no_log)'
    assert cases[3].find('skipped').get('message') == 'Conditional result was False'
    error = suites['p3'].find('testcase/error')
    assert error.attrib == dict(type='failed', message='HTTP 401? Log In')
    assert suites['p4'].find('testcase/error').get('type') == 'unreachable'
    assert suites['p1'].find('testcase').findall('*') == []


# --- a whole run -------------------------------------------------------------------
class FakeHost:
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


class FakeTask:
    def __init__(self, name, action, args, no_log=False, uuid=None, check_mode=True):
        self.name, self.action, self.resolved_action = name, action.split('.')[-1], action
        self.args, self.no_log, self._uuid = args, no_log, uuid or name
        self.check_mode, self.diff = check_mode, True

    def get_name(self):
        return self.name

    def get_path(self):
        return '/play/drift.yml:1'


class FakeResult:
    """A CallbackTaskResult: its task is the task as it ran on the host (ignore_errors included)."""
    def __init__(self, host, task, result, ignore_errors=False):
        self.host, self.task, self.result = FakeHost(host), copy.copy(task), result
        self.task.ignore_errors = ignore_errors
        self.task_name = task.name


class FakeStats:
    def __init__(self, hosts):
        self.processed = dict((h, 1) for h in hosts)


@pytest.fixture
def callback(tmp_path, monkeypatch):
    def make(**options):
        defs = yaml.safe_load(drift_report.DOCUMENTATION)['options']
        C.config.initialize_plugin_configuration_definitions('callback', NAME, defs)
        plugin = drift_report.CallbackModule()
        plugin._load_name = NAME
        plugin.set_options(direct=dict(dict(output_dir=str(tmp_path / 'report')), **options))
        return plugin
    monkeypatch.setattr(drift_report.context, 'CLIARGS', {'check': True, 'diff': True, 'args': ('/play/drift.yml',)})
    return make


SIP_ARGS = {'api_url': 'http://127.0.0.1:1', 'api_password': 'WebPw-1234', 'password': 'SipPw-5678', 'user': '1001'}


def run_fleet(plugin):
    plugin.v2_playbook_on_start(object())
    sip = FakeTask('Panel SIP settings', 'sipfleet.provision.basip_sip', SIP_ARGS)
    same = {'before': {'proxy': 'sip:a', 'user': '1001'}, 'after': {'proxy': 'sip:a', 'user': '1001'}}
    drift = {'before': {'proxy': 'sip:x', 'password': MASK}, 'after': {'proxy': 'sip:a', 'password': '<hidden, sent>'}}
    plugin.v2_runner_on_ok(FakeResult('p1', sip, {'changed': False, 'diff': same}))
    plugin.v2_runner_on_ok(FakeResult('p2', sip, {'changed': True, 'diff': drift}))
    plugin.v2_runner_on_failed(FakeResult('p3', sip, {'msg': 'GET http://127.0.0.1:1/api/v1/login: HTTP 400'}))
    plugin.v2_runner_on_unreachable(FakeResult('p4', FakeTask('Gather', 'ansible.builtin.setup', {}),
                                               {'msg': 'unreachable', 'unreachable': True}))
    hidden = FakeTask('Note', 'ansible.builtin.set_fact', {'note': 'Note-4242'}, no_log=True)
    plugin.v2_runner_on_ok(FakeResult('p1', hidden, {'changed': False, 'censored': 'hidden'}))
    # a task that forgets to mask: the note and the SIP password in its diff
    leak = FakeTask('Leak', 'ansible.builtin.copy', {'content': 'Note-4242 SipPw-5678', 'dest': '/tmp/f'})
    plugin.v2_runner_on_ok(FakeResult('p1', leak, {'changed': True, 'diff': [
        {'before': '', 'after': 'Note-4242 SipPw-5678\n', 'after_header': '/tmp/f'}]}))
    plugin.v2_runner_on_failed(FakeResult('p2', FakeTask('Probe', 'ansible.builtin.command', {}),
                                          {'msg': 'ignored failure'}), ignore_errors=True)
    plugin.v2_runner_on_skipped(FakeResult('p1', FakeTask('Later', 'sipfleet.provision.basip_sip', {}),
                                           {'skip_reason': 'Conditional result was False'}))
    plugin.v2_playbook_on_stats(FakeStats(['p1', 'p2', 'p3', 'p4']))
    return plugin


def read(tmp_path, name):
    return (tmp_path / 'report' / name).read_text(encoding='utf-8')


def test_run_reports_collection_tasks(callback, tmp_path):
    run_fleet(callback())
    report = json.loads(read(tmp_path, 'drift.json'))
    assert report['schema_version'] == 1 and report['run']['check_mode'] is True
    assert report['run']['playbooks'] == ['/play/drift.yml'] and report['run']['include_all_tasks'] is False
    assert dict((h, v['status']) for h, v in report['hosts'].items()) == dict(
        p1='clean', p2='drift', p3='failed', p4='unreachable')
    assert [t['task'] for t in report['hosts']['p1']['tasks']] == ['Panel SIP settings', 'Later']
    assert report['hosts']['p2']['tasks'][0]['differences'] == [{'path': 'proxy', 'before': 'sip:x', 'after': 'sip:a'}]
    assert report['hosts']['p4']['tasks'][0]['action'] == 'ansible.builtin.setup'
    assert report['summary']['status'] == 'failed'
    assert read(tmp_path, 'drift.md').startswith('# Drift report\n')
    ET.fromstring(read(tmp_path, 'drift.xml').encode('utf-8'))


def test_run_with_all_tasks_scrubs_what_a_task_forgot_to_mask(callback, tmp_path):
    run_fleet(callback(include_all_tasks=True))
    report = json.loads(read(tmp_path, 'drift.json'))
    p1 = dict((t['task'], t) for t in report['hosts']['p1']['tasks'])
    assert p1['Leak']['diff'][0]['after'] == '<hidden> <hidden>\n'
    assert p1['Note'] == dict(task='Note', action='ansible.builtin.set_fact', play='', path='/play/drift.yml:1',
                              status='ok', changed=False, no_log=True, ignored=False, duration=0.0)
    assert report['hosts']['p2']['status'] == 'drift'  # an ignored failure of another module is not a failure
    assert [t['ignored'] for t in report['hosts']['p2']['tasks']] == [False, True]
    assert report['run']['scrubbed_values'] == 4
    for name in ('drift.json', 'drift.md', 'drift.xml'):
        text = read(tmp_path, name)
        for secret in ('WebPw-1234', 'SipPw-5678', 'Note-4242'):
            assert secret not in text, (name, secret)


def test_formats_option_and_old_reports_removed(callback, tmp_path):
    directory = tmp_path / 'report'
    directory.mkdir()
    (directory / 'drift.xml').write_text('old')
    plugin = run_fleet(callback(formats=['json', 'yaml']))
    assert sorted(os.listdir(directory)) == ['drift.json']


def test_report_problems_never_break_the_run(callback, tmp_path, monkeypatch):
    warnings = []
    plugin = callback(output_dir=str(tmp_path / 'file' / 'sub'))
    (tmp_path / 'file').write_text('not a directory')
    monkeypatch.setattr(plugin._display, 'warning', warnings.append)
    run_fleet(plugin)
    assert len(warnings) == 1 and 'no report written' in warnings[0]


def test_summary_on_screen(callback, tmp_path, monkeypatch):
    lines = []
    plugin = callback()
    monkeypatch.setattr(plugin._display, 'banner', lambda text, **kw: lines.append('** ' + text))
    monkeypatch.setattr(plugin._display, 'display', lambda text, **kw: lines.append(text))
    run_fleet(plugin)
    assert lines[:5] == [
        '** DRIFT REPORT',
        'RUN FAILED: 1 of 4 hosts drifted (1 tasks), 1 failed, 1 unreachable',
        '  p2                   drift       Panel SIP settings (proxy)',
        '  p3                   failed      Panel SIP settings: GET http://127.0.0.1:1/api/v1/login: HTTP 400',
        '  p4                   unreachable Gather: unreachable',
    ]
    assert lines[5].startswith('reports: ') and len(lines) == 6


def test_bad_secret_name_pattern_is_left_out(callback, tmp_path, monkeypatch):
    warnings = []
    plugin = callback(secret_names=['(unclosed', '^door_'])
    monkeypatch.setattr(plugin._display, 'warning', warnings.append)
    run_fleet(plugin)
    assert len(warnings) == 1 and "'(unclosed' is not a regular expression" in warnings[0]
    assert plugin.secrets.is_secret_name('door_code')
    assert json.loads(read(tmp_path, 'drift.json'))['summary']['status'] == 'failed'


def test_check_mode_of_the_run(callback, tmp_path, monkeypatch):
    monkeypatch.setattr(drift_report.context, 'CLIARGS', {})
    run_fleet(callback())  # no --check, but every task ran in check mode (check_mode: true in the play)
    run = json.loads(read(tmp_path, 'drift.json'))['run']
    assert run['check_mode'] is True and run['diff_mode'] is True

    plugin = callback()
    plugin.v2_playbook_on_start(object())
    plugin.v2_runner_on_ok(FakeResult('p1', FakeTask('Apply', 'sipfleet.provision.basip_sip', {}, check_mode=False),
                                      {'changed': True}))
    plugin.v2_playbook_on_stats(FakeStats(['p1']))
    assert json.loads(read(tmp_path, 'drift.json'))['run']['check_mode'] is False


def test_a_no_log_set_fact_of_structured_values_is_scanned_by_name(callback, tmp_path):
    """A role's plan of the fleet (set_fact, no_log) holds host and user names beside passwords:
    only the passwords are secrets; a plain no_log fact stays secret."""
    plugin = callback(include_all_tasks=True)
    plugin.v2_playbook_on_start(object())
    plan = FakeTask('Plan', 'ansible.builtin.set_fact', {
        'plan': {'vobiz': ['p1'], 'panels': {'p1': {'user': 'bld1p1', 'password': 'Trunk-pw-4321'}}},
        'token': 'Plain-fact-9876'}, no_log=True)
    plugin.v2_runner_on_ok(FakeResult('p1', plan, {'changed': False, 'censored': 'hidden'}))
    leak = FakeTask('Leak', 'ansible.builtin.copy', {'content': 'bld1p1 Trunk-pw-4321 Plain-fact-9876', 'dest': '/tmp/f'})
    plugin.v2_runner_on_ok(FakeResult('p1', leak, {'changed': True, 'diff': [
        {'before': '', 'after': 'bld1p1 Trunk-pw-4321 Plain-fact-9876\n', 'after_header': '/tmp/f'}]}))
    plugin.v2_playbook_on_stats(FakeStats(['p1']))
    text = read(tmp_path, 'drift.json')
    report = json.loads(text)
    assert list(report['hosts']) == ['p1']
    assert 'bld1p1' in text and 'Trunk-pw-4321' not in text and 'Plain-fact-9876' not in text
