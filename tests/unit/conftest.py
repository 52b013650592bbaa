# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: a simulator in this process, a client for its control API and the
API contracts of tests/contract/."""

from __future__ import annotations

import pathlib

import pytest
import requests
import yaml

from ansible_collections.sipfleet.provision.tests.simulator.fleet import start_fleet


CONTRACT_DIR = pathlib.Path(__file__).resolve().parents[1] / 'contract'


@pytest.fixture(scope='session')
def openapi_contract():
    """A loader of the OpenAPI documents in tests/contract/: ``openapi_contract(file_name)``
    returns a fresh dict each call (callers may change it). A missing document is an error,
    never a skip."""
    def load(name):
        path = CONTRACT_DIR / name
        if not path.is_file():
            pytest.fail('API contract %s is missing (tests/contract/README.md)' % path)
        return yaml.safe_load(path.read_text(encoding='utf-8'))
    return load


class Control:
    """The simulator's control API, as tests use it."""

    def __init__(self, url):
        self.url = url

    def log(self, target=None):
        params = {'target': target} if target else None
        return requests.get(self.url + '/log', params=params, timeout=5).json()

    def calls(self, target=None):
        """The request log as "METHOD /path" lines."""
        return ['%s %s' % (e['method'], e['path']) for e in self.log(target)]

    def clear_log(self):
        requests.delete(self.url + '/log', timeout=5)

    def fault(self, target, kind, **options):
        response = requests.post(self.url + '/faults', json=dict(target=target, kind=kind, **options), timeout=5)
        response.raise_for_status()

    def clear_faults(self):
        requests.delete(self.url + '/faults', timeout=5)

    def state(self, target):
        return requests.get('%s/targets/%s/state' % (self.url, target), timeout=5).json()

    def reset(self, targets, state):
        """``state`` on every target, no fault, an empty log."""
        for target in targets:
            self.patch(target, 'state', state)
        self.clear_faults()
        self.clear_log()

    def patch(self, target, route, change):
        response = requests.patch('%s/targets/%s/%s' % (self.url, target, route), json=change, timeout=5)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope='module')
def panels():
    """Two simulated panels; yields (urls by target name, Control)."""
    simulator, urls = start_fleet(panels=2)
    yield urls['targets'], Control(urls['control'])
    simulator.stop()
