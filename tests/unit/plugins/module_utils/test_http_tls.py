# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS options against a panel with a self-signed certificate, served on loopback."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading

import pytest

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError, HttpClient
from ansible_collections.sipfleet.provision.plugins.module_utils._notes import collect_notes


def _self_signed(directory, name):
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files in ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / ('%s.pem' % name), directory / ('%s.key' % name)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with ``{}`` and records its path (an absolute URL when asked as a proxy)."""
    requests = []

    def do_GET(self):  # noqa: N802 - the http.server API
        RecordingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'{}')

    def log_message(self, *args):
        pass


class _Handshakes(http.server.ThreadingHTTPServer):
    attempts = 0

    def get_request(self):
        _Handshakes.attempts += 1
        return super().get_request()


@pytest.fixture(scope='module')
def tls_panel(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; yields (url, its cert, another CA)."""
    directory = tmp_path_factory.mktemp('tls')
    cert, key = _self_signed(directory, 'panel')
    other_ca, _other_key = _self_signed(directory, 'other-ca')
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = _Handshakes(('127.0.0.1', 0), RecordingHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.1), daemon=True)
    thread.start()
    yield 'https://127.0.0.1:%d' % server.server_address[1], cert, other_ca
    server.shutdown()
    server.server_close()


@pytest.fixture
def ca_bundle_env(tls_panel, monkeypatch):
    """Both environment bundles point at a CA that did not sign the panel's certificate."""
    _url, _cert, other_ca = tls_panel
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', other_ca)
    monkeypatch.setenv('CURL_CA_BUNDLE', other_ca)
    RecordingHandler.requests[:] = []


def test_ca_path_wins_over_the_environment_bundles(tls_panel, ca_bundle_env):
    url, cert, _other = tls_panel
    with HttpClient(url, ca_path=cert, retries=0) as client:
        assert client.request('GET', '/api/info').status_code == 200
    assert RecordingHandler.requests == ['/api/info']


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_validate_certs_false_wins_over_the_environment_and_warns_once(tls_panel, ca_bundle_env):
    url, _cert, _other = tls_panel
    with collect_notes() as notes:
        for _run in range(2):
            with HttpClient(url, validate_certs=False, retries=0) as client:
                client.request('GET', '/api/info')
    assert RecordingHandler.requests == ['/api/info'] * 2
    assert len(notes.warnings) == 1 and notes.warnings[0].startswith('validate_certs=false: the TLS certificate')


def test_an_unverifiable_certificate_fails_at_once(tls_panel, ca_bundle_env):
    url, _cert, other_ca = tls_panel
    sleeps = []
    before = _Handshakes.attempts
    with pytest.raises(ApiError) as info:
        HttpClient(url, ca_path=other_ca, retries=3, sleep=sleeps.append).request('GET', '/api/info')
    assert 'TLS error, not retried (check validate_certs and ca_path)' in str(info.value)
    assert sleeps == [] and _Handshakes.attempts - before == 1 and RecordingHandler.requests == []
    assert not info.value.unreachable
