# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import http.server
import threading
import time

import pytest
import requests

from ansible_collections.sipfleet.provision.plugins.module_utils._http import (
    ApiError, HttpClient, InputError, TokenAuth, backoff_delay, describe_exception, error_text, json_object,
    parse_retry_after, redact_url,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes
from ansible_collections.sipfleet.provision.tests.unit.plugins.module_utils.test_http_tls import RecordingHandler


@pytest.fixture
def client_for(panels):
    urls, control = panels
    sleeps = []

    def make(**options):
        options.setdefault('retries', 3)
        client = HttpClient(urls['panel-001'], sleep=sleeps.append, **options)
        control.clear_log()
        control.clear_faults()
        return client
    make.sleeps = sleeps
    return make


def test_retries_5xx_then_succeeds(client_for, panels):
    _urls, control = panels
    client = client_for()
    control.fault('panel-001', 'status', status=502, count=1)
    control.fault('panel-001', 'status', status=504, count=1)
    response = client.request('GET', '/api/info')
    assert response.status_code == 200
    assert control.calls('panel-001') == ['GET /api/info'] * 3
    assert len(client_for.sleeps) == 2
    assert 0.25 <= client_for.sleeps[0] <= 0.5 and 0.5 <= client_for.sleeps[1] <= 1.0


def test_gives_up_after_retries_with_clear_error(client_for, panels):
    urls, control = panels
    client = client_for(retries=2)
    control.fault('panel-001', 'status', status=503, count=5)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/info?secret=1')
    error = info.value
    assert error.status == 503
    assert str(error) == 'GET %s/api/info: gave up after 2 retries: Internal error (HTTP 503)' % urls['panel-001']
    assert 'secret' not in str(error)
    assert control.calls('panel-001') == ['GET /api/info'] * 3


def test_429_honours_retry_after(client_for, panels):
    _urls, control = panels
    client = client_for()
    control.fault('panel-001', 'status', status=429, retry_after=7, count=1)
    assert client.request('GET', '/api/info').status_code == 200
    assert client_for.sleeps == [7.0]
    assert control.calls('panel-001') == ['GET /api/info'] * 2


def test_429_beyond_bound_fails_without_waiting(client_for, panels):
    _urls, control = panels
    client = client_for(retry_max_wait=5)
    control.fault('panel-001', 'status', status=429, retry_after=120, count=1)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/info')
    assert info.value.status == 429
    assert 'gave up after 0 retries (Retry-After 120s, retry_max_wait is 5s)' in str(info.value)
    assert client_for.sleeps == []
    assert control.calls('panel-001') == ['GET /api/info']


def test_429_without_header_uses_service_default(client_for, panels):
    _urls, control = panels
    client = client_for(default_retry_after=30)
    control.fault('panel-001', 'status', status=429, count=1)
    client.request('GET', '/api/info')
    assert client_for.sleeps == [30]


def test_dropped_connection_is_retried(client_for, panels):
    _urls, control = panels
    client = client_for()
    control.fault('panel-001', 'drop', count=1)
    assert client.request('GET', '/api/info').status_code == 200
    assert _settled_calls(control, 2) == ['GET /api/info'] * 2


def test_connection_refused_error_has_no_query():
    sleeps = []
    client = HttpClient('http://127.0.0.1:9', retries=1, sleep=sleeps.append, timeout=2)
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/v1/login', params={'password': 'e10adc3949ba59abbe56e057f20f883e'})
    text = str(info.value)
    assert text.startswith('GET http://127.0.0.1:9/api/v1/login: connection failed after 2 attempt(s): ConnectionError')
    assert 'e10adc' not in text and 'password' not in text
    assert len(sleeps) == 1


def test_4xx_is_not_retried(client_for, panels):
    _urls, control = panels
    client = client_for()
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/v1/device/sip/settings')
    assert info.value.status == 401
    assert info.value.message == 'Log In'
    assert control.calls('panel-001') == ['GET /api/v1/device/sip/settings']


def test_validate_certs_and_ca_path():
    assert HttpClient('https://x.invalid', validate_certs=False).verify is False
    assert HttpClient('https://x.invalid', ca_path=__file__).verify == __file__
    assert HttpClient('https://x.invalid').verify is True


@pytest.mark.parametrize('value, expected', [
    ('12', 12.0), (' 3 ', 3.0), (None, None), ('soon', None),
    ('Wed, 21 Oct 2015 07:28:00 GMT', 5.0),
])
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=1445412475.0) == expected


def test_backoff_is_exponential_with_jitter_and_capped():
    for attempt, full in enumerate([0.5, 1, 2, 4, 8, 8]):
        delays = [backoff_delay(attempt) for sample in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len(set(delays)) > 1


def test_redact_url_and_describe_exception():
    assert redact_url('GET http://h/x?password=abc:1 failed') == 'GET http://h/x failed'
    assert redact_url("GET 'http://admin:Web-pass@h:8/x' failed") == "GET 'http://h:8/x' failed"
    try:
        try:
            raise OSError('GET /login?password=abc failed')
        except OSError:
            raise ValueError('outer')
    except ValueError as exc:
        assert describe_exception(exc) == 'ValueError (GET /login failed)'


def test_api_error_text_and_result():
    error = ApiError('Wrong login or password', status=400, method='GET',
                     url='http://p/api/v1/login?username=admin&password=abc')
    assert str(error) == 'GET http://p/api/v1/login: Wrong login or password (HTTP 400)'
    assert error.to_result() == dict(msg=str(error), status=400, error_code=None)
    assert str(ApiError('plain')) == 'plain'


def _response(content, status=200):
    response = requests.models.Response()
    response.status_code, response._content = status, content
    response.url = 'http://p/x?token=abc'
    response.request = requests.Request('GET', response.url).prepare()
    return response


@pytest.mark.parametrize('content, empty_ok, expected', [
    (b'', True, {}), (b'{"a": 1}', True, {'a': 1}), (b'{"a": 1}', False, {'a': 1}),
])
def test_json_object(content, empty_ok, expected):
    assert json_object(_response(content), 'the panel', empty_ok) == expected


@pytest.mark.parametrize('content, empty_ok', [(b'', False), (b'<html>', True), (b'[1]', True), (b'"ok"', True)])
def test_json_object_refuses_anything_else(content, empty_ok):
    with pytest.raises(ApiError) as info:
        json_object(_response(content), 'the panel', empty_ok)
    assert str(info.value) == 'GET http://p/x: the panel answered with a body that is not a JSON object (HTTP 200)'


@pytest.mark.parametrize('body, expected', [
    (b'{"errors": [{"errorCode": "CMN-101", "message": "Bad transport", "parameterName": "x"}]}',
     ('CMN-101', 'Bad transport')),
    (b'{"error": "invalid_grant", "error_description": "JWT is expired"}', (None, 'JWT is expired')),
    (b'{"status": "error", "error": {"code": "RATE_LIMIT_EXCEEDED", "message": "Slow down"}}',
     ('RATE_LIMIT_EXCEEDED', 'Slow down')),
    (b'{"error": "Username already exists", "code": 409}', (None, 'Username already exists')),
    (b'{"error": "Log In"}', (None, 'Log In')),
    (b'{"message": "Gone", "errorCode": "CMN-999"}', ('CMN-999', 'Gone')),
    (b'<html>oops</html>', (None, 'Bad Request')),
])
def test_error_text_reads_every_service_shape(body, expected):
    response = _response(body, status=400)
    response.reason = 'Bad Request'
    assert error_text(response) == expected


@pytest.mark.parametrize('body, refused_in, expected', [
    (b'{"error": {"code": "not_valid", "message": "Bad", "data": {"sip_port": "s3cr3t why", "a": 1}}}', 'data',
     ('not_valid', 'Bad (a, sip_port)')),
    (b'{"error": {"code": "VALIDATION_ERROR", "message": "Invalid", "details": {"errors": ['
     b'{"field": "password", "message": "too short"}, {"field": "name", "code": "required"}, {"x": 1}]}}}',
     'details', ('VALIDATION_ERROR', 'Invalid [password: too short; name: required]')),
    (b'{"error": {"code": 422, "message": "Invalid", "details": {"errors": []}}}', 'details', (None, 'Invalid')),
    (b'{"error": {"code": "invalid_authentication"}}', 'data', ('invalid_authentication', 'Bad Request')),
])
def test_error_text_names_the_refused_parameters_never_their_values(body, refused_in, expected):
    response = _response(body, status=400)
    response.reason = 'Bad Request'
    assert error_text(response, refused_in) == expected


# --- method-aware retries ---------------------------------------------------------------
def _settled_calls(control, count, seconds=5.0):
    """The log once it holds ``count`` entries (a delayed request is logged when its answer is
    done), polled for at most ``seconds``, then once more after a pause for late extra entries."""
    deadline = time.monotonic() + seconds
    while len(control.calls('panel-001')) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    return control.calls('panel-001')


def test_post_after_a_read_timeout_is_not_resent(client_for, panels):
    """A slow answer to a POST: the request reached the server, so it is sent exactly once."""
    _urls, control = panels
    client = client_for(timeout=0.3)
    control.fault('panel-001', 'delay', delay=1.0, method='POST')
    with pytest.raises(ApiError) as info:
        client.request('POST', '/api/info', json=dict(a=1))
    text = str(info.value)
    assert 'no answer within timeout=0.3s (the timeout option)' in text
    assert 'not resent: the POST may have reached the server' in text
    assert not info.value.unreachable
    assert _settled_calls(control, 1) == ['POST /api/info']
    assert client_for.sleeps == []


def test_get_after_a_read_timeout_is_resent(client_for, panels):
    _urls, control = panels
    client = client_for(timeout=0.3)
    control.fault('panel-001', 'delay', delay=1.0, method='GET')
    assert client.request('GET', '/api/info').status_code == 200
    assert _settled_calls(control, 2) == ['GET /api/info'] * 2


def test_dropped_post_is_not_resent(client_for, panels):
    _urls, control = panels
    client = client_for()
    control.fault('panel-001', 'drop', method='POST')
    with pytest.raises(ApiError) as info:
        client.request('POST', '/api/info', json=dict(a=1))
    assert 'not resent' in str(info.value)
    assert control.calls('panel-001') == ['POST /api/info']


def test_post_that_never_connected_is_resent_and_unreachable():
    sleeps = []
    client = HttpClient('http://127.0.0.1:9', retries=2, sleep=sleeps.append, timeout=2)
    with pytest.raises(ApiError) as info:
        client.request('POST', '/api/v1/x', json=dict(a=1))
    assert len(sleeps) == 2 and info.value.unreachable
    assert 'connection failed after 3 attempt(s)' in str(info.value)


@pytest.mark.parametrize('url, option', [('ftp://panel/', 'api_url'), ('panel.example.com', 'server_url'), ('', 'api_url')])
def test_schemes_other_than_http_are_refused_before_any_request(url, option):
    with pytest.raises(InputError) as info:
        HttpClient(url, url_option=option)
    assert str(info.value).startswith('%s must be an http:// or https:// URL' % option)


def test_missing_ca_path_is_a_clear_error(tmp_path):
    with pytest.raises(InputError) as info:
        HttpClient('https://panel.example.com', ca_path=str(tmp_path / 'ca.pem'))
    assert str(info.value) == 'ca_path: no such file: %s' % (tmp_path / 'ca.pem')


def test_validate_certs_false_warns_once_per_task():
    with collect_notes() as notes:
        for _run in range(3):
            HttpClient('https://panel.example.com', validate_certs=False).close()
        HttpClient('http://panel.example.com', validate_certs=False).close()
    assert len(notes.warnings) == 1 and 'validate_certs=false' in notes.warnings[0]


# --- auth hook and secrets ----------------------------------------------------------------
class _PanelLogin(TokenAuth):
    def __init__(self):
        super().__init__(secrets=['e10adc3949ba59abbe56e057f20f883e'])
        self.logins = 0

    def login(self, http):
        self.logins += 1
        response = http.request('GET', '/api/v1/login', authenticated=False,
                                params=dict(username='admin', password='e10adc3949ba59abbe56e057f20f883e'))
        return response.json()['token']

    def logout(self, http, token):
        http.request('GET', '/api/v1/logout', authenticated=False, headers=self.headers())


def test_auth_hook_logs_in_renews_once_and_logs_out(client_for, panels):
    _urls, control = panels
    auth = _PanelLogin()
    with collect_notes() as notes:
        with client_for(auth=auth) as client:
            control.fault('panel-001', 'expire_tokens', method='GET', path='/api/v1/device/sip/settings')
            client.request('GET', '/api/v1/device/sip/settings')
            token = auth.token
    assert control.calls('panel-001') == ['GET /api/v1/login', 'GET /api/v1/device/sip/settings',
                                          'GET /api/v1/login', 'GET /api/v1/device/sip/settings',
                                          'GET /api/v1/logout']
    assert auth.logins == 2 and auth.token is None
    assert 'e10adc3949ba59abbe56e057f20f883e' in notes.secrets and token in notes.secrets


def test_errors_never_echo_registered_secrets(client_for, panels):
    _urls, control = panels
    client = client_for(retries=0)
    client.register_secret('Tok-123456')
    control.fault('panel-001', 'status', status=400, body={'error': 'bad token Tok-123456'})
    with pytest.raises(ApiError) as info:
        client.request('GET', '/api/info')
    assert 'Tok-123456' not in str(info.value) and 'bad token ********' in str(info.value)


@pytest.fixture
def proxy(monkeypatch):
    """An HTTP proxy on loopback that answers every request itself: yields (its URL, the targets asked for)."""
    for name in ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.1), daemon=True)
    thread.start()
    del RecordingHandler.requests[:]
    yield 'http://127.0.0.1:%d' % server.server_address[1], RecordingHandler.requests
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize('no_proxy', [None, '127.0.0.1'])
def test_the_environment_is_read_once_per_host_and_still_applies(client_for, panels, proxy, monkeypatch, no_proxy):
    urls, control = panels
    client = client_for()
    reads = []
    environ_proxies = requests.sessions.get_environ_proxies
    monkeypatch.setattr(requests.sessions, 'get_environ_proxies', lambda *a, **k: reads.append(a) or environ_proxies(*a, **k))
    with monkeypatch.context() as environment:
        environment.setenv('HTTP_PROXY', proxy[0])
        if no_proxy:
            environment.setenv('NO_PROXY', no_proxy)
        for _request in range(3):
            assert client.request('GET', '/api/info').status_code == 200
    assert reads == [(urls['panel-001'] + '/api/info',)]
    if no_proxy:  # NO_PROXY names the panel: straight to it
        assert proxy[1] == [] and control.calls('panel-001') == ['GET /api/info'] * 3
    else:  # through the proxy of the environment
        assert proxy[1] == [urls['panel-001'] + '/api/info'] * 3 and control.calls('panel-001') == []
