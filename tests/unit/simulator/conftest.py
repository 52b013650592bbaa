# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Vobiz simulator for the simulator tests, reset before each test, and a client of it."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet

AUTH = {'X-Auth-ID': 'MA_SIMUL001', 'X-Auth-Token': 'sim-token'}


@pytest.fixture(scope='module')
def running():
    simulator, urls = start_fleet(vobiz=True)
    yield urls['targets']['vobiz'], urls['control']
    simulator.stop()


@pytest.fixture
def api(running):
    url, control = running
    requests.delete(control + '/targets/vobiz/state', timeout=5)
    requests.delete(control + '/faults', timeout=5)
    requests.delete(control + '/log', timeout=5)

    class Api:
        def call(self, method, path, headers=None, **kwargs):
            headers = AUTH if headers is None else headers
            return requests.request(method, url + path, headers=headers, timeout=5, **kwargs)

        def control(self, method, path, **kwargs):
            return requests.request(method, control + path, timeout=5, **kwargs)

        def options(self, **options):
            answer = self.control('PATCH', '/targets/vobiz/options', json=options)
            assert answer.status_code == 200, answer.text
    return Api()
