# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's HTTP plumbing: many listeners in one process, a request log,
fault injection and the control API. Standard library only; loopback only.

A service is an *app*: ``handle(request) -> Response`` plus ``control(request, path)``
for its own control routes. Each app instance (a panel, an account) is a *target*
with a name and its own listening socket.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import selectors
import socket
import threading
import time
import urllib.parse

SECRET_KEYS = frozenset(('password', 'assertion', 'client_secret', 'access_token', 'refresh_token',
                         'token', 'jwt', 'auth_token'))
MASKED = '***'


def masked(value):
    """A copy of a query or JSON body with every secret-looking value replaced."""
    if isinstance(value, dict):
        return dict((k, MASKED if k.lower() in SECRET_KEYS else masked(v)) for k, v in value.items())
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


class Request:
    def __init__(self, method, target, headers, body, client=None):
        url = urllib.parse.urlsplit(target)
        self.client = client  # the client's address
        self.method = method
        self.path = url.path
        self.query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        self.headers = headers
        self.body = body

    def json(self):
        """The JSON body; raises ValueError when it is missing or not JSON."""
        if not self.body:
            raise ValueError('no body')
        return json.loads(self.body)

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode('utf-8'), keep_blank_values=True))


class Response:
    """An answer; ``trickle`` (seconds) sends its body one byte at a time, that long apart, and
    its status line and headers too with ``trickle_head``."""

    def __init__(self, status=200, body=None, headers=None, trickle=None, trickle_head=False):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.trickle = trickle
        self.trickle_head = trickle_head

    def payload(self):
        if self.body is None:
            return b''
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode('utf-8')
        self.headers.setdefault('Content-Type', 'application/json')
        return json.dumps(self.body).encode('utf-8')


def json_response(status, body=None, **headers):
    return Response(status, body, headers)


class Fault:
    """One injected fault: answer ``status`` (with ``retry_after``), wait ``delay`` seconds,
    ``drop`` the connection, or ``expire_tokens`` before handling; ``echo``: answer ``status``
    with an error in the service's shape whose message is the whole request (request line,
    headers, body), as services that echo a request in their errors do; ``trickle``: the
    normal answer with its body sent one byte every ``delay`` seconds, with ``headers`` its status
    line and headers first, the same way; ``signal``: send ``signum`` to the process whose id is in
    the file ``pid_file`` (to its whole process group with ``group``; once per process), then drop the
    connection unanswered, as a client interrupted (Ctrl-C, SIGKILL) at that request would leave it;
    ``count`` times."""

    KINDS = ('status', 'delay', 'drop', 'expire_tokens', 'echo', 'trickle', 'signal')

    def __init__(self, kind, count=1, method=None, path=None, status=503, retry_after=None,
                 delay=0.0, body=None, headers=False, pid_file=None, signum=2, group=False):
        if kind not in self.KINDS:
            raise ValueError('unknown fault kind %r' % kind)
        if headers and kind != 'trickle':
            raise ValueError('headers: only a trickle sends its headers slowly')
        if (kind == 'signal') != (pid_file is not None):
            raise ValueError('pid_file: a signal fault needs it, and only a signal fault takes it')
        self.pid_file, self.signum, self.group = pid_file, int(signum), bool(group)
        self.kind, self.count, self.method, self.path = kind, int(count), method, path
        self.status, self.retry_after, self.delay, self.body = int(status), retry_after, float(delay), body
        self.headers = bool(headers)

    def matches(self, request):
        return ((self.method is None or self.method == request.method)
                and (self.path is None or request.path.startswith(self.path)))


class Simulator:
    """Owns every listener, the request log and the faults; serves them from one selector thread."""

    def __init__(self, host='127.0.0.1'):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError('the simulator listens on loopback addresses only, not %s' % host)
        self.host = host
        self.targets = {}
        self.log = []
        self.faults = {}
        self.lock = threading.Lock()
        self.signalled = set()  # processes (or groups) a signal fault has signalled
        self.selector = selectors.DefaultSelector()
        self.running = False
        self.thread = None

    # --- targets -------------------------------------------------------
    def add(self, name, app, host=None, port=0):
        """Listen for ``app`` on ``host:port`` (port 0: any free one); return its base URL."""
        host = host or self.host
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError('loopback addresses only, not %s' % host)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
        url = 'http://%s:%d' % sock.getsockname()
        app.name = name
        self.targets[name] = dict(app=app, url=url, sock=sock)
        self.selector.register(sock, selectors.EVENT_READ, name)
        return url

    def urls(self):
        return dict((name, t['url']) for name, t in self.targets.items())

    # --- serving -------------------------------------------------------
    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._accept_loop, name='simulator', daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        if self.thread:
            self.thread.join(2)
        for target in self.targets.values():
            target['sock'].close()

    def _accept_loop(self):
        while self.running:
            for key, _events in self.selector.select(0.2):
                try:
                    conn, addr = key.fileobj.accept()
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                # Answers are written as headers then body: without TCP_NODELAY, Nagle's
                # algorithm and the client's delayed ACK hold each answer back ~40 ms.
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                threading.Thread(target=_serve_connection, args=(conn, addr, _Context(self, key.data)),
                                 daemon=True).start()

    # --- log and faults ------------------------------------------------
    def record(self, target, request, status, note=None):
        entry = dict(target=target, method=request.method, path=request.path,
                     query=masked(request.query), status=status, time=time.time())
        try:
            entry['body'] = masked(request.json())
        except ValueError:
            if request.body:
                entry['body'] = MASKED
        if note:
            entry['fault'] = note
        with self.lock:
            entry['seq'] = len(self.log)
            self.log.append(entry)

    def take_fault(self, target, request):
        with self.lock:
            for fault in self.faults.get(target, []):
                if fault.count > 0 and fault.matches(request):
                    fault.count -= 1
                    return fault
        return None

    def _signal(self, fault):
        """Signal the process (or group) named by ``fault.pid_file`` once (one already signalled is not)."""
        with open(fault.pid_file) as handle:
            pid = int(handle.read().strip())
        with self.lock:
            if pid in self.signalled:
                return
            self.signalled.add(pid)
        try:
            (os.killpg if fault.group else os.kill)(pid, fault.signum)
        except ProcessLookupError:  # the run has ended already
            pass

    def dispatch(self, target, request):
        """Answer one request: apply a fault if one matches, else ask the app."""
        app = self.targets[target]['app']
        fault = self.take_fault(target, request)
        if fault is not None:
            if fault.kind == 'signal':
                self._signal(fault)
            if fault.kind in ('drop', 'signal'):
                self.record(target, request, None, fault.kind)
                return None
            if fault.kind in ('status', 'echo'):
                headers = {} if fault.retry_after is None else {'Retry-After': str(fault.retry_after)}
                body = fault.body if fault.body is not None else app.fault_body(fault.status)
                if fault.kind == 'echo':
                    body = with_message(app.fault_body(fault.status), echo(request))
                response = Response(fault.status, body, headers)
                self.record(target, request, response.status, fault.kind)
                return response
            if fault.kind == 'delay':
                time.sleep(fault.delay)
            if fault.kind == 'expire_tokens':
                app.expire_tokens()
        try:
            response = app.handle(request)
        except Exception as exc:  # a simulator bug must show up as a 500, not a hang
            response = Response(500, {'error': 'simulator error: %s' % exc})
        if fault is not None and fault.kind == 'trickle':
            response.trickle, response.trickle_head = fault.delay, fault.headers
        if app.logged:
            self.record(target, request, response.status, fault.kind if fault else None)
        return response


def echo(request):
    """The request as text: request line (with its query), every header, the body."""
    target = request.path + ('?' + urllib.parse.urlencode(request.query) if request.query else '')
    headers = ''.join('%s: %s\r\n' % item for item in request.headers.items())
    return '%s %s\r\n%s\r\n%s' % (request.method, target, headers, request.body.decode('utf-8', 'replace'))


def with_message(body, text):
    """A copy of an error ``body`` (any service's shape) with each message replaced by ``text``:
    values of ``message``, ``error_description`` and string ``error`` keys, nested."""
    if isinstance(body, list):
        return [with_message(item, text) for item in body]
    if not isinstance(body, dict):
        return text
    return dict((key, text if key in ('message', 'error_description') or (key == 'error' and isinstance(value, str))
                 else with_message(value, text) if isinstance(value, (dict, list)) else value)
                for key, value in body.items())


class _Context:
    """What a connection handler needs: the simulator and the target it serves."""

    def __init__(self, simulator, target):
        self.simulator = simulator
        self.target = target


def _serve_connection(conn, addr, context):
    try:
        _Handler(conn, addr, context)
    except OSError:
        pass
    finally:
        conn.close()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    timeout = 30

    def log_message(self, format, *args):  # quiet: the request log is the record
        pass

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        request = Request(self.command, self.path, self.headers, body, client=self.client_address[0])
        response = self.server.simulator.dispatch(self.server.target, request)
        if response is None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = response.payload()
        headers = dict(response.headers, **{'Content-Length': str(len(payload))})
        if response.trickle_head:  # the whole answer, status line first, trickles
            payload = self._head(response.status, headers) + payload
        else:
            self.send_response(response.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
        if response.trickle is None:
            self.wfile.write(payload)
            return
        self.wfile.flush()
        for index in range(len(payload)):  # ends at the payload's end, or when the client hangs up
            time.sleep(response.trickle)
            self.wfile.write(payload[index:index + 1])
            self.wfile.flush()

    def _head(self, status, headers):
        """The status line and headers of an answer, as bytes."""
        lines = ['%s %d %s' % (self.protocol_version, status, self.responses.get(status, ('',))[0])]
        lines += ['%s: %s' % item for item in headers.items()]
        return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class App:
    """Base of a simulated service; subclasses implement ``handle`` and ``control``."""

    name = None
    logged = True

    def handle(self, request):
        raise NotImplementedError

    def control(self, request, path):
        return json_response(404, {'error': 'no control route %s' % path})

    def fault_body(self, status):
        return {'error': 'injected fault %d' % status}

    def expire_tokens(self):
        pass


class ControlApp(App):
    """The control API, on its own listener.

    - ``GET /targets``: every target's base URL.
    - ``GET /log[?target=NAME]``, ``DELETE /log``: the request log (secrets masked).
    - ``POST /faults`` ``{"target", "kind", ...Fault options}``; ``DELETE /faults``.
    - ``/targets/NAME/...``: the target's own control routes (state, out-of-band changes).
    """

    logged = False

    def __init__(self, simulator):
        self.simulator = simulator

    def handle(self, request):
        sim = self.simulator
        parts = [p for p in request.path.split('/') if p]
        if parts == ['targets'] and request.method == 'GET':
            return json_response(200, sim.urls())
        if parts == ['log'] and request.method == 'GET':
            wanted = request.query.get('target')
            with sim.lock:
                entries = [e for e in sim.log if wanted in (None, e['target'])]
            return json_response(200, entries)
        if parts == ['log'] and request.method == 'DELETE':
            with sim.lock:
                del sim.log[:]
            return json_response(200, {})
        if parts == ['faults'] and request.method == 'POST':
            spec = request.json()
            names = spec.pop('target')
            for name in names if isinstance(names, list) else [names]:
                if name not in sim.targets:
                    return json_response(404, {'error': 'unknown target %s' % name})
                with sim.lock:
                    sim.faults.setdefault(name, []).append(Fault(**spec))
            return json_response(200, {})
        if parts == ['faults'] and request.method == 'DELETE':
            with sim.lock:
                sim.faults.clear()
            return json_response(200, {})
        if len(parts) >= 2 and parts[0] == 'targets' and parts[1] in sim.targets:
            return sim.targets[parts[1]]['app'].control(request, '/' + '/'.join(parts[2:]))
        return json_response(404, {'error': 'unknown control route'})

    def fault_body(self, status):
        return {}
