# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Nothing leaks, nothing hangs: secrets in every form they travel in, service URLs that carry
credentials or control characters, and the deadline of a whole request."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, HttpClient, InputError, check_url
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import (
    basic_credentials, collect_notes, secret_forms,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._resource import Field, Options
from ansible_collections.sipfleet.provision.plugins.module_utils._runner import ModuleSpec
from ansible_collections.sipfleet.provision.plugins.plugin_utils._controller_action import remove_secrets
from ansible_collections.sipfleet.provision.plugins.plugin_utils._drift_secrets import Secrets

SECRET = 'Quo"te Pass+/99é'
FORMS = {
    SECRET, json.dumps(SECRET)[1:-1], json.dumps(SECRET, ensure_ascii=False)[1:-1], quote(SECRET, safe=''),
    quote(SECRET), quote_plus(SECRET), hashlib.md5(SECRET.encode('utf-8')).hexdigest(),
}


def test_secret_forms_cover_json_url_and_md5():
    forms = secret_forms(SECRET)
    assert FORMS <= forms
    assert 'Quo\\"te Pass+/99\\u00e9' in forms and 'Quo%22te+Pass%2B%2F99%C3%A9' in forms
    assert hashlib.md5(SECRET.encode('utf-8')).hexdigest().upper() in forms
    assert secret_forms('abc123') == {'abc123', hashlib.md5(b'abc123').hexdigest(),
                                      hashlib.md5(b'abc123').hexdigest().upper()}
    assert base64.b64decode(basic_credentials('client-1', SECRET)).decode('latin1') == 'client-1:' + SECRET


# --- service URLs ---------------------------------------------------------------------------
@pytest.mark.parametrize('url', ['http://admin:Url-secret-7@192.0.2.10', 'https://Url-secret-7@panel.example.net:8443/x'])
def test_a_url_with_credentials_is_refused_and_its_secret_registered(url):
    with collect_notes() as notes:
        reason = check_url('api_url', url, ['api_password', 'api_username'])
    assert reason == ('api_url must not hold credentials (user:password@): give them in api_password and '
                      'api_username, never in the URL')
    assert 'Url-secret-7' in notes.secrets and 'Url-secret-7' not in reason
    assert 'admin' not in notes.secrets  # an identifier, not a secret


def test_credentials_are_found_before_any_other_complaint():
    with collect_notes() as notes:
        reason = check_url('server_url', 'ftp://admin:Url\nsecret@host/ x')
    assert reason == "server_url must not hold credentials (user:password@): give them in the module's credential " \
                     'options, never in the URL'
    assert 'Url\nsecret' in notes.secrets
    assert check_url('server_url', 'http://host/path?x=a@b') is None  # an @ after the host is no user information


@pytest.mark.parametrize('url, what', [
    ('http://192.0.2.10/\r\nX-Injected: 1', "a control character ('\\r')"),
    ('http://192.0.2.10\n', "a control character ('\\n')"),
    ('http://192.0.2.10/a b', "a space (' ')"),
    ('http://192.0.2.10/\x00', "a control character ('\\x00')"),
])
def test_a_url_with_control_characters_is_refused(url, what):
    assert check_url('server_url', url) == 'server_url holds %s: a URL cannot contain control characters or white space' % what


def test_the_url_is_checked_in_the_options_before_any_request_and_masked_in_the_result():
    """The shared argument checks refuse it (naming the credential options); the task's result,
    arguments included, never shows the URL's password on either path."""
    options = Options((Field('api_url', control=True), Field('api_username', control=True),
                       Field('api_password', no_log=True, control=True), Field('password', no_log=True)))
    ran = []
    spec = ModuleSpec(lambda params, **kwargs: ran.append(params), options)
    params = dict(api_url='http://admin:Url-secret-7@127.0.0.1:9', api_username='admin', api_password='Web-pass-77')
    result, notes = spec.task_result(params)
    assert result == dict(failed=True, msg='api_url must not hold credentials (user:password@): give them in '
                                           'api_password and api_username, never in the URL')
    assert ran == []
    shown = remove_secrets(dict(result, invocation=dict(module_args=params)), notes.secrets)
    assert 'Url-secret-7' not in json.dumps(shown) and 'Web-pass-77' not in json.dumps(shown)


def test_the_client_refuses_such_urls_too():
    with pytest.raises(InputError) as info:
        HttpClient('http://admin:Url-secret-7@127.0.0.1:9')
    assert 'Url-secret-7' not in str(info.value) and 'must not hold credentials' in str(info.value)


# --- echoed requests ----------------------------------------------------------------------------
@pytest.fixture
def client_for(panels):
    urls, control = panels

    def make(**options):
        control.clear_log()
        control.clear_faults()
        return HttpClient(urls['panel-001'], sleep=lambda seconds: None, **options)
    return make


def test_an_echoed_request_shows_no_secret_in_any_form(client_for, panels):
    """A 500 that echoes the request: the password in a JSON body (escaped), in the query string
    (URL-encoded), in a header, and a Basic Authorization header: none reaches the error."""
    _urls, control = panels
    client = client_for(retries=0)
    client.register_secret(SECRET)
    client.register_secret('Hdr-token-5150')
    control.fault('panel-001', 'echo', status=500)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/api/info', params={'password': SECRET}, json={'password': SECRET},
                       headers={'X-Auth-Token': 'Hdr-token-5150'}, auth=('client-1', 'Basic-secret-42'))
    text = str(info.value)
    assert 'X-Auth-Token: ********' in text and 'Authorization: Basic ********' in text
    assert '"password": "********"' in text
    leaked = [form for form in FORMS | {'Hdr-token-5150', basic_credentials('client-1', 'Basic-secret-42')}
              if form in text]
    assert leaked == []
    assert control.calls('panel-001') == ['POST /api/info']


def test_the_runner_registers_every_no_log_value_in_each_form():
    options = Options((Field('password', no_log=True), Field('user')),
                      extra=dict(items=dict(type='list', elements='dict', options=dict(secret=dict(no_log=True)))))

    def run(params, **kwargs):
        raise ApiError('echo: {"password": %s, "items": "%s"}' % (json.dumps(SECRET), quote_plus('Item-secret 8')))

    result, notes = ModuleSpec(run, options).task_result(dict(password=SECRET, user='alice', items=[dict(secret='Item-secret 8')]))
    assert FORMS <= notes.secrets and 'Item-secret+8' in notes.secrets and 'alice' not in notes.secrets
    shown = json.dumps(remove_secrets(result, notes.secrets))
    assert [form for form in FORMS | {'Item-secret+8'} if form in shown] == []


# --- the deadline of a whole request ------------------------------------------------------------
def test_a_trickling_answer_fails_within_the_timeout(client_for, panels):
    """One byte every 0.4 s: the per-read timeout never fires, the request's deadline does, and
    the request is not resent (the server is answering, only too slowly)."""
    _urls, control = panels
    client = client_for(timeout=1.0, retries=3)
    control.fault('panel-001', 'trickle', delay=0.4, method='GET', path='/api/info')
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/info')
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 2.0
    assert str(info.value).endswith('the answer did not arrive in full within timeout=1s (the timeout option bounds '
                                    'the whole request); not resent: the server is answering too slowly')
    assert control.calls('panel-001') == ['GET /api/info']


def test_a_slow_but_whole_answer_within_the_timeout_is_read(client_for, panels):
    _urls, control = panels
    client = client_for(timeout=3.0)
    control.fault('panel-001', 'trickle', delay=0.005, method='GET', path='/api/info')
    response = client.request('GET', '/api/info')
    assert response.json()['device_model'] == 'aa-07fb'
    assert client.request('GET', '/api/info').json() == response.json()
    assert control.calls('panel-001') == ['GET /api/info'] * 2


def test_the_drift_report_scrubs_every_form_too():
    secrets = Secrets()
    secrets.scan({'vault_sip_password': SECRET})
    report = secrets.scrub({'msg': 'echo {"password": %s} and ?p=%s' % (json.dumps(SECRET), quote_plus(SECRET))})
    assert report == {'msg': 'echo {"password": "<hidden>"} and ?p=<hidden>'}
    assert secrets.values == {SECRET}
    text = secrets.scrub_text('digest %s' % hashlib.md5(SECRET.encode('utf-8')).hexdigest(), str)
    assert text == 'digest <hidden>'


@pytest.mark.parametrize('url, port', [('http://127.0.0.1:0', '0'), ('https://panel.example.com:70000/', '70000'),
                                       ('http://[::1]:99999', '99999'), ('http://host:http', 'http')])
def test_a_port_outside_1_to_65535_is_refused_before_any_request(url, port):
    assert check_url('api_url', url) == "api_url has the port '%s': a port is a number from 1 to 65535" % port


@pytest.mark.parametrize('url', ['http://127.0.0.1:1', 'https://panel.example.com:65535/x', 'http://[::1]:443',
                                 'http://[::1]/', 'https://api.vobiz.ai'])
def test_ports_from_1_to_65535_and_none_are_accepted(url):
    assert check_url('api_url', url) is None
