# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTP client's transport (``_http.py``): one ``requests.Session`` that reads the environment
once per host, :func:`fetch`, which sends a request and reads its whole answer by a deadline,
and the facts its retries rest on (how long to wait, whether a request never left).

``requests`` applies its ``timeout`` to the connect and to each read of the socket, not to the
whole answer: a server that sends one byte every few seconds keeps a request alive for minutes.
:func:`fetch` reads the answer's body (streamed) under a watchdog that cuts the connection when
the deadline passes, so that a request ends at most ``timeout`` seconds after it started.
"""

from __future__ import annotations

import email.utils
import random
import socket
import threading
import time
from urllib.parse import urlsplit

try:
    import requests
    from urllib3.exceptions import NewConnectionError
except ImportError:  # pragma: no cover - _http.py reports the missing library
    requests = NewConnectionError = None


class Overdue(Exception):
    """The answer did not arrive in full before the deadline (its connection was cut)."""


Session = None
if requests is not None:
    class Session(requests.Session):
        """``requests.Session`` that reads the environment once per scheme and host.

        With ``trust_env`` (kept on) requests looks up the proxy variables, ``NO_PROXY`` and the
        CA bundle variables for every request, walking the whole environment twice: in a freshly
        forked Ansible worker that was a fifth of a panel's CPU. The answer depends only on the
        URL's scheme and host, the ``verify`` value and the environment, which does not change
        while a client lives (a task's ``environment:`` is applied around the whole task).
        """

        def __init__(self):
            super().__init__()
            self._environment = {}

        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            if proxies or stream not in (None, True) or cert is not None:  # not what HttpClient sends
                return super().merge_environment_settings(url, proxies, stream, verify, cert)
            key = (urlsplit(url)[:2], verify)
            if key not in self._environment:
                self._environment[key] = super().merge_environment_settings(url, {}, None, verify, None)
            settings = self._environment[key]
            return dict(settings, proxies=dict(settings['proxies']), stream=bool(stream))


def fetch(session, method, url, timeout, **kwargs):
    """``session.request(...)`` with its whole answer read within ``timeout`` seconds of the start.

    The connect and the wait for the answer's headers are bounded by ``timeout`` as requests
    bounds them; the body is then read under a watchdog that shuts the connection down when the
    deadline passes, which raises :class:`Overdue` (a cut answer is never returned)."""
    deadline = time.monotonic() + timeout
    response = session.request(method, url, stream=True, timeout=timeout, **kwargs)
    cut = threading.Event()
    watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0), _cut, (response, cut))
    watchdog.daemon = True
    watchdog.start()
    try:
        response.content  # pylint: disable=pointless-statement  # reads the whole body
    except Exception:
        if cut.is_set():
            raise Overdue() from None
        raise
    finally:
        watchdog.cancel()
    if cut.is_set():
        response.close()
        raise Overdue()
    return response


def _cut(response, cut):
    """Shut the answer's connection down (this wakes a read blocked on it) and say so."""
    cut.set()
    sock = getattr(getattr(response.raw, 'connection', None), 'sock', None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        else:
            response.raw.close()
    except OSError:
        pass


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
