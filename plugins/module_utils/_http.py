# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP client for every service of the collection.

A thin wrapper around one ``requests.Session``: base URL, timeout, TLS
verification (``validate_certs`` and ``ca_path``, passed with every request so that
``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` cannot override them), proxies from the
environment, method-aware retries with exponential backoff and jitter,
``Retry-After`` on 429 with an upper bound, an auth hook (:class:`TokenAuth`: login,
one renewal when the token expired, logout or revoke at :meth:`HttpClient.close`),
and a single exception type, :class:`ApiError`, whose text never carries headers,
tokens, passwords, query strings or credentials inside a URL.

Every secret the client derives or receives (a password digest, an access token) is
registered (``_notes.register_secret``); the module runner and the controller action
remove those values from the task's result, as ``no_log`` values are removed.
"""

from __future__ import annotations

import os
import time
import traceback

from ansible_collections.sipfleet.provision.plugins.module_utils._notes import (
    basic_credentials, register_secret, secret_forms, warn_once,
)
from ansible_collections.sipfleet.provision.plugins.module_utils._transport import (
    Overdue, Session, backoff_delay, describe_exception, fetch, never_sent, parse_retry_after, redact_url,
)

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by missing_required_lib in modules
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

RETRY_STATUSES = frozenset((502, 503, 504))
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'))
"""Methods resent after a timeout or a dropped connection; others only when the request never left."""
_SCRUBBED = '********'


# --- errors ---------------------------------------------------------------------------

def http_argument_spec():
    """Connection options every service module shares (documented in doc_fragments/http_options.py)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=10),
        retries=dict(type='int', default=3),
        retry_max_wait=dict(type='float', default=60),
    )


def check_url(option, url, credentials=()):
    """None, or why the service URL ``url`` of ``option`` is refused before any request: it holds
    user information (``user:password@``: requests would send it as HTTP Basic with every
    request), a control character or white space (CR/LF would be sent as they are), or it is not
    ``http(s)://``. The password of the user information is registered as a secret, so that the
    task's arguments shown with the failure do not carry it either; ``credentials`` names the
    options where credentials belong. The reason never shows the URL's user information."""
    text = str(url or '')
    userinfo, at, host = text.partition('//')[2].partition('/')[0].rpartition('@')
    if at:
        user, colon, password = userinfo.partition(':')
        register_secret(password if colon else user)  # a user name is no secret, a lone user part may be a token
        names = list(credentials)
        where = ' and '.join([', '.join(names[:-1]), names[-1]] if len(names) > 1 else names)
        return ('%s must not hold credentials (user:password@): give them in %s, never in the URL'
                % (option, where or "the module's credential options"))
    bad = [char for char in text if char.isspace() or ord(char) < 32 or ord(char) == 127]
    if bad:
        return '%s holds %s (%r): a URL cannot contain control characters or white space' % (
            option, 'a control character' if bad[0] != ' ' else 'a space', bad[0])
    if not text.lower().startswith(('http://', 'https://')):
        return '%s must be an http:// or https:// URL, not %r' % (option, redact_url(text))
    port = host.rpartition(']')[2].partition(':')[2]
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        return '%s has the port %r: a port is a number from 1 to 65535' % (option, port)
    return None


class ApiError(Exception):
    """A failed call: HTTP status, the service's error code and message, method and URL.

    ``unreachable`` marks a request that never reached the server (refused, no route,
    no answer to the connection): the controller action reports the host unreachable.
    """

    def __init__(self, message, status=None, code=None, method=None, url=None, unreachable=False):
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.url = redact_url(url) if url else url
        self.unreachable = unreachable
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


class InputError(ApiError):
    """Bad input, found before any request: fails like an argument error (``msg`` only)."""

    def to_result(self):
        return dict(msg=str(self))


def _json_body(response):
    """The decoded JSON body of ``response``, or None when it carries none."""
    try:
        return response.json()
    except ValueError:
        return None


def error_text(response, refused_in=None):
    """(code, message) from a JSON error body of any of the services' shapes, else the reason:
    ``{"errors": [{"errorCode", "message"}]}`` (RingCentral), ``{"error": {"code", "message"}}``
    (Vobiz, BAS-IP monitors), ``{"error": "..."}`` (BAS-IP, OAuth with ``error_description``),
    ``{"message"}``. ``refused_in`` names the key of the error object that lists the refused
    parameters, named after the message (never their values): ``data`` (BAS-IP monitors,
    ``{param: why}``) or ``details`` (Vobiz, ``{"errors": [{"field", "message"}]}``)."""
    body = _json_body(response)
    reason = response.reason or 'request failed'
    if not isinstance(body, dict):
        return None, reason
    errors, err = body.get('errors'), body.get('error')
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code, message = errors[0].get('errorCode'), errors[0].get('message') or reason
    elif isinstance(err, dict):
        code, message = err.get('code'), (err.get('message') or reason) + _refused(err.get(refused_in))
    elif isinstance(err, str):
        code, message = None, body.get('error_description') or err
    elif isinstance(body.get('message'), str):
        code, message = body.get('code') or body.get('errorCode'), body['message']
    else:
        code, message = None, reason
    return (code if isinstance(code, str) else None), message


def _refused(listed):
    """`` (a, b)`` for ``{param: why}``, `` [field: message; ...]`` for ``{"errors": [...]}``, else ''."""
    if isinstance(listed, dict) and isinstance(listed.get('errors'), list):
        named = ['%s: %s' % (e.get('field'), e.get('message') or e.get('code'))
                 for e in listed['errors'] if isinstance(e, dict) and e.get('field')]
        return ' [%s]' % '; '.join(named) if named else ''
    if isinstance(listed, dict) and listed:
        return ' (%s)' % ', '.join(sorted(map(str, listed)))
    return ''


def json_object(response, service, empty_ok=True):
    """The JSON object ``response`` carries (``{}`` for an empty body when ``empty_ok``);
    an ApiError naming ``service`` when it carries anything else."""
    if not response.content and empty_ok:
        return {}
    body = _json_body(response)
    if not isinstance(body, dict):
        raise ApiError('%s answered with a body that is not a JSON object' % service,
                       status=response.status_code, method=response.request.method, url=response.url)
    return body


# --- authentication ----------------------------------------------------------------------

class TokenAuth:
    """The auth hook of :class:`HttpClient`: a bearer token, obtained when first needed.

    A service subclasses it and implements :meth:`login` (return the token; send its
    requests with ``http.request(..., authenticated=False)``), and where the service
    has them :meth:`logout` and :meth:`expired`. ``secrets`` lists values derived from
    the user's credentials (a password digest) that must never be shown; the token is
    registered as a secret too. ``token`` may be given (a ready access token).
    """

    scheme = 'Bearer'

    def __init__(self, token=None, secrets=()):
        self.token = token or None
        self.secrets = tuple(secrets)

    def headers(self):
        return {'Authorization': '%s %s' % (self.scheme, self.token)}

    def login(self, http):
        raise NotImplementedError

    def expired(self, response):
        """True when ``response`` (a 401) says the token must be replaced."""
        return True

    def logout(self, http, token):
        """End the session of ``token`` (errors are ignored by the caller)."""


# --- the client ----------------------------------------------------------------------------

class Closing:
    """A context manager whose exit calls ``close()``."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class ServiceClient(Closing):
    """A service's API client on one :class:`HttpClient`, ``self.http``: closing it logs out
    (when the auth hook has a session) and releases the connections."""

    http = None

    def close(self):
        self.http.close()


class HttpClient(Closing):
    """``requests.Session`` with a base URL, retries, auth and clean errors; a context manager.

    ``refused_in`` names where the service's error bodies list the refused parameters (see
    :func:`error_text`). ``default_retry_after`` is used for 429 answers without the header.
    ``url_option`` names the option the base URL came from, for error messages.
    """

    def __init__(self, base_url, timeout=10, validate_certs=True, ca_path=None,
                 retries=3, retry_max_wait=60, headers=None, refused_in=None,
                 default_retry_after=None, backoff_base=0.5, sleep=time.sleep, auth=None,
                 url_option='api_url'):
        if not HAS_REQUESTS:
            raise ApiError('the Python library "requests" is required')
        refused = check_url(url_option, base_url)
        if refused:
            raise InputError(refused)
        if ca_path and not os.path.isfile(ca_path):
            raise InputError('ca_path: no such file: %s' % ca_path)
        if not validate_certs and base_url.lower().startswith('https://'):
            warn_once('validate_certs=false: the TLS certificate of %s is not verified; give its CA in '
                      'ca_path instead' % redact_url(base_url))
        self.base_url, self.timeout, self.verify = base_url.rstrip('/'), timeout, ca_path or bool(validate_certs)
        self.retries, self.retry_max_wait, self.backoff_base = retries, retry_max_wait, backoff_base
        self.default_retry_after, self.refused_in = default_retry_after, refused_in
        self.sleep, self.auth, self.secrets = sleep, auth, set()
        self.session = Session()
        if headers:
            self.session.headers.update(headers)
        for secret in getattr(auth, 'secrets', ()):
            self.register_secret(secret)

    @classmethod
    def from_params(cls, params, url_option='api_url', **kwargs):
        """A client for the module options ``params`` (``url_option`` and the HTTP options)."""
        options = dict((name, params[name]) for name in http_argument_spec())
        options.update(kwargs)
        return cls(params[url_option], url_option=url_option, **options)

    def register_secret(self, value):
        """Keep ``value``, in each of its forms, out of this client's errors and out of the task's result."""
        if value:
            self.secrets.update(secret_forms(value))
            register_secret(value)

    def scrub(self, text):
        """``text`` with every registered secret, query string and URL credential removed."""
        text = redact_url(text)
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, _SCRUBBED)
        return text

    def close(self):
        """Log out (when the auth hook has a session; errors ignored) and release connections."""
        try:
            if self.auth is not None and self.auth.token is not None:
                self.auth.logout(self, self.auth.token)
        except ApiError:
            pass
        finally:
            if self.auth is not None:
                self.auth.token = None
            self.session.close()

    def error_text(self, response):
        """(code, message) of the service's error ``response`` (:func:`error_text`)."""
        return error_text(response, self.refused_in)

    def url(self, path):
        return path if path.startswith(('http://', 'https://')) else self.base_url + path

    def request(self, method, path, ok=(200,), authenticated=True, **kwargs):
        """Send (with the auth hook's token unless ``authenticated=False``), retrying what is
        safe to retry; return the response whose status is in ``ok``."""
        if self.auth is None or not authenticated:
            return self._send(method, self.url(path), ok, kwargs)
        for attempt in (1, 2):
            if self.auth.token is None:
                self.auth.token = self.auth.login(self)
                self.register_secret(self.auth.token)
            headers = dict(kwargs.get('headers') or {}, **self.auth.headers())
            response = self._send(method, self.url(path), tuple(ok) + (401,), dict(kwargs, headers=headers))
            if response.status_code in ok or attempt == 2 or not self.auth.expired(response):
                break
            self.auth.token = None
        if response.status_code not in ok:
            raise self.error(response, method, response.url)
        return response

    def _send(self, method, url, ok, kwargs):
        kwargs.setdefault('verify', self.verify)
        if isinstance(kwargs.get('auth'), tuple):  # HTTP Basic: the header is as good as the secret
            self.register_secret(basic_credentials(*kwargs['auth']))
        attempt = 0
        while True:
            try:
                response = fetch(self.session, method, url, self.timeout, **kwargs)
            except Overdue:
                raise ApiError('the answer did not arrive in full within timeout=%gs (the timeout option bounds '
                               'the whole request); not resent: the server is answering too slowly'
                               % self.timeout, method=method, url=url) from None
            except requests.exceptions.RequestException as exc:
                if attempt >= self.retries or not self.may_resend(method, exc):
                    raise self.connection_error(exc, method, url, attempt) from None
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

    @staticmethod
    def may_resend(method, exc):
        """Whether a request that failed with ``exc`` may be sent again: never after a TLS
        verification error; idempotent methods after any connection error or timeout; others
        (POST) only when the request provably never reached the server."""
        if isinstance(exc, requests.exceptions.SSLError):
            return False
        return method.upper() in IDEMPOTENT_METHODS or never_sent(exc)

    def connection_error(self, exc, method, url, retried):
        """The ApiError of a request that got no answer, naming the option that governs it."""
        tries = 'after %d attempt(s)' % (retried + 1)
        if isinstance(exc, requests.exceptions.SSLError):
            text = 'TLS error, not retried (check validate_certs and ca_path): %s' % describe_exception(exc)
        elif isinstance(exc, requests.exceptions.ConnectTimeout):
            text = 'could not connect within timeout=%gs %s' % (self.timeout, tries)
        elif isinstance(exc, requests.exceptions.Timeout):
            text = 'no answer within timeout=%gs (the timeout option) %s' % (self.timeout, tries)
        else:
            text = 'connection failed %s: %s' % (tries, describe_exception(exc))
        if retried < self.retries and not self.may_resend(method, exc) and not isinstance(
                exc, requests.exceptions.SSLError):
            text += '; not resent: the %s may have reached the server' % method
        return ApiError(self.scrub(text), method=method, url=url, unreachable=never_sent(exc))

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
        return ApiError(self.scrub(message), status=status, code=code, method=method, url=url)
