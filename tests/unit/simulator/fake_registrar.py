# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny SIP registrar on loopback (UDP and TCP on one port) for the user agent's unit tests.

It challenges every REGISTER without credentials (``qop=auth`` or none), checks the digest
response of RFC 2617 itself, and keeps bindings with their expiry. ``requests`` records what
came in (method line, whether credentials were sent, the answer).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import socket
import threading
import time

from ansible_collections.sipfleet.provision.tests.simulator.sip_ua import SipMessage, parse_params


def _md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class FakeRegistrar:
    def __init__(self, domains, users, qop=True, answer=None):
        self.domains = dict(domains)   # To domain -> digest realm
        self.users = dict(users)       # (realm, auth user) -> password
        self.qop = qop
        self.answer = answer           # a fixed status to send instead (e.g. 503), or None
        self.bindings = {}             # AOR -> expiry time
        self.requests = []
        self.nonces = set()
        self.lock = threading.Lock()
        self.udp, self.tcp = self._bind_pair()
        self.port = self.udp.getsockname()[1]
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve_udp, daemon=True),
                        threading.Thread(target=self._serve_tcp, daemon=True)]
        for thread in self.threads:
            thread.start()

    @staticmethod
    def _bind_pair():
        """A UDP and a TCP socket on one port of 127.0.0.1."""
        for attempt in range(20):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(('127.0.0.1', 0))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(('127.0.0.1', udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(8)
            return udp, tcp
        raise OSError('no port free for both UDP and TCP')

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(2)
        self.udp.close()
        self.tcp.close()

    def registered(self):
        now = time.time()
        with self.lock:
            return sorted(aor for aor, expiry in self.bindings.items() if expiry > now)

    # --- SIP ---------------------------------------------------------------
    def _serve_udp(self):
        self.udp.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                data, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            self.udp.sendto(self.handle(data, 'udp'), peer)

    def _serve_tcp(self):
        self.tcp.settimeout(0.1)
        while not self.stopping.is_set():
            try:
                conn = self.tcp.accept()[0]
            except socket.timeout:
                continue
            thread = threading.Thread(target=self._serve_connection, args=(conn,), daemon=True)
            thread.start()

    def _serve_connection(self, conn):
        """Requests of one connection (no body: REGISTER has none) until it closes."""
        with conn:
            conn.settimeout(0.1)
            data = b''
            while not self.stopping.is_set():
                while b'\r\n\r\n' in data:
                    head, data = data.split(b'\r\n\r\n', 1)
                    conn.sendall(self.handle(head, 'tcp'))
                try:
                    chunk = conn.recv(65535)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                data += chunk

    def handle(self, data, transport):
        request = SipMessage(data)
        status, extra = self._decide(request)
        with self.lock:
            self.requests.append(dict(line=request.first, transport=transport, status=status,
                                      credentials=request.header('Authorization') is not None,
                                      expires=request.header('Expires')))
        lines = ['SIP/2.0 %d %s' % (status, {200: 'OK', 401: 'Unauthorized'}.get(status, 'Error'))]
        lines += ['%s: %s' % (name.title(), request.header(name))
                  for name in ('via', 'from', 'to', 'call-id', 'cseq')]
        return '\r\n'.join(lines + extra + ['Content-Length: 0', '', '']).encode()

    def _decide(self, request):
        if self.answer:
            return self.answer, []
        aor = re.search(r'<([^>]+)>', request.header('To')).group(1)
        realm = self.domains.get(aor.split('@')[-1])
        if realm is None:
            return 404, []
        credentials = request.header('Authorization')
        if credentials is None or not self._valid(parse_params(credentials[6:]), realm):
            nonce = secrets.token_hex(8)
            self.nonces.add(nonce)
            qop = ', qop="auth"' if self.qop else ''
            return 401, ['WWW-Authenticate: Digest realm="%s", nonce="%s"%s, algorithm=MD5' % (realm, nonce, qop)]
        expires = int(request.header('Expires'))
        with self.lock:
            if expires:
                self.bindings[aor] = time.time() + expires
            else:
                self.bindings.pop(aor, None)
        contact = request.header('Contact')
        return 200, ['Contact: %s;expires=%d' % (contact, expires)] if expires else []

    def _valid(self, answer, realm):
        password = self.users.get((realm, answer.get('username')))
        if password is None or answer.get('realm') != realm or answer.get('nonce') not in self.nonces:
            return False
        ha1 = _md5('%s:%s:%s' % (answer['username'], realm, password))
        ha2 = _md5('REGISTER:%s' % answer['uri'])
        if self.qop:
            if answer.get('qop') != 'auth':
                return False
            parts = (ha1, answer['nonce'], answer['nc'], answer['cnonce'], 'auth', ha2)
        else:
            parts = (ha1, answer['nonce'], ha2)
        return _md5(':'.join(parts)) == answer.get('response')
