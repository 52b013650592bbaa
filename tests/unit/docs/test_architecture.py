# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/architecture.md stays true: every path it names exists, every line count in its tables is
the file's, and its worked example of a fourth service runs on the engine as the page says."""

from __future__ import annotations

import json
import os
import re

import pytest

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..')
PAGE = os.path.join(ROOT, 'docs', 'architecture.md')
HEADER = '''# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A SIP phone's accounts on the resource engine."""

from __future__ import annotations

from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    HttpClient, ServiceClient, http_argument_spec, json_object,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Adapter, Field, Options, ensure
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec

'''
"""What the example's file has besides the code the page shows."""
SECRET = 'Phone-pass 42'


def _page():
    with open(PAGE, encoding='utf-8') as page:
        return page.read()


def _lines(path):
    with open(os.path.join(ROOT, path), encoding='utf-8') as source:
        return len(source.read().splitlines())


def _example():
    return re.search(r'```python\n(.*?)```', _page(), re.S).group(1)


def test_every_path_named_exists():
    named = set(re.findall(r'`((?:plugins|tests|docs|roles|meta)/[^`<>*\s]+)`', _page()))
    assert named and [path for path in sorted(named) if not os.path.exists(os.path.join(ROOT, path))] == []


def test_every_line_count_is_the_files():
    rows = re.findall(r'^\| `([^`]+)` \| (\d+) \|', _page(), re.M)
    existing = [(path, int(count)) for path, count in rows if '<' not in path]
    assert len(existing) >= 10
    assert [(path, count, _lines(path)) for path, count in existing if _lines(path) != count] == []


def test_the_fourth_services_file_is_as_long_as_the_page_says():
    said = int(re.search(r'^\| `plugins/module_utils/_<service>.py` \| (\d+) \|', _page(), re.M).group(1))
    assert len((HEADER + '\n' + _example()).splitlines()) == said


class _Answer:
    def __init__(self, method, url, status, body):
        self.status_code, self.url, self.reason = status, url, 'OK'
        self.content = json.dumps(body).encode() if body is not None else b''
        self.request = type('Request', (), dict(method=method))()

    def json(self):
        return json.loads(self.content)


class _FakePhone:
    """The phone's account API in memory; records every request."""

    def __init__(self, params):
        self.accounts, self.calls, self.http = {}, [], self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def request(self, method, path, ok=(200,), json=None):
        self.calls.append(method)
        number = int(path.rsplit('/', 1)[1]) if path.count('/') > 1 else json['account']
        if method == 'POST':
            self.accounts[number] = dict((k, v) for k, v in dict(dict(enabled=True), **json).items() if k != 'password')
            return _Answer(method, path, 201, self.accounts[number])
        if number not in self.accounts:
            return _Answer(method, path, 404, dict(error='no such account'))
        if method == 'PUT':
            self.accounts[number].update((k, v) for k, v in json.items() if k != 'password')
        if method == 'DELETE':
            del self.accounts[number]
            return _Answer(method, path, 204, None)
        return _Answer(method, path, 200, self.accounts[number])


@pytest.fixture
def service():
    namespace = {}
    exec(compile(HEADER + _example(), 'example', 'exec'), namespace)  # pylint: disable=exec-used
    phone = _FakePhone(None)
    namespace['Phone'] = lambda params: phone
    return namespace['PHONE_ACCOUNT'], phone


def _params(spec, **values):
    params = dict((name, entry.get('default')) for name, entry in spec.options.argument_spec().items())
    params.update(api_url='https://phone.example', api_token='t0ken', account=1, **values)
    return params


def test_the_example_runs_on_the_engine(service):
    spec, phone = service
    assert sorted(spec.options.argument_spec()) == sorted(
        ['api_url', 'api_token', 'account', 'user', 'password', 'enabled', 'state', 'validate_certs', 'ca_path',
         'timeout', 'retries', 'retry_max_wait'])
    wanted = _params(spec, user='lobby', password=SECRET)
    checked = spec.execute(wanted, check_mode=True, diff=True)
    assert checked['changed'] and phone.calls == ['GET'] and checked['account']['password'] == '<hidden>'
    created = spec.execute(wanted, diff=True)
    assert created['changed'] and phone.calls[1:] == ['GET', 'POST'] and created['diff']['after']['password'] == \
        '<hidden, sent>'
    assert not spec.execute(wanted)['changed'] and phone.calls[3:] == ['GET']
    updated = spec.execute(dict(wanted, enabled=False), diff=True)
    assert updated['changes'] == ['enabled'] and 'password' not in updated['diff']['after']
    deleted = spec.execute(dict(wanted, state='absent'))
    assert deleted['changed'] and deleted['account'] == {} and phone.accounts == {}
    assert not spec.execute(dict(wanted, state='absent'))['changed']
    assert SECRET not in repr([checked, created, updated, deleted])
