# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The timeout option is one deadline for the whole request: connecting, sending, the status line
and headers, and the body. The panel simulator trickles a whole answer (``headers: true``)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, HttpClient
# the fixture client_for: a client of panel-001 (retries 3) with a clear log and no fault
from ansible_collections.sipfleet.provision.tests.unit.plugins.module_utils.test_http import client_for  # noqa: F401 pylint: disable=unused-import

OVERDUE = ('the answer did not arrive in full within timeout=%gs (the timeout option bounds the whole request); '
           'not resent: the server is answering too slowly')


def _raw_get(url, path, seconds):
    """The bytes of one answer to ``GET path`` on a plain socket, each with the time it came at
    (relative to the send), read for at most ``seconds``."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    arrivals = []
    with socket.create_connection((host, port), timeout=seconds) as sock:
        sock.sendall(b'GET %s HTTP/1.1\r\nHost: panel\r\nConnection: close\r\n\r\n' % path.encode('ascii'))
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            chunk = sock.recv(4096)
            if not chunk:
                break
            arrivals.extend((byte, time.monotonic() - started) for byte in chunk)
    return bytes(byte for byte, _at in arrivals), [at for _byte, at in arrivals]


def test_the_simulator_trickles_the_status_line_and_headers(panels):
    urls, control = panels
    control.clear_faults()
    control.fault('panel-001', 'trickle', delay=0.005, headers=True, method='GET', path='/api/info')
    answer, arrivals = _raw_get(urls['panel-001'], '/api/info', seconds=10)
    head, _sep, body = answer.partition(b'\r\n\r\n')
    status_line = head.split(b'\r\n')[0]
    assert status_line == b'HTTP/1.1 200 OK'
    assert b'Content-Length: %d' % len(body) in head and b'"device_model"' in body
    # byte n comes after n delays: the status line's first, the whole answer's last
    assert arrivals[len(status_line) - 1] >= 0.005 * len(status_line)
    assert arrivals[-1] >= 0.005 * len(answer)


def test_the_headers_trickle_only_with_the_trickle_kind(panels):
    _urls, control = panels
    with pytest.raises(Exception) as info:
        control.fault('panel-001', 'delay', delay=0.1, headers=True)
    assert '500' in str(info.value)


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_trickled_headers_fail_at_the_deadline_and_are_not_resent(client_for, panels, method):
    """One byte of the status line and headers every 0.1 s: each read gets a byte in time, the
    deadline still ends the request after 1 s; it is not resent, whatever the method."""
    _urls, control = panels
    client = client_for(timeout=1.0)
    control.fault('panel-001', 'trickle', delay=0.1, headers=True, method=method, path='/api/info')
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        client.request(method, '/api/info', json={} if method == 'POST' else None)
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.5
    assert str(info.value).endswith(OVERDUE % 1.0)
    assert not info.value.unreachable and info.value.status is None
    assert control.calls('panel-001') == ['%s /api/info' % method]
    assert client_for.sleeps == []
    assert client.request('GET', '/api/info').json()['device_model'] == 'aa-07fb'  # the next request is whole


def test_a_whole_answer_with_slow_headers_within_the_timeout_is_read(client_for, panels):
    _urls, control = panels
    client = client_for(timeout=3.0)
    control.fault('panel-001', 'trickle', delay=0.002, headers=True, count=2, method='GET', path='/api/info')
    first = client.request('GET', '/api/info')
    assert first.status_code == 200 and first.json()['device_model'] == 'aa-07fb'
    assert client.request('GET', '/api/info').json() == first.json()  # on the kept-alive connection
    assert control.calls('panel-001') == ['GET /api/info'] * 2


def test_a_send_that_cannot_finish_fails_at_the_deadline():
    """A listener that never reads: the request's body fills the socket's buffers, the send is
    cut at the deadline; a POST is not resent, and the error names the timeout option."""
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        sleeps = []
        client = HttpClient('http://127.0.0.1:%d' % listener.getsockname()[1], timeout=0.5, retries=3,
                            sleep=sleeps.append)
        started = time.monotonic()
        with pytest.raises(ApiError) as info:
            client.request('POST', '/api/v1/x', data=b'x' * (64 << 20))
        elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert 'no answer within timeout=0.5s (the timeout option)' in str(info.value)
    assert 'not resent: the POST may have reached the server' in str(info.value)
    assert sleeps == [] and not info.value.unreachable
