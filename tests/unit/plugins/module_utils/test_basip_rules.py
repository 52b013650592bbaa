# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The panel's validation table, with property-based tests of its expressions."""

from __future__ import annotations

import string
import time

import pytest
from hypothesis import given, strategies as st

from ansible_collections.sipfleet.provision.plugins.module_utils._basip_rules import (
    REQUIRED, check_outbound, check_settings, check_value, without_sip,
)

ALLOWED = string.ascii_letters + string.digits + ' ~!@#$%^&;*()_-+={[}]|"<,>.?/'
NOT_ALLOWED = "'`:\\\u00e9\u4e2d\x00"
octet = st.integers(0, 255)
ipv4 = st.tuples(octet, octet, octet, octet).map(lambda t: '.'.join(map(str, t)))
label = st.from_regex(r'[0-9a-z+_-]{0,5}[a-z+_-][0-9a-z+_-]{0,5}', fullmatch=True)
dns = st.lists(label, min_size=2, max_size=4).map('.'.join)
host = st.one_of(ipv4, dns)
port = st.integers(1, 65535).map(lambda p: ':%d' % p)
bad_port = st.one_of(st.just(0), st.integers(65536, 99999)).map(lambda p: ':%d' % p)


@given(host, st.one_of(st.just(''), port))
def test_proxy_accepts_sip_host_and_port(h, p):
    assert check_value('proxy', 'sip:' + h + p) is None
    assert check_value('realm', h + p) is None


@given(host, bad_port)
def test_ports_outside_1_to_65535_are_refused(h, p):
    assert check_value('proxy', 'sip:' + h + p) is not None
    assert check_value('realm', h + p) is not None
    assert check_value('outbound', h + p) is not None


@given(host)
def test_proxy_needs_the_sip_scheme(h):
    assert check_value('proxy', h) == ("proxy must be 'sip:' followed by an IPv4 address or DNS name, "
                                       "with an optional ':port' (1 to 65535)")
    assert check_value('proxy', 'sips:' + h) is not None


@given(st.tuples(st.integers(256, 999), octet, octet, octet))
def test_ipv4_octets_above_255_are_rejected(t):
    assert check_value('realm', '.'.join(map(str, t))) is not None


@given(label)
def test_names_need_a_dot(single):
    assert check_value('realm', single) is not None
    assert check_value('stun.ip', single) is not None


@given(host, port)
def test_stun_ip_takes_no_port(h, p):
    assert check_value('stun.ip', h) is None
    assert check_value('stun.ip', h + p) is not None


@given(st.text(ALLOWED, min_size=1, max_size=31))
def test_user_accepts_the_documented_characters(text):
    assert check_value('user', text) is None
    assert check_value('user_id', text) is None


@given(st.text(ALLOWED, min_size=32, max_size=64))
def test_user_is_at_most_31_characters(text):
    assert check_value('user', text) == ('user must be 1 to 31 characters: letters, digits, spaces and '
                                         '~!@#$%^&;*()_-+={[}]|"<,>.?/')


@given(st.text(ALLOWED, max_size=31), st.sampled_from(NOT_ALLOWED), st.data())
def test_other_characters_are_rejected(text, bad, data):
    at = data.draw(st.integers(0, len(text)))
    assert check_value('user', text[:at] + bad + text[at:]) is not None


@given(st.text(ALLOWED, max_size=40))
def test_password_is_6_to_31_characters(text):
    assert (check_value('password', text) is None) == (6 <= len(text) <= 31)


def test_user_id_may_be_empty_and_user_may_not():
    assert check_value('user_id', '') is None
    assert check_value('user', '') is not None


@given(st.integers(-1000, 2000))
def test_registration_interval_range(value):
    assert (check_value('registration_interval', value) is None) == (30 <= value <= 900)


@given(st.text(max_size=5))
def test_transport_is_one_of_three(value):
    assert (check_value('transport', value) is None) == (value in ('udp', 'tcp', 'tls'))


@pytest.mark.parametrize('name, value', [
    ('stun.port', True), ('stun.port', '3478'), ('registration_interval', 30.0), ('user', 101),
])
def test_wrong_types_are_rejected(name, value):
    assert check_value(name, value) is not None


def test_real_world_names():
    assert check_value('proxy', 'sip:sip112-191.ringcentral.com:5090') is None
    assert check_value('proxy', 'sip:192.0.2.20:5060') is None
    assert check_value('realm', 'sip.bas-ip.com') is None
    assert check_value('stun.ip', '127.0.0.1') is None


def test_check_settings_reports_every_problem_and_missing_keys():
    errors = check_settings({'proxy': 'pbx', 'user': 'x' * 40, 'stun': {'port': 0}, 'transport': None},
                            required=REQUIRED)
    assert errors == [
        'realm is required', 'password is required', 'stun.ip is required',
        "proxy must be 'sip:' followed by an IPv4 address or DNS name, with an optional ':port' (1 to 65535)",
        'user must be 1 to 31 characters: letters, digits, spaces and ~!@#$%^&;*()_-+={[}]|"<,>.?/',
        'stun.port must be an integer from 1 to 65535',
    ]


CONTROL = ''.join(map(chr, range(0, 32))) + '\x7f\x85\u2028\u2029\u00a0\u3000'


@given(st.text(ALLOWED, max_size=30), st.sampled_from(CONTROL), st.data())
def test_control_characters_and_other_white_space_are_refused(text, bad, data):
    """The published ``\\s`` lets newline, tab and CR in; they cannot appear in a SIP header."""
    at = data.draw(st.integers(0, len(text)))
    value = text[:at] + bad + text[at:]
    for name in ('user', 'user_id', 'password'):
        assert check_value(name, value) is not None
    for name in ('user', 'password'):
        assert check_value(name, value, 'camdroid_monitor') is not None


@pytest.mark.parametrize('name, value', [
    ('proxy', 'sip:' + 'a' * 1000000), ('proxy', 'sip:' + 'a.' * 500000 + 'com'),
    ('proxy', 'sip:' + 'a-' * 500000), ('realm', '1' * 1000000), ('stun.ip', 'a' * 999999 + '.'),
    ('outbound', 'sip:' + 'ab' * 500000 + ':5060'), ('user', 'u' * 1000000), ('password', ' ' * 1000000),
    ('user_id', '\n' * 1000000), ('password', 'p' * 1000000),
])
def test_a_megabyte_is_refused_at_once(name, value):
    started = time.perf_counter()
    assert check_value(name, value) is not None
    assert check_value(name, value, 'camdroid_monitor') is not None
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize('size', [5000, 20000, 80000])
def test_host_checks_are_linear(size):
    """The old host pattern took seconds for a 20 kB proxy (nested repetition); now every size is fast."""
    value = 'sip:' + ('a' * (size // 2) + '-') * 2
    started = time.perf_counter()
    for attempt in range(10):
        assert check_value('proxy', value) is not None, attempt
    assert time.perf_counter() - started < 0.1


def test_dns_names_are_at_most_253_characters():
    name = '.'.join(['a' * 63] * 3) + '.' + 'b' * 61
    assert len(name) == 253 and check_value('realm', name) is None
    assert check_value('realm', name + 'c') is not None


@given(host, st.one_of(st.just(''), port))
def test_outbound_is_empty_or_a_host_without_sip(h, p):
    """The published pattern (https://developers.bas-ip.com/android-panels/set-first-account-sip-settings):
    ``^$|IPv4(:port)|dns(:port)$``; the option takes a sip: off first."""
    assert check_value('outbound', '') is None
    assert check_value('outbound', h + p) is None
    assert check_value('outbound', 'sip:' + h + p) is not None
    assert check_outbound('outbound', 'sip:' + h + p) is None and without_sip('sip:' + h + p) == h + p
    assert check_outbound('outbound', 'sip:sip:' + h + p) is not None


@given(st.text(min_size=1, max_size=31).filter(str.isprintable))
def test_camdroid_user_and_password_are_1_to_31_printable_characters(text):
    assert check_value('password', text, 'camdroid_monitor') is None
    assert check_value('user', text, 'camdroid_monitor') is None


def test_camdroid_lengths():
    assert check_value('password', '', 'camdroid_monitor') is not None
    assert check_value('password', 'p' * 32, 'camdroid_monitor') is not None
    assert check_value('password', 'x', 'camdroid_monitor') is None
    assert check_value('password', 'x') is not None
