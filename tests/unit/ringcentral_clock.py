# -*- coding: utf-8 -*-
# Copyright (c) sipfleet.provision contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake clock shared by the RingCentral simulator and the modules' clients: every wait (the
pacer's, a ``Retry-After``, a backoff) moves the clock instead of sleeping, so RingCentral's
real 60 s windows and penalties pass at once."""

from __future__ import annotations

import functools
import threading

from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral as client
from ansible_collections.sipfleet.provision.plugins.module_utils import _ringcentral_tasks as tasks
from ansible_collections.sipfleet.provision.tests.simulator.ringcentral import RingCentralAccount
from ansible_collections.sipfleet.provision.tests.simulator.server import ControlApp, Simulator


class FakeClock:
    """``clock()`` is the time; ``clock.sleep(seconds)`` moves it on and records the wait."""

    def __init__(self, now=1000.0):
        self.now = now
        self.slept = []
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.now

    def sleep(self, seconds):
        with self.lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)


def start_account(clock, **account):
    """A running simulator with one RingCentral account (target ``ringcentral``) on ``clock``;
    returns (simulator, the account's URL, the control API's URL)."""
    simulator = Simulator()
    control = simulator.add('control', ControlApp(simulator))
    url = simulator.add('ringcentral', RingCentralAccount(clock=clock, **account))
    simulator.start()
    return simulator, url, control


def on_clock(monkeypatch, clock):
    """The RingCentral modules' clients wait on ``clock`` (pacing, retries, backoff)."""
    monkeypatch.setattr(tasks, 'RingCentral', functools.partial(client.RingCentral, clock=clock, sleep=clock.sleep))
