# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fuzz of the input rules, through the modules' own entry points and the in-process simulators.

Every generated value is either refused before any request (the simulator's log stays empty)
or accepted, sent, and stored by the simulator exactly as given. Accepted SIP values carry no
line break, tab or other control character (they end up in SIP headers), accepted Vobiz user
names no white space or non-ASCII character. Each check runs in linear time: a 1 MB value is
refused in well under a second, measured in a child process that is stopped after a few
seconds so that a quadratic expression fails the test instead of hanging it.
"""

from __future__ import annotations

import multiprocessing
import string
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.sipfleet.provision.plugins.module_utils._basip import BASIP_SIP
from ansible_collections.sipfleet.provision.plugins.module_utils._http import ApiError
from ansible_collections.sipfleet.provision.tests.simulator.basip import FACTORY_SETTINGS
from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet

from ansible_collections.sipfleet.provision.plugins.module_utils._vobiz import VOBIZ_CREDENTIAL

SECRET = 'Sip-secret-42'
TOKEN = 'sim-token'
MEGABYTE = 1 << 20
LINEAR_BOUND = 0.5   # seconds for a 1 MB value (generous: a linear check takes milliseconds)
HARD_STOP = 5.0      # seconds before the child process is stopped (a quadratic check never ends)
CONTROL = '\n\r\t\x0b\x0c\x00\x1b\x7f\u0085\u2028'
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Values near the rules: the documented characters, the ones just outside them, control
# characters and non-ASCII letters, in short strings and in host-like shapes.
_near = string.ascii_letters + string.digits + ' ~!@#$%^&;*()_-+={[}]|"<,>.?/:\'`\\' + CONTROL + '\u00e9\u4e2d'
_text = st.one_of(st.text(_near, max_size=40), st.text(max_size=40))
_label = st.text(string.ascii_lowercase + string.digits + '-_+' + CONTROL + ' :', min_size=1, max_size=8)
_host = st.one_of(st.lists(_label, min_size=1, max_size=4).map('.'.join),
                  st.tuples(*[st.integers(0, 300)] * 4).map(lambda t: '.'.join(map(str, t))))
_port = st.one_of(st.just(''), st.integers(0, 99999).map(lambda p: ':%d' % p), _text.map(lambda t: ':' + t))
_hosts = st.one_of(_text, st.tuples(_host, _port).map(''.join))
VALUES = {
    'user': _text, 'user_id': _text, 'password': _text,
    'realm': _hosts, 'stun.ip': _hosts,
    'proxy': st.one_of(_text, _hosts.map(lambda h: 'sip:' + h)),
}
# 1 MB values shaped to make a backtracking expression work hardest: long runs of label
# characters with and without dots, ending in a character that fails the match.
HUGE = ('a' * MEGABYTE, '0' * MEGABYTE + 'a!', 'a.' * (MEGABYTE // 2) + '!', 'a-' * (MEGABYTE // 2) + '.!',
        '1.' * (MEGABYTE // 2) + '!', ' ' * MEGABYTE, 'x' * MEGABYTE + '\n')


# --- BAS-IP ----------------------------------------------------------------------------

@pytest.fixture(scope='module')
def fleet():
    simulator, urls = start_fleet(panels=1, vobiz=True)
    yield simulator, urls['targets']
    simulator.stop()


def _log(simulator, target):
    with simulator.lock:
        return [dict(e) for e in simulator.log if e['target'] == target]


def _clear(simulator):
    with simulator.lock:
        del simulator.log[:]


def _defaults(module):
    return dict((name, spec.get('default')) for name, spec in module.options.argument_spec().items())


def _panel_params(url, field, value, family):
    params = _defaults(BASIP_SIP)
    params.update(api_url=url, api_password='123456', retries=0, update_password='always', password=SECRET,
                  api_family=family)
    if field == 'stun.ip':
        params['stun'] = dict(ip=value, port=None)
    else:
        params[field] = value
    return params


def _stored(settings_, field):
    return settings_['stun']['ip'] if field == 'stun.ip' else settings_[field]


@pytest.mark.parametrize('family', ['panel', 'auto'])
@pytest.mark.parametrize('field', sorted(VALUES))
def test_basip_value_is_refused_before_any_request_or_stored_unchanged(fleet, field, family):
    """With the family named, a refused value costs no request. With ``auto`` the family's rules
    are known only once the settings are read, so a value that another family accepts may be
    refused after those reads, but never after a write."""
    simulator, targets = fleet
    panel = simulator.targets['panel-001']['app']

    @FUZZ
    @given(VALUES[field])
    def run(value):
        with panel.lock:
            panel.settings = dict(FACTORY_SETTINGS, stun=dict(FACTORY_SETTINGS['stun']))
        _clear(simulator)
        try:
            BASIP_SIP.execute(_panel_params(targets['panel-001'], field, value, family))
        except ApiError as exc:
            sent = ['%s %s' % (e['method'], e['path']) for e in _log(simulator, 'panel-001')]
            if family == 'auto':
                sent = [request for request in sent if not request.startswith('GET ')]
            assert sent == [], '%s=%r was refused only after %s: %s' % (field, value, sent, exc)
            return
        with panel.lock:
            stored = _stored(panel.settings, field)
        assert stored == value, '%s=%r was accepted but stored as %r' % (field, value, stored)
        assert not set(value) & set(CONTROL), '%s=%r was accepted with a control character' % (field, value)
    run()


# --- Vobiz -----------------------------------------------------------------------------

_usernames = st.one_of(_text, st.text(string.ascii_letters + string.digits, min_size=1, max_size=40),
                       st.text(string.ascii_letters + string.digits + ' \t\n_-./\u00e9', min_size=1, max_size=40))


def _vobiz_params(url, username):
    params = _defaults(VOBIZ_CREDENTIAL)
    params.update(auth_id='MA_SIMUL001', auth_token=TOKEN, api_url=url, retries=0, username=username,
                  password=SECRET)
    return params


@FUZZ
@given(_usernames)
def test_vobiz_username_is_refused_before_any_request_or_stored_unchanged(fleet, username):
    simulator, targets = fleet
    account = simulator.targets['vobiz']['app']
    account.reset()
    _clear(simulator)
    try:
        VOBIZ_CREDENTIAL.execute(_vobiz_params(targets['vobiz'], username))
    except ApiError as exc:
        sent = ['%s %s' % (e['method'], e['path']) for e in _log(simulator, 'vobiz')]
        assert sent == [], 'username %r was refused only after %s: %s' % (username, sent, exc)
        return
    assert account.by_username(username) is not None, 'username %r was accepted but not stored' % username
    assert username.isascii() and username.isprintable() and ' ' not in username, \
        'username %r was accepted with white space, a control or a non-ASCII character' % username


# --- linear time -----------------------------------------------------------------------

def _timed(execute, params, pipe):
    started = time.perf_counter()
    try:
        execute(params)
        outcome = 'accepted'
    except ApiError as exc:
        outcome = 'unreachable' if exc.unreachable else 'refused'
    pipe.send((outcome, time.perf_counter() - started))


def _check_in_child(execute, params):
    """(outcome, seconds) of ``execute(params)`` in a child process, or ('hung', HARD_STOP)."""
    context = multiprocessing.get_context('fork')
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_timed, args=(execute, params, sender))
    child.start()
    try:
        if not receiver.poll(HARD_STOP):
            return 'hung', HARD_STOP
        return receiver.recv()
    finally:
        child.kill()
        child.join(5)


# A closed loopback port: a value that passed the checks would show as "unreachable".
NOWHERE = 'http://127.0.0.1:9'


@pytest.mark.parametrize('shape', range(len(HUGE)))
@pytest.mark.parametrize('field', sorted(VALUES))
def test_basip_megabyte_value_is_refused_in_linear_time(field, shape):
    value = HUGE[shape] if field != 'proxy' else 'sip:' + HUGE[shape]
    outcome, seconds = _check_in_child(BASIP_SIP.execute, _panel_params(NOWHERE, field, value, 'auto'))
    assert outcome == 'refused', '%s: a 1 MB value (shape %d) was %s after %.2f s' % (field, shape, outcome, seconds)
    assert seconds < LINEAR_BOUND, '%s: a 1 MB value (shape %d) took %.2f s to refuse' % (field, shape, seconds)


@pytest.mark.parametrize('shape', range(len(HUGE)))
def test_vobiz_megabyte_username_is_refused_in_linear_time(shape):
    outcome, seconds = _check_in_child(VOBIZ_CREDENTIAL.execute, _vobiz_params(NOWHERE, HUGE[shape]))
    assert outcome == 'refused', 'a 1 MB username (shape %d) was %s after %.2f s' % (shape, outcome, seconds)
    assert seconds < LINEAR_BOUND, 'a 1 MB username (shape %d) took %.2f s to refuse' % (shape, seconds)


@pytest.mark.parametrize('username', ['a' * 5000, 'office 1', 'office\n1', 'office\t1', 'b\u00fcro1'])
def test_vobiz_usernames_the_issue_names_are_refused_before_any_request(fleet, username):
    simulator, targets = fleet
    _clear(simulator)
    with pytest.raises(ApiError):
        VOBIZ_CREDENTIAL.execute(_vobiz_params(targets['vobiz'], username))
    assert _log(simulator, 'vobiz') == []
