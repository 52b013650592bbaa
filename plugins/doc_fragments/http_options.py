# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # HTTP options shared by every module that calls a service API.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate when the service URL uses C(https).
      - Set to V(false) only on trusted networks; to trust a self-signed certificate, keep V(true)
        and give its CA (or the certificate itself) in O(ca_path) instead. V(false) on an C(https) URL
        shows a warning (once per task).
      - This option and O(ca_path) win over the C(REQUESTS_CA_BUNDLE) and C(CURL_CA_BUNDLE) environment
        variables.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificate(s) that sign the server's certificate (certificate pinning
        for devices with self-signed certificates). Used instead of the system's CA store.
      - A file that does not exist fails the task before any request.
    type: path
  timeout:
    description:
      - Seconds a whole request may take, as one deadline. Connecting, sending it, the wait for the
        answer's status line and headers, and its entire body count together. A server that sends its
        answer slowly (a few bytes at a time, in its headers or its body) fails the request once this
        time has passed since it started, however much it has sent; such a request is not resent,
        whatever the method.
      - A request that got no answer at all by then (not one byte), or whose connection could not be
        made, may be sent again as O(retries) says, each attempt with its own O(timeout).
      - An error after a timeout says so and names this option.
    type: float
    default: 10
  retries:
    description:
      - How many times a request is retried after a connection error, a timeout, or an answer of
        502, 503, 504 or 429. Waits grow exponentially (0.5 s, 1 s, 2 s, ... capped at 8 s) with jitter;
        a 429 waits for its C(Retry-After).
      - GET, PUT and DELETE are retried after any connection error or timeout. A POST is retried only
        when the connection could not be made (refused, connect timeout), never after a read timeout or
        a dropped connection, because it may have reached the server. TLS certificate errors are not
        retried.
      - V(0) disables retries.
    type: int
    default: 3
  retry_max_wait:
    description:
      - The longest C(Retry-After) (seconds) the module waits for after a 429 answer. A longer
        one fails the task at once with a clear error rather than blocking the run.
    type: float
    default: 60
notes:
  - HTTP(S) proxies are taken from the environment (C(HTTPS_PROXY), C(HTTP_PROXY), C(NO_PROXY)).
  - A service URL that holds credentials (C(https://user:password@host)) or a control character or
    white space is refused before any request; credentials go in the module's credential options.
  - Secrets (the credential options, write-only values such as passwords, tokens and digests the module
    derives) are removed from the task's output in every form a service may echo them in (as they are,
    JSON-escaped, URL-encoded, inside an HTTP Basic header, as an MD5 digest).
  - When the task runs on the controller (the action plugin), a service that cannot be reached at all
    (connection refused, no route, connect timeout, after the retries) makes the host unreachable;
    run as a module on a remote host, the task fails.
requirements:
  - requests
'''
