# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A panel's SIP user agent: REGISTER, digest authentication, refresh, unregister.

Standard library only; it sends to loopback addresses only. One ``UserAgent`` per panel:
``apply(settings, enabled)`` gives it the panel's SIP settings (the keys of
``GET /api/v1/device/sip/settings``); a worker thread then registers, refreshes and
unregisters, and calls ``report(status)`` with each outcome.

How a panel's settings become a registration (RFC 3261 §10.2, digest per RFC 2617 §3.2.2 and
RFC 3261 §22.4). BAS-IP does not document it; this is the layout every common SIP stack uses
(confidence L): the address of record is ``sip:{user}@{proxy host}``, the Request-URI
``sip:{proxy host[:port]}``; the request goes to ``outbound`` when set, else to the proxy
(port 5060 by default); the digest is answered with ``user_id`` (``user`` when empty) and the
password, and only for a challenge whose realm is the panel's ``realm`` (a stack keeps its
credentials per realm: a challenge from another realm finds none). MD5 only; ``qop=auth`` or
no qop. ``tls`` is not simulated.

Names are resolved with ``resolver``, a dict ``"host:port" -> (loopback ip, port)``; a name
that is not in it is not reached (the panel reports it), so no traffic leaves loopback.
``scale`` shortens every interval for tests: the ``Expires`` asked for is
``registration_interval * scale`` seconds, and the panel refreshes after ``REFRESH`` of what
the registrar granted.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import socket
import threading
import time

REFRESH = 0.6
"""The panel refreshes after this part of the granted expiry (a failed one is retried as soon)."""
TIMEOUT = 2.0
"""Seconds a transaction waits for its final answer (UDP retransmits from T1 = 0.25 s)."""
DEFAULT_PORT = 5060
REQUIRED = ('proxy', 'realm', 'user', 'password')


def parse_params(text):
    """``a="b", c=d`` (a challenge) -> dict with lower-case keys."""
    found = re.findall(r'([A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)', text)
    return dict((key.lower(), value[1:-1] if value.startswith('"') else value) for key, value in found)


def _md5(text):
    return hashlib.md5(text.encode('utf-8')).hexdigest()


def digest_authorization(challenge, method, uri, username, password, cnonce=None, nc=1):
    """The ``Authorization`` value answering one ``Digest`` challenge (a dict from parse_params)."""
    algorithm = challenge.get('algorithm', 'MD5')
    if algorithm.upper() != 'MD5':
        raise ValueError('unsupported digest algorithm %s' % algorithm)
    ha1 = _md5('%s:%s:%s' % (username, challenge['realm'], password))
    ha2 = _md5('%s:%s' % (method, uri))
    fields = [('username', username), ('realm', challenge['realm']), ('nonce', challenge['nonce']), ('uri', uri)]
    qops = [q.strip() for q in challenge.get('qop', '').split(',') if q.strip()]
    if qops and 'auth' not in qops:
        raise ValueError('unsupported qop %s' % challenge['qop'])
    if qops:
        cnonce = cnonce or secrets.token_hex(8)
        count = '%08x' % nc
        response = _md5(':'.join((ha1, challenge['nonce'], count, cnonce, 'auth', ha2)))
    else:
        response = _md5(':'.join((ha1, challenge['nonce'], ha2)))
    fields += [('response', response), ('algorithm', 'MD5')]
    if 'opaque' in challenge:
        fields.append(('opaque', challenge['opaque']))
    text = ', '.join('%s="%s"' % pair for pair in fields)
    if qops:
        text += ', qop=auth, nc=%s, cnonce="%s"' % (count, cnonce)
    return 'Digest ' + text


class SipMessage:
    """A parsed SIP response or request: ``first`` line, ``headers`` (lower-case name -> values)."""

    def __init__(self, data):
        head = data.split(b'\r\n\r\n', 1)[0].decode('utf-8', 'replace')
        lines = head.split('\r\n')
        self.first = lines[0]
        self.headers = {}
        for line in lines[1:]:
            name, value = line.partition(':')[::2]
            self.headers.setdefault(name.strip().lower(), []).append(value.strip())
        parts = self.first.split(' ', 2)
        self.status = int(parts[1]) if parts[0] == 'SIP/2.0' and parts[1].isdigit() else None
        self.reason = parts[2] if self.status is not None and len(parts) > 2 else ''

    def header(self, name, default=None):
        values = self.headers.get(name.lower())
        return values[0] if values else default


def split_host_port(value, default_port=DEFAULT_PORT):
    """``sip:host:port;params`` or ``host:port`` -> (host, port)."""
    text = re.sub(r'^sips?:', '', value.strip()).split(';', 1)[0].split('@')[-1]
    host, sep, port = text.rpartition(':')
    if not sep or not port.isdigit():
        return text, default_port
    return host, int(port)


class Account:
    """What one set of panel settings registers: built from the settings, compared as a whole."""

    def __init__(self, settings):
        self.user = settings['user']
        self.auth_user = settings.get('user_id') or settings['user']
        self.password = settings['password']
        self.realm = settings['realm']
        self.domain, self.proxy_port = split_host_port(settings['proxy'])
        self.transport = (settings.get('transport') or 'udp').lower()
        self.next_hop = split_host_port(settings.get('outbound') or settings['proxy'])
        self.interval = int(settings.get('registration_interval') or 300)
        port = '' if self.proxy_port == DEFAULT_PORT else ':%d' % self.proxy_port
        self.request_uri = 'sip:%s%s' % (self.domain, port)
        self.aor = 'sip:%s@%s' % (self.user, self.domain)

    def key(self):
        return (self.user, self.auth_user, self.password, self.realm, self.request_uri, self.transport,
                self.next_hop, self.interval)

    def __eq__(self, other):
        return isinstance(other, Account) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())


class Outcome(Exception):
    """A registration attempt that ended without a 2xx: ``code`` (SIP status or None) and ``reason``."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class _Closed(Exception):
    """The registrar closed the TCP connection."""


def _loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class UserAgent:
    """The SIP user agent of one panel (see the module's docs)."""

    def __init__(self, name, resolver, report, scale=1.0, timeout=TIMEOUT):
        self.name = name
        self.resolver = resolver  # shared: the registrar sync adds names as services appear
        self.report = report
        self.scale = scale
        self.timeout = timeout
        self.wanted = None        # Account to register, or None
        self.wanted_state = 'disabled'
        self.current = None       # Account registered (or being registered) now
        self.current_state = 'disabled'
        self.registered = False
        self.cseq = 0
        self.call_id = '%s@%s' % (secrets.token_hex(8), name)
        self.tag = secrets.token_hex(4)
        self.sock = self.sock_key = None
        self.buffer = b''
        self.branch = None
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name='sip-ua-' + name, daemon=True)
        self.thread.start()

    # --- the panel's side ----------------------------------------------
    def apply(self, settings, enabled=True):
        """New settings (or SIP switched on/off); the worker acts on them at once."""
        missing = [key for key in REQUIRED if not settings.get(key)]
        account, state = None, 'disabled'
        if enabled and missing:
            state = 'incomplete'
        elif enabled:
            account, state = Account(settings), 'registering'
        with self.lock:
            if account == self.wanted and state == self.wanted_state:
                return
            self.wanted, self.wanted_state = account, state
        self.wake.set()

    def request_stop(self):
        """Ask the worker to unregister and end (see ``stop``)."""
        self.stopping.set()
        self.wake.set()

    def stop(self):
        """Unregister and stop the worker; bounded by the transaction timeout."""
        self.request_stop()
        self.thread.join(self.timeout * 3 + 1)

    # --- the worker ----------------------------------------------------
    def _run(self):
        due = None
        while not self.stopping.is_set():
            self.wake.wait(None if due is None else max(0.0, due - time.monotonic()))
            self.wake.clear()
            if self.stopping.is_set():
                break
            with self.lock:
                wanted, state = self.wanted, self.wanted_state
            if wanted != self.current or state != self.current_state:
                if wanted != self.current:
                    self._unregister()
                    self.current, due = wanted, time.monotonic()
                self.current_state = state
                if wanted is None:
                    self._report(state)
            if self.current is not None and due is not None and time.monotonic() >= due:
                due = time.monotonic() + self._register()
            elif self.current is None:
                due = None
        self._unregister()
        self._close()

    def _register(self):
        """One REGISTER (with its challenge); reports, returns the seconds until the next one."""
        account = self.current
        expires = max(1, int(round(account.interval * self.scale)))
        try:
            granted = self._transaction(account, expires)
        except Outcome as outcome:
            self._report('failed', outcome.code, outcome.reason)
            return max(0.5, expires * REFRESH)
        self.registered = True
        self._report('registered', 200, 'OK', expires=granted)
        return max(0.2, granted * REFRESH)

    def _unregister(self):
        if self.current is None or not self.registered:
            return
        self.registered = False
        try:
            self._transaction(self.current, 0)
        except Outcome:
            pass  # the registrar keeps the binding until it expires
        self._report('unregistered')

    def _report(self, state, code=None, reason='', expires=None):
        status = dict(state=state, code=code, reason=reason, expires=expires, time=time.time())
        if self.current is not None:
            status.update(aor=self.current.aor, transport=self.current.transport)
        self.report(status)

    # --- SIP ---------------------------------------------------------------
    def _address(self, account):
        host, port = account.next_hop
        if _loopback(host):
            return host, port
        address = self.resolver.get('%s:%d' % (host, port))
        if address is None:
            raise Outcome(None, 'cannot resolve %s:%d' % (host, port))
        return address

    def _transaction(self, account, expires):
        """REGISTER until a final answer; answers one challenge; returns the granted expiry."""
        if account.transport not in ('udp', 'tcp'):
            raise Outcome(None, 'transport %s is not simulated' % account.transport)
        address = self._address(account)
        authorization = None
        for attempt in range(2):
            self.cseq += 1
            response = self._exchange(account, address, self._request(account, expires, authorization))
            if response.status in (401, 407) and authorization is None:
                authorization = self._answer(account, response)
                continue
            if response.status is not None and 200 <= response.status < 300:
                return self._granted(response, expires)
            break
        rejected = ' (credentials rejected)' if response.status in (401, 407) else ''
        raise Outcome(response.status, response.reason + rejected)

    def _answer(self, account, response):
        name = 'WWW-Authenticate' if response.status == 401 else 'Proxy-Authenticate'
        value = response.header(name, '')
        if not value.lower().startswith('digest'):
            raise Outcome(response.status, 'no digest challenge')
        challenge = parse_params(value[6:])
        if challenge.get('realm') != account.realm:
            raise Outcome(response.status, 'challenge realm %s is not the configured realm %s'
                          % (challenge.get('realm'), account.realm))
        try:
            value = digest_authorization(challenge, 'REGISTER', account.request_uri, account.auth_user,
                                         account.password)
        except ValueError as error:
            raise Outcome(response.status, str(error))
        return ('Authorization' if response.status == 401 else 'Proxy-Authorization', value)

    def _granted(self, response, asked):
        local = '@%s:%d' % self.sock.getsockname()[:2]
        for header in response.headers.get('contact', []):
            for contact in header.split(','):
                found = re.search(r';\s*expires=(\d+)', contact)
                if found and local in contact:
                    return int(found.group(1))
        value = response.header('Expires')
        return int(value) if value and value.isdigit() else asked

    def _request(self, account, expires, authorization):
        self.branch = 'z9hG4bK' + secrets.token_hex(8)
        transport = account.transport.upper()
        contact_params = ';transport=tcp' if account.transport == 'tcp' else ''
        lines = [
            'REGISTER %s SIP/2.0' % account.request_uri,
            'Via: SIP/2.0/%s {local};rport;branch=%s' % (transport, self.branch),
            'Max-Forwards: 70',
            'From: <%s>;tag=%s' % (account.aor, self.tag),
            'To: <%s>' % account.aor,
            'Call-ID: %s' % self.call_id,
            'CSeq: %d REGISTER' % self.cseq,
            'Contact: <sip:%s@{local}%s>' % (account.user, contact_params),
            'Expires: %d' % expires,
            'User-Agent: sipfleet-simulator %s' % self.name,
        ]
        if authorization:
            lines.append('%s: %s' % authorization)
        return '\r\n'.join(lines + ['Content-Length: 0', '', ''])

    def _final(self, data):
        message = SipMessage(data)
        if message.status is None or message.status < 200:
            return None
        if self.branch not in message.header('Via', '') or 'REGISTER' not in message.header('CSeq', ''):
            return None
        return message

    def _connection(self, account, address):
        """The panel's socket for this transport and address: one UDP socket, or one TCP
        connection kept open (so its Contact stays the same from one refresh to the next)."""
        key = (account.transport, address)
        if self.sock is not None and self.sock_key != key:
            self._close()
        if self.sock is None:
            family = socket.AF_INET6 if ':' in address[0] else socket.AF_INET
            try:
                if account.transport == 'udp':
                    sock = socket.socket(family, socket.SOCK_DGRAM)
                    sock.bind((address[0], 0))
                else:
                    sock = socket.create_connection(address, timeout=self.timeout)
            except OSError as error:
                raise Outcome(503, 'cannot connect to %s:%d: %s' % (address[0], address[1], error.strerror or error))
            self.sock, self.sock_key, self.buffer = sock, key, b''
        return self.sock

    def _close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _exchange(self, account, address, text):
        """Send one request, return its final answer; a kept TCP connection that the registrar
        closed meanwhile is opened again once."""
        for attempt in (1, 2):
            reused = self.sock is not None and self.sock_key == (account.transport, address)
            deadline = time.monotonic() + self.timeout
            sock = self._connection(account, address)
            payload = text.replace('{local}', '%s:%d' % sock.getsockname()[:2]).encode('utf-8')
            try:
                if account.transport == 'udp':
                    return self._exchange_udp(sock, address, payload, deadline)
                return self._exchange_tcp(sock, address, payload, deadline)
            except (OSError, _Closed) as error:
                self._close()
                if not (reused and attempt == 1):
                    reason = 'the registrar closed the connection' if isinstance(error, _Closed) else error.strerror
                    raise Outcome(503, 'connection to %s:%d failed: %s' % (address[0], address[1], reason or error))
        raise AssertionError('unreachable')

    def _exchange_udp(self, sock, address, payload, deadline):
        interval = 0.25
        while time.monotonic() < deadline:
            sock.sendto(payload, address)
            resend = min(deadline, time.monotonic() + interval)
            interval = min(interval * 2, 2.0)
            while time.monotonic() < resend:
                sock.settimeout(max(0.01, resend - time.monotonic()))
                try:
                    final = self._final(sock.recv(65535))
                except socket.timeout:
                    break
                if final is not None:
                    return final
        raise Outcome(408, 'Request Timeout (no answer from %s:%d)' % address)

    def _exchange_tcp(self, sock, address, payload, deadline):
        sock.sendall(payload)
        while time.monotonic() < deadline:
            while b'\r\n\r\n' in self.buffer:
                head, rest = self.buffer.split(b'\r\n\r\n', 1)
                length = int(SipMessage(head).header('Content-Length', '0') or 0)
                if len(rest) < length:
                    break
                self.buffer = rest[length:]
                final = self._final(head)
                if final is not None:
                    return final
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65535)
            except socket.timeout:
                break
            if not chunk:
                raise _Closed()
            self.buffer += chunk
        raise Outcome(408, 'Request Timeout (no answer from %s:%d over TCP)' % address)
