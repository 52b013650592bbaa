# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP client for every service of the collection.

A thin wrapper around one ``requests.Session``: base URL, timeout, TLS
verification (``validate_certs`` and ``ca_path``), proxies from the environment,
retries with exponential backoff and jitter, ``Retry-After`` on 429 with an upper
bound, and a single exception type, :class:`ApiError`, whose text never carries
headers, tokens, passwords or query strings.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
import traceback

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by missing_required_lib in modules
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

RETRY_STATUSES = frozenset((502, 503, 504))
_QUERY = re.compile(r"\?[^\s'\")]*")


def http_argument_spec():
    """Connection options every service module shares (documented in doc_fragments/http_options.py)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=10),
        retries=dict(type='int', default=3),
        retry_max_wait=dict(type='float', default=60),
    )


def strip_query(text):
    """Remove query strings from URLs inside ``text`` (they can carry credentials)."""
    return _QUERY.sub('', str(text))


class ApiError(Exception):
    """A failed call: HTTP status, the service's error code and message, method and URL."""

    def __init__(self, message, status=None, code=None, method=None, url=None):
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.url = strip_query(url) if url else url
        super().__init__(str(self))

    def __str__(self):
        where = ' '.join(p for p in (self.method, self.url) if p)
        parts = ['HTTP %s' % self.status if self.status else None, self.code]
        head = ', '.join(p for p in parts if p)
        text = self.message if not head else '%s (%s)' % (self.message, head)
        return '%s: %s' % (where, text) if where else text

    def to_result(self):
        """Fields for ``fail_json``: never headers or bodies sent."""
        return dict(msg=str(self), status=self.status, error_code=self.code)


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


def default_error_text(response):
    """(code, message) from a JSON error body of any of the services' shapes, else the reason:
    ``{"errors": [{"errorCode", "message"}]}`` (RingCentral), ``{"error": {"code", "message"}}``
    (Vobiz), ``{"error": "..."}`` (BAS-IP, OAuth with ``error_description``), ``{"message"}``."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get('errors')
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return errors[0].get('errorCode'), errors[0].get('message') or response.reason
        err = body.get('error')
        if isinstance(err, dict):
            return err.get('code'), err.get('message') or str(err)
        if isinstance(err, str):
            return None, body.get('error_description') or err
        if isinstance(body.get('message'), str):
            return body.get('code') or body.get('errorCode'), body['message']
    return None, response.reason or 'request failed'


def json_object(response, service, empty_ok=True):
    """The JSON object ``response`` carries (``{}`` for an empty body when ``empty_ok``);
    an ApiError naming ``service`` when it carries anything else."""
    if not response.content and empty_ok:
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError('%s answered with a body that is not a JSON object' % service,
                       status=response.status_code, method=response.request.method, url=response.url)
    return body


class HttpClient:
    """``requests.Session`` with a base URL, retries and clean errors.

    ``error_text(response) -> (code, message)`` lets a service parse its own error
    bodies. ``default_retry_after`` is used for 429 answers without the header.
    """

    def __init__(self, base_url, timeout=10, validate_certs=True, ca_path=None,
                 retries=3, retry_max_wait=60, headers=None, error_text=default_error_text,
                 default_retry_after=None, backoff_base=0.5, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise ApiError('the Python library "requests" is required')
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        self.retries = retries
        self.retry_max_wait = retry_max_wait
        self.error_text = error_text
        self.default_retry_after = default_retry_after
        self.backoff_base = backoff_base
        self.sleep = sleep
        self.session = requests.Session()
        self.session.verify = ca_path or validate_certs
        if headers:
            self.session.headers.update(headers)

    def close(self):
        self.session.close()

    def url(self, path):
        return path if path.startswith(('http://', 'https://')) else self.base_url + path

    def request(self, method, path, ok=(200,), **kwargs):
        """Send, retrying what is safe to retry; return the response whose status is in ``ok``."""
        url = self.url(path)
        kwargs.setdefault('timeout', self.timeout)
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.exceptions.RequestException as exc:
                if attempt >= self.retries:
                    raise ApiError('connection failed after %d attempt(s): %s'
                                   % (attempt + 1, describe_exception(exc)),
                                   method=method, url=url) from None
                self.sleep(backoff_delay(attempt, self.backoff_base))
                attempt += 1
                continue
            if response.status_code in ok:
                return response
            wait = self.retry_wait(response, attempt)
            if wait is None:
                raise self.error(response, method, url, attempt)
            self.sleep(wait)
            attempt += 1

    def retry_wait(self, response, attempt):
        """Seconds to wait before retrying ``response``, or None to give up now."""
        status = response.status_code
        if attempt >= self.retries or (status != 429 and status not in RETRY_STATUSES):
            return None
        if status != 429:
            return backoff_delay(attempt, self.backoff_base)
        wait = parse_retry_after(response.headers.get('Retry-After'))
        if wait is None:
            wait = self.default_retry_after
        if wait is None:
            wait = backoff_delay(attempt, self.backoff_base)
        return wait if wait <= self.retry_max_wait else None

    def error(self, response, method, url, retried=0):
        """The ApiError of a failed answer, after ``retried`` retries."""
        code, message = self.error_text(response)
        status = response.status_code
        if status == 429:
            wait = parse_retry_after(response.headers.get('Retry-After'))
            bound = 'retry_max_wait is %gs' % self.retry_max_wait
            message = 'rate limited, gave up after %d retries (%s%s): %s' % (
                retried, 'Retry-After %gs, ' % wait if wait is not None else '', bound, message)
        elif status in RETRY_STATUSES and retried:
            message = 'gave up after %d retries: %s' % (retried, message)
        return ApiError(message, status=status, code=code, method=method, url=url)


def describe_exception(exc):
    """A short reason for a requests exception, with no URL query string in it."""
    reason = exc
    while getattr(reason, '__context__', None) is not None and reason.__context__ is not reason:
        reason = reason.__context__
    text = strip_query(reason) if reason is not exc else ''
    name = type(exc).__name__
    return '%s (%s)' % (name, text) if text else name
