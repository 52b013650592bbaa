# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client's transport (``_http.py``): one ``requests.Session`` that reads the environment
once per host, :func:`fetch`, which sends a request and reads its whole answer by a deadline,
the facts its retries rest on (how long to wait, whether a request never left), and the text of
a URL or an exception without the credentials it may carry (:func:`redact_url`).

``requests`` applies its ``timeout`` to the connect and to each read of the socket, not to the
whole request: a server that sends one byte every few seconds, in its headers or its body, keeps
a request alive for minutes. :func:`fetch` gives the request a deadline, and the session's
connections give each send and each read of the socket only the time left until it (no thread,
no timer): a request ends at most ``timeout`` seconds after it started.
"""

from __future__ import annotations

import contextvars
import email.utils
import functools
import http.client
import io
import random
import re
import socket
import time
from urllib.parse import urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
except ImportError:  # pragma: no cover - _http.py reports the missing library
    requests = NewConnectionError = None

_QUERY = re.compile(r"\?[^\s'\")]*")
_USERINFO = re.compile(r"(?<=//)[^/\s'\"@]+@")


class Overdue(Exception):
    """The answer had begun but did not arrive in full before the deadline."""


class _Deadline:
    """The deadline of one request, and whether its answer had begun when the deadline cut it."""

    def __init__(self, seconds):
        self.at = time.monotonic() + seconds
        self.answered = False  # a byte of the answer to the last send arrived
        self.passed = False  # a send or a read was cut by the deadline

    def bound(self, sock):
        """Give the next send or read on ``sock`` the time left; ``socket.timeout`` when none is."""
        left = self.at - time.monotonic()
        if left <= 0:
            self.passed = True
            raise socket.timeout('the request deadline passed')
        sock.settimeout(left)


_DEADLINE = contextvars.ContextVar('sipfleet_request_deadline', default=None)


class _DeadlineReader(io.RawIOBase):
    """The socket file of an answer (``fp``), each read given the time left until the deadline."""

    def __init__(self, fp, sock, deadline):
        super().__init__()
        self._fp, self._sock, self._deadline = fp, sock, deadline

    def readable(self):
        return True

    def readinto(self, buffer):
        self._deadline.bound(self._sock)
        try:
            count = self._fp.readinto1(buffer)
        except socket.timeout:
            self._deadline.passed = True
            raise
        self._deadline.answered = self._deadline.answered or bool(count)
        return count

    def fileno(self):
        return self._fp.fileno()

    def close(self):
        if not self.closed:
            self._fp.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """An answer whose status line, headers and body are read by the request's deadline."""

    def __init__(self, sock, *args, **kwargs):
        super().__init__(sock, *args, **kwargs)
        deadline = _DEADLINE.get()
        if deadline is not None:
            self.fp = io.BufferedReader(_DeadlineReader(self.fp, sock, deadline))


class _DeadlineConnection:
    """Mixed into urllib3's connection classes: sends and answers bound by the request's deadline."""

    response_class = _DeadlineResponse

    def send(self, data):
        deadline = _DEADLINE.get()
        if deadline is not None:
            if self.sock is None and self.auto_open:
                self.connect()
            deadline.bound(self.sock)
            deadline.answered = False  # what came before (a proxy's answer to CONNECT) is no answer
        try:
            super().send(data)
        except socket.timeout:
            if deadline is not None:
                deadline.passed = True
            raise


@functools.lru_cache(maxsize=None)
def _deadline_pool(pool_class):
    """``pool_class`` (a urllib3 connection pool) with connections that keep the deadline."""
    connection = type('Deadline' + pool_class.ConnectionCls.__name__,
                      (_DeadlineConnection, pool_class.ConnectionCls), {})
    return type('Deadline' + pool_class.__name__, (pool_class,), {'ConnectionCls': connection})


def _keep_deadlines(manager):
    """``manager`` (a urllib3 pool manager, proxies' too) making pools of :func:`_deadline_pool`."""
    manager.pool_classes_by_scheme = dict(
        (scheme, _deadline_pool(pool)) for scheme, pool in manager.pool_classes_by_scheme.items())
    return manager


Session = None
if requests is not None:
    class _Adapter(requests.adapters.HTTPAdapter):
        """``HTTPAdapter`` whose connections keep the deadline :func:`fetch` sets."""

        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            _keep_deadlines(self.poolmanager)

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            known = proxy in self.proxy_manager
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            return manager if known else _keep_deadlines(manager)

    class Session(requests.Session):
        """``requests.Session`` that keeps :func:`fetch`'s deadline and reads the environment once
        per scheme and host.

        With ``trust_env`` (kept on) requests looks up the proxy variables, ``NO_PROXY`` and the
        CA bundle variables for every request, walking the whole environment twice: in a freshly
        forked Ansible worker that was a fifth of a panel's CPU. The answer depends only on the
        URL's scheme and host, the ``verify`` value and the environment, which does not change
        while a client lives (a task's ``environment:`` is applied around the whole task).
        """

        def __init__(self):
            super().__init__()
            self._environment = {}
            for prefix in ('https://', 'http://'):
                self.mount(prefix, _Adapter())

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            if proxies or stream not in (None, True) or cert is not None:  # not what HttpClient sends
                return super().merge_environment_settings(url, proxies, stream, verify, cert)
            key = (urlsplit(url)[:2], verify)
            if key not in self._environment:
                self._environment[key] = super().merge_environment_settings(url, {}, None, verify, None)
            settings = self._environment[key]
            return dict(settings, proxies=dict(settings['proxies']), stream=bool(stream))


def fetch(session, method, url, timeout, **kwargs):
    """``session.request(...)`` (a :class:`Session`) with its whole answer read within ``timeout``
    seconds of the start: connecting, sending, the status line, the headers and the body.

    Raises :class:`Overdue` when the answer had begun but was not complete by then (a cut answer
    is never returned), ``requests.exceptions.ReadTimeout`` when nothing of it had arrived, and
    ``ConnectTimeout`` when the connection could not be made in time."""
    deadline = _Deadline(timeout)
    token = _DEADLINE.set(deadline)
    try:
        response = session.request(method, url, stream=True, timeout=timeout, **kwargs)
        try:
            response.content  # pylint: disable=pointless-statement  # reads the whole body
        except BaseException:
            response.close()
            raise
        return response
    except requests.exceptions.RequestException as exc:
        if not deadline.passed or isinstance(exc, requests.exceptions.ConnectTimeout):
            raise
        if deadline.answered:
            raise Overdue() from None
        if isinstance(exc, requests.exceptions.Timeout):
            raise
        raise requests.exceptions.ReadTimeout('no answer before the deadline', request=exc.request) from None
    finally:
        _DEADLINE.reset(token)


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def backoff_delay(attempt, base=0.5, cap=8.0):
    """Exponential backoff with jitter: in [d/2, d] where d = min(cap, base * 2**attempt)."""
    delay = min(cap, base * (2 ** attempt))
    return delay / 2 + random.uniform(0, delay / 2)


def never_sent(exc):
    """True when a requests exception proves the request never reached the server: a connect
    timeout or a failed connection (refused, no route, name not resolved)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError) or isinstance(exc, requests.exceptions.SSLError):
        return False
    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, 'reason', reason), NewConnectionError)


def redact_url(text):
    """``text`` without URL query strings and ``user:password@`` parts (both can carry credentials)."""
    return _USERINFO.sub('', _QUERY.sub('', str(text)))


def describe_exception(exc):
    """A short reason for a requests exception, with no URL query string in it."""
    reason = exc
    while getattr(reason, '__context__', None) is not None and reason.__context__ is not reason:
        reason = reason.__context__
    text = redact_url(reason) if reason is not exc else ''
    name = type(exc).__name__
    return '%s (%s)' % (name, text) if text else name
